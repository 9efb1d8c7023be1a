//! Prometheus's JSON `matrix` result, shared by the HTTP client and snapshots: parsing it
//! into `series::Matrix` and writing a `Matrix` back in the same shape, losslessly.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::series::{LabeledSeries, Matrix, Points};

/// `data` of a range query: `{"resultType": "matrix", "result": [...]}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(expecting = "a range query's data: an object with \"resultType\" and \"result\"")]
pub struct MatrixData {
    #[serde(rename = "resultType")]
    pub result_type: String,
    pub result: Vec<SeriesJson>,
}

/// One series: `{"metric": {labels}, "values": [[<unix seconds>, "<value>"], ...]}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(expecting = "a series: an object with \"metric\" and \"values\"")]
pub struct SeriesJson {
    /// The series' labels (`{}` when it has none): required, as Prometheus always sends it,
    /// so that a series cut out of its object is not read as one without labels.
    pub metric: BTreeMap<String, String>,
    /// `[<unix seconds>, "<value>"]` pairs; values are decimal text, `NaN`, `+Inf` or `-Inf`.
    pub values: Samples,
}

/// A series' samples, parsed as they are read into compact [`Points`] (8 bytes a sample
/// while the times are evenly spaced: a long run's million samples are not held twice, or
/// as text). A sample that is not a pair
/// of a finite timestamp and a value leaves a placeholder point and, if it is the first
/// such, its index and what is wrong, for [`MatrixData::into_matrix`] to report.
#[derive(Debug, Clone, Default)]
pub struct Samples {
    pub points: Points,
    pub first_bad: Option<(usize, String)>,
}

impl PartialEq for Samples {
    /// The same samples, NaN included (bit for bit).
    fn eq(&self, other: &Self) -> bool {
        self.first_bad == other.first_bad
            && self.points.len() == other.points.len()
            && self
                .points
                .iter()
                .zip(other.points.iter())
                .all(|(a, b)| a.0 == b.0 && a.1.to_bits() == b.1.to_bits())
    }
}

impl Serialize for Samples {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.points.len()))?;
        for (t, v) in &self.points {
            seq.serialize_element(&(timestamp_json(t), format_value(v)))?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for Samples {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Pairs;
        impl<'de> serde::de::Visitor<'de> for Pairs {
            type Value = Samples;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of [<unix seconds>, \"<value>\"] pairs")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Samples, A::Error> {
                let mut out = Samples {
                    points: Points::with_capacity(seq.size_hint().unwrap_or(0)),
                    first_bad: None,
                };
                while let Some((ts, value)) =
                    seq.next_element::<(serde_json::Number, SampleValue)>()?
                {
                    let t = timestamp_ms(&ts);
                    let problem = match (&t, &value) {
                        (None, _) => Some(format!("bad timestamp {ts}")),
                        (_, SampleValue::Invalid(text)) => Some(format!("bad value {text:?}")),
                        _ => None,
                    };
                    if let (Some(problem), None) = (problem, &out.first_bad) {
                        out.first_bad = Some((out.points.len(), problem));
                    }
                    let v = match value {
                        SampleValue::Number(v) => v,
                        SampleValue::Invalid(_) => f64::NAN,
                    };
                    out.points.push((t.unwrap_or(0), v));
                }
                out.points.shrink_to_fit();
                Ok(out)
            }
        }
        deserializer.deserialize_seq(Pairs)
    }
}

impl schemars::JsonSchema for Samples {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        <Vec<(serde_json::Number, String)>>::schema_name()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <Vec<(serde_json::Number, String)>>::json_schema(generator)
    }
}

/// A sample's value as it is read: text (`"1.5"`, `"NaN"`, `"+Inf"`) parsed straight to a
/// number; text that is not a number is kept, so that the error can say what it was.
enum SampleValue {
    Number(f64),
    Invalid(Box<str>),
}

impl<'de> Deserialize<'de> for SampleValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = SampleValue;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a sample value as a string")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<SampleValue, E> {
                Ok(match parse_value(text) {
                    Some(v) => SampleValue::Number(v),
                    None => SampleValue::Invalid(text.into()),
                })
            }
        }
        deserializer.deserialize_str(Text)
    }
}

/// Parses a Prometheus sample value: decimal numbers, `NaN`, `+Inf`, `-Inf`.
pub fn parse_value(text: &str) -> Option<f64> {
    match text {
        "NaN" => Some(f64::NAN),
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        t => t.parse::<f64>().ok().filter(|v| v.is_finite()),
    }
}

/// Formats a value as Prometheus does, so that parsing it back gives the same `f64`.
pub fn format_value(v: f64) -> String {
    let mut out = String::new();
    write_value(&mut out, v);
    out
}

/// Appends `format_value(v)` to `out` (for writers of many values, with one buffer).
pub fn write_value(out: &mut String, v: f64) {
    use std::fmt::Write as _;
    if v.is_nan() {
        out.push_str("NaN");
    } else if v == f64::INFINITY {
        out.push_str("+Inf");
    } else if v == f64::NEG_INFINITY {
        out.push_str("-Inf");
    } else if v.fract() == 0.0 && v.abs() < 1e15 && !(v == 0.0 && v.is_sign_negative()) {
        // whole numbers (offsets, counts, byte sizes) print as integers
        out.push_str(itoa::Buffer::new().format(v as i64));
    } else if v == 0.0 || (1e-6..1e21).contains(&v.abs()) {
        // The shortest digits that parse back to `v`, laid out as Rust's `{v}`. Ryū finds
        // them several times faster (a week's CSV is a million values); where two shortest
        // strings are equally near it rounds half to even and Rust half up (1 + 2^-17 ends
        // in ...312 here, ...313 there), and either reads back as `v`. Where Ryū chooses an
        // exponent or appends ".0", the standard formatter lays the value out.
        let mut buffer = ryu::Buffer::new();
        let text = buffer.format_finite(v);
        if text.contains('e') || text.ends_with(".0") {
            let _ = write!(out, "{v}");
        } else {
            out.push_str(text);
        }
    } else {
        let _ = write!(out, "{v:e}");
    }
}

/// Unix seconds (as JSON) → milliseconds.
fn timestamp_ms(n: &serde_json::Number) -> Option<i64> {
    if let Some(i) = n.as_i64() {
        return i.checked_mul(1000);
    }
    n.as_f64()
        .filter(|f| f.is_finite())
        .map(|f| (f * 1000.0).round() as i64)
}

/// Milliseconds → Unix seconds as a JSON number (an integer when whole).
fn timestamp_json(ms: i64) -> serde_json::Number {
    if ms % 1000 == 0 {
        serde_json::Number::from(ms / 1000)
    } else {
        serde_json::Number::from_f64(ms as f64 / 1000.0)
            .unwrap_or_else(|| serde_json::Number::from(ms / 1000))
    }
}

impl MatrixData {
    /// Converts into series; `where_` names the origin for messages.
    pub fn into_matrix(self, where_: &str) -> Result<Matrix, String> {
        if self.result_type != "matrix" {
            return Err(format!(
                "{where_}: expected a \"matrix\" result, got \"{}\" (a range query returns a matrix)",
                self.result_type
            ));
        }
        let mut out = Vec::with_capacity(self.result.len());
        for (i, s) in self.result.into_iter().enumerate() {
            if let Some((j, problem)) = s.values.first_bad {
                return Err(format!("{where_}: series {i}, sample {j}: {problem}"));
            }
            let points = s.values.points;
            // Prometheus returns samples in time order. Out of order is a corrupt file or a
            // broken server, not something to repair silently.
            if !points.in_time_order() {
                let pairs = || points.iter().zip(points.iter().skip(1));
                if let Some((j, (before, after))) =
                    pairs().enumerate().find(|(_, (a, b))| b.0 < a.0)
                {
                    return Err(format!(
                        "{where_}: series {i}, sample {}: its time {} comes before the time of the sample before it ({}); samples must be in time order",
                        j + 1,
                        crate::config::format_time(after.0),
                        crate::config::format_time(before.0)
                    ));
                }
                // The same time twice with different values: which one is true is unknowable.
                if let Some((a, b)) =
                    pairs().find(|(a, b)| a.0 == b.0 && a.1.to_bits() != b.1.to_bits())
                {
                    return Err(format!(
                        "{where_}: series {i} has two different values at {} ({} and {})",
                        crate::config::format_time(a.0),
                        format_value(a.1),
                        format_value(b.1)
                    ));
                }
            }
            out.push(LabeledSeries {
                labels: s.metric,
                points,
            });
        }
        Ok(out)
    }

    /// The JSON shape of a matrix.
    pub fn from_matrix(matrix: &Matrix) -> Self {
        MatrixData {
            result_type: "matrix".into(),
            result: matrix
                .iter()
                .map(|s| SeriesJson {
                    metric: s.labels.clone(),
                    values: Samples {
                        points: s.points.clone(),
                        first_bad: None,
                    },
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_special_values() {
        assert!(parse_value("NaN").unwrap().is_nan());
        assert_eq!(parse_value("+Inf"), Some(f64::INFINITY));
        assert_eq!(parse_value("-Inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_value("1.5e-7"), Some(1.5e-7));
        assert_eq!(parse_value("abc"), None);
        assert_eq!(parse_value("inf"), None);
    }

    #[test]
    fn whole_numbers_print_as_the_float_formatting_would() {
        for v in [
            0.0,
            -0.0,
            1.0,
            -3.0,
            15.0,
            1e14,
            1e15 - 1.0,
            1e15,
            1e16,
            123456789.0,
        ] {
            let reference = if v == 0.0 || (1e-6..1e21).contains(&f64::abs(v)) {
                format!("{v}")
            } else {
                format!("{v:e}")
            };
            assert_eq!(format_value(v), reference, "{v}");
        }
    }

    /// The fast path gives the standard formatter's text, or where two shortest strings
    /// are equally near the value, the other of them: the same length, the last digit one
    /// apart, and it reads back as the same value. Values of every magnitude and random bit
    /// patterns.
    #[test]
    fn fast_formatting_equals_the_standard_formatter() {
        let reference = |v: f64| {
            if v.is_nan() {
                "NaN".to_string()
            } else if v.is_infinite() {
                (if v > 0.0 { "+Inf" } else { "-Inf" }).to_string()
            } else if v.fract() == 0.0 && v.abs() < 1e15 && !(v == 0.0 && v.is_sign_negative()) {
                format!("{}", v as i64)
            } else if v == 0.0 || (1e-6..1e21).contains(&v.abs()) {
                format!("{v}")
            } else {
                format!("{v:e}")
            }
        };
        let mut values = vec![
            -0.0,
            0.1,
            0.3,
            1e-6,
            9.99e-6,
            1e-5,
            1.5e-5,
            1e16 + 2.0,
            1e20,
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..200_000 {
            // xorshift: any bit pattern, so every exponent and digit count appears
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            values.push(f64::from_bits(state));
            values.push(
                (state % 100_000_000) as f64 / 1e4 * 10f64.powi((state >> 56) as i32 % 24 - 12),
            );
        }
        let mut ties = 0;
        for v in values {
            let (ours, standard) = (format_value(v), reference(v));
            if ours == standard {
                continue;
            }
            ties += 1;
            let (a, b) = (ours.as_bytes(), standard.as_bytes());
            let last = a.len() - 1;
            assert!(
                a.len() == b.len()
                    && a[..last] == b[..last]
                    && a[last].abs_diff(b[last]) == 1
                    && parse_value(&ours).map(f64::to_bits) == Some(v.to_bits()),
                "{v:e}: {ours} against {standard}"
            );
        }
        assert!(
            ties < 100,
            "{ties} values differ from the standard formatter"
        );
        assert_eq!(format_value(1.0 + 2f64.powi(-17)), "1.0000076293945312");
    }

    #[test]
    fn values_round_trip_exactly() {
        for v in [
            0.0,
            -0.0,
            1.0,
            0.1,
            1.0 / 3.0,
            150.00000000001,
            1e-300,
            5e300,
            -2.5e-7,
            123456789.123,
        ] {
            let back = parse_value(&format_value(v)).unwrap();
            assert_eq!(back.to_bits(), v.to_bits(), "{v}");
        }
    }

    #[test]
    fn parses_prometheus_json() {
        let json = r#"{"resultType":"matrix","result":[{"metric":{"pod":"a"},"values":[[1719475200,"1"],[1719475200.5,"NaN"],[1719475201.25,"+Inf"]]}]}"#;
        let data: MatrixData = serde_json::from_str(json).unwrap();
        let m = data.into_matrix("test").unwrap();
        assert_eq!(m[0].labels["pod"], "a");
        let points = m[0].points.to_vec();
        assert_eq!(points[0], (1_719_475_200_000, 1.0));
        assert_eq!(points[1].0, 1_719_475_200_500);
        assert!(points[1].1.is_nan());
        assert_eq!(points[2], (1_719_475_201_250, f64::INFINITY));
        let again = MatrixData::from_matrix(&m);
        assert_eq!(serde_json::to_string(&again).unwrap(), json);
    }

    #[test]
    fn rejects_wrong_shapes() {
        let data: MatrixData =
            serde_json::from_str(r#"{"resultType":"vector","result":[]}"#).unwrap();
        assert!(data.into_matrix("x").unwrap_err().contains("matrix"));
        let data: MatrixData = serde_json::from_str(
            r#"{"resultType":"matrix","result":[{"metric":{},"values":[[1,"x"]]}]}"#,
        )
        .unwrap();
        assert!(data.into_matrix("x").unwrap_err().contains("bad value"));
        // The first bad sample is named, with its series and index.
        let data: MatrixData = serde_json::from_str(
            r#"{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"]]},{"metric":{},"values":[[1,"1"],[2,"up"],[3,"down"]]}]}"#,
        )
        .unwrap();
        assert_eq!(
            data.into_matrix("x").unwrap_err(),
            "x: series 1, sample 1: bad value \"up\""
        );
        // Samples out of time order are corrupt, not sorted behind the reader's back.
        let data: MatrixData = serde_json::from_str(
            r#"{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"],[3,"1"],[2,"1"]]}]}"#,
        )
        .unwrap();
        let e = data.into_matrix("x").unwrap_err();
        assert!(
            e.starts_with("x: series 0, sample 2:") && e.contains("time order"),
            "{e}"
        );
        // A series without its labels is not one without labels.
        let e = serde_json::from_str::<MatrixData>(
            r#"{"resultType":"matrix","result":[{"values":[[1,"1"]]}]}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("metric"), "{e}");
    }
}
