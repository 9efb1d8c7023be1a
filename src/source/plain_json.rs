//! Prometheus's matrix JSON in the shape Prometheus and benchcmp write it, read byte by
//! byte. A week of samples is a million `[<seconds>, "<value>"]` pairs, and serde's
//! token-by-token decoding of them was most of the time spent reading a snapshot.
//!
//! Each reader returns `None` for text it does not read — valid JSON in another shape
//! (fractional timestamps, escapes in a value, unknown fields) as well as invalid JSON — and
//! the caller then decodes that text with serde, which also says what is wrong. What a
//! reader does return is what serde would give.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::matrix_json::{parse_value, MatrixData, Samples, SeriesJson};

/// A position in JSON text.
pub struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(text: &'a str) -> Self {
        Reader { text, at: 0 }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// The next byte after white space, not consumed.
    fn peek(&mut self) -> Option<u8> {
        let b = self.bytes();
        while matches!(b.get(self.at), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.at += 1;
        }
        b.get(self.at).copied()
    }

    /// Consumes `c` (after white space).
    fn byte(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.at += 1)
    }

    /// Only white space is left.
    pub fn end(&mut self) -> Option<()> {
        self.peek().is_none().then_some(())
    }

    /// A string, borrowed when it has no escapes (serde decodes the ones that do).
    pub fn string(&mut self) -> Option<Cow<'a, str>> {
        self.byte(b'"')?;
        let b = self.bytes();
        let start = self.at;
        let mut escaped = false;
        loop {
            match *b.get(self.at)? {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    self.at += 2;
                }
                c if c < 0x20 => return None,
                _ => self.at += 1,
            }
        }
        self.at += 1;
        if escaped {
            serde_json::from_str::<String>(self.text.get(start - 1..self.at)?)
                .ok()
                .map(Cow::Owned)
        } else {
            Some(Cow::Borrowed(&self.text[start..self.at - 1]))
        }
    }

    /// An object: `member` reads the value of each key (and refuses keys it does not know,
    /// or has seen).
    pub fn object(
        &mut self,
        mut member: impl FnMut(&mut Self, Cow<'a, str>) -> Option<()>,
    ) -> Option<()> {
        self.items(b'{', b'}', |r| {
            let key = r.string()?;
            r.byte(b':')?;
            member(r, key)
        })
    }

    /// An array: `element` reads each element.
    pub fn array(&mut self, element: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.items(b'[', b']', element)
    }

    /// `open`, items separated by commas, `close`.
    fn items(
        &mut self,
        open: u8,
        close: u8,
        mut item: impl FnMut(&mut Self) -> Option<()>,
    ) -> Option<()> {
        self.byte(open)?;
        if self.peek()? == close {
            self.at += 1;
            return Some(());
        }
        loop {
            item(self)?;
            match self.peek()? {
                b',' => self.at += 1,
                c if c == close => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// The text of the next value, found by its strings and brackets alone and not checked:
    /// only for text that is decoded afterwards, which then refuses what is not JSON. A valid
    /// value's text is returned exactly. It passes over a week's snapshot several times
    /// faster than serde's skipping, which reads every number on the way.
    pub fn raw(&mut self) -> Option<&'a str> {
        let first = self.peek()?;
        let b = self.bytes();
        let start = self.at;
        let mut at = start;
        if !matches!(first, b'"' | b'[' | b'{') {
            // a number or a literal (`null`): up to what ends it
            at += b[at..]
                .iter()
                .position(|c| matches!(c, b',' | b']' | b'}' | b' ' | b'\n' | b'\r' | b'\t'))
                .unwrap_or(b.len() - at);
            self.at = at;
            return (at > start).then(|| &self.text[start..at]);
        }
        let mut depth = 0usize;
        while at == start || depth > 0 {
            while !STRUCTURE[usize::from(*b.get(at)?)] {
                at += 1;
            }
            match b[at] {
                b'"' => {
                    at += 1;
                    // to the closing quote, past escaped characters
                    loop {
                        at += b
                            .get(at..)?
                            .iter()
                            .position(|c| matches!(c, b'"' | b'\\'))?;
                        if b[at] == b'"' {
                            break;
                        }
                        at += 2;
                    }
                }
                b'[' | b'{' => depth += 1,
                _ => depth = depth.checked_sub(1)?,
            }
            at += 1;
        }
        self.at = at;
        Some(&self.text[start..at])
    }

    /// An array of strings.
    pub fn strings(&mut self) -> Option<Vec<String>> {
        let mut out = Vec::new();
        self.array(|r| {
            out.push(r.string()?.into_owned());
            Some(())
        })?;
        Some(out)
    }

    /// `[[<seconds>, "<value>"], ...]` with whole, non-negative seconds (at most 15 digits)
    /// and values without escapes; values are parsed by [`parse_value`], and the first that
    /// is not a number is kept for the error, as serde's decoding of [`Samples`] does.
    pub fn samples(&mut self) -> Option<Samples> {
        let mut out = Samples::default();
        self.array(|r| {
            let b = r.bytes();
            r.byte(b'[')?;
            r.peek()?;
            let first = r.at;
            let mut seconds: i64 = 0;
            while let Some(d) = b.get(r.at).filter(|c| c.is_ascii_digit()) {
                if r.at - first == 15 {
                    return None;
                }
                seconds = seconds * 10 + i64::from(d - b'0');
                r.at += 1;
            }
            let digits = r.at - first;
            if digits == 0 || (digits > 1 && b[first] == b'0') {
                return None;
            }
            r.byte(b',')?;
            r.byte(b'"')?;
            let start = r.at;
            let length = b[start..]
                .iter()
                .position(|c| *c == b'"' || *c == b'\\' || *c < 0x20)?;
            if b[start + length] != b'"' {
                return None;
            }
            r.at = start + length + 1;
            r.byte(b']')?;
            let text = &r.text[start..start + length];
            let value = parse_value(text).unwrap_or_else(|| {
                if out.first_bad.is_none() {
                    out.first_bad = Some((out.points.len(), format!("bad value {text:?}")));
                }
                f64::NAN
            });
            out.points.push((seconds * 1000, value));
            Some(())
        })?;
        out.points.shrink_to_fit();
        Some(out)
    }
}

/// The bytes [`Reader::raw`] stops at in a string or a bracket's text: quotes and brackets.
static STRUCTURE: [bool; 256] = {
    let mut table = [false; 256];
    let stops = *b"\"[]{}";
    let mut i = 0;
    while i < stops.len() {
        table[stops[i] as usize] = true;
        i += 1;
    }
    table
};

/// A successful answer of Prometheus's API as it writes one: `{"status": "success", "data":
/// {matrix}}` and `warnings` if there are any, in any order. An error answer, other fields
/// (`infos`, say) or anything this module does not read are left to serde.
pub fn success(text: &str) -> Option<(MatrixData, Vec<String>)> {
    let mut r = Reader::new(text);
    let (mut status, mut data, mut warnings) = (None, None, None);
    r.object(|r, key| {
        match key.as_ref() {
            "status" if status.is_none() => status = Some(r.string()?),
            "data" if data.is_none() => data = Some(matrix(r)?),
            "warnings" if warnings.is_none() => warnings = Some(r.strings()?),
            _ => return None,
        }
        Some(())
    })?;
    r.end()?;
    (status? == "success").then_some(())?;
    Some((data?, warnings.unwrap_or_default()))
}

/// `{"resultType": ..., "result": [...]}`.
pub fn matrix(r: &mut Reader) -> Option<MatrixData> {
    let (mut result_type, mut result) = (None, None);
    r.object(|r, key| {
        match key.as_ref() {
            "resultType" if result_type.is_none() => result_type = Some(r.string()?.into_owned()),
            "result" if result.is_none() => {
                let mut list = Vec::new();
                r.array(|r| {
                    list.push(series(r)?);
                    Some(())
                })?;
                result = Some(list);
            }
            _ => return None,
        }
        Some(())
    })?;
    Some(MatrixData {
        result_type: result_type?,
        result: result?,
    })
}

/// `{"metric": {labels}, "values": [...]}`.
fn series(r: &mut Reader) -> Option<SeriesJson> {
    let (mut labels, mut values) = (None, None);
    r.object(|r, key| {
        match key.as_ref() {
            "metric" if labels.is_none() => {
                let mut map = BTreeMap::new();
                r.object(|r, name| {
                    // a repeated label: the last one counts, as with serde's map
                    map.insert(name.into_owned(), r.string()?.into_owned());
                    Some(())
                })?;
                labels = Some(map);
            }
            "values" if values.is_none() => values = Some(r.samples()?),
            _ => return None,
        }
        Some(())
    })?;
    // A series without either key is left to serde, which names the missing one.
    Some(SeriesJson {
        metric: labels?,
        values: values?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The matrix as this module reads it, if it does.
    fn plain(text: &str) -> Option<MatrixData> {
        let mut r = Reader::new(text);
        let m = matrix(&mut r)?;
        r.end()?;
        Some(m)
    }

    #[test]
    fn reads_what_prometheus_and_benchcmp_write() {
        let written = r#"{"resultType":"matrix","result":[{"metric":{"partition":"1","pod":"zeebe-\"0\""},"values":[[1751011200,"102.5"],[1751011215,"NaN"],[1751011230,"+Inf"],[1751011245,"1e-7"]]},{"metric":{},"values":[]}]}"#;
        let pretty = "{\n  \"resultType\": \"matrix\",\n  \"result\": [\n    {\n      \"metric\": {},\n      \"values\": [[0, \"-Inf\"], [1751011215, \"3\"]]\n    }\n  ]\n}";
        for text in [written, pretty] {
            let by_serde: MatrixData = serde_json::from_str(text).unwrap();
            assert_eq!(plain(text), Some(by_serde), "{text}");
        }
        // A value that is not a number is kept for the error, as serde's decoding keeps it.
        let word = r#"{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2"],[2,"fast"],[3,"x"]]}]}"#;
        let m = plain(word).unwrap();
        assert_eq!(
            m.result[0].values.first_bad,
            Some((1, "bad value \"fast\"".into()))
        );
        assert_eq!(Some(m), serde_json::from_str(word).ok());
        // Without its labels or its samples a series is left to serde, which names the key.
        for cut in [
            r#"{"resultType":"matrix","result":[{"values":[[1,"2"]]}]}"#,
            r#"{"resultType":"matrix","result":[{"metric":{}}]}"#,
        ] {
            assert_eq!(plain(cut), None, "{cut}");
            assert!(serde_json::from_str::<MatrixData>(cut).is_err(), "{cut}");
        }
    }

    /// A range query's answer is held at 8 bytes a sample, read either way.
    #[test]
    fn an_evenly_spaced_answer_is_held_compactly() {
        let values: Vec<String> = (0..5000)
            .map(|i| format!("[{},\"{i}.5\"]", 1_751_011_200 + 15 * i))
            .collect();
        let text = format!(
            r#"{{"resultType":"matrix","result":[{{"metric":{{}},"values":[{}]}}]}}"#,
            values.join(",")
        );
        let by_serde: MatrixData = serde_json::from_str(&text).unwrap();
        for m in [plain(&text).unwrap(), by_serde] {
            let points = &m.result[0].values.points;
            assert_eq!(points.len(), 5000);
            assert_eq!(
                points.last(),
                Some((1_751_011_200_000 + 15_000 * 4999, 4999.5))
            );
            assert!(
                points.heap_bytes() <= 5000 * 8 + 16,
                "{}",
                points.heap_bytes()
            );
        }
    }

    #[test]
    fn leaves_other_shapes_to_serde() {
        for text in [
            // valid JSON that serde decodes differently or with care
            r#"{"resultType":"matrix","result":[{"values":[[1751011200.5,"1"]]}]}"#,
            r#"{"resultType":"matrix","result":[{"values":[[-1,"1"]]}]}"#,
            r#"{"resultType":"matrix","result":[{"values":[[1e9,"1"]]}]}"#,
            r#"{"resultType":"matrix","result":[{"values":[[1234567890123456,"1"]]}]}"#,
            r#"{"resultType":"matrix","result":[{"values":[[1,"\u0031"]]}]}"#,
            r#"{"resultType":"matrix","result":[],"extra":1}"#,
            // what serde refuses
            r#"{"resultType":"matrix","result":[{"values":[[01,"1"]]}]}"#,
            r#"{"resultType":"matrix","result":[{"values":[[1,"1",2]]}]}"#,
            r#"{"resultType":"matrix","result":[{"values":[[1,1]]}]}"#,
            r#"{"resultType":"matrix","result":[{"values":[[1,"1"]],"values":[]}]}"#,
            r#"{"resultType":"matrix","result":[{"values":[[1,"1"],]}]}"#,
            r#"{"resultType":"matrix","result":[{"values":[[1,"1"]]}]} x"#,
            r#"{"resultType":"matrix","result":[{"values":[[1,"1"#,
            "{\"resultType\":\"ma\ntrix\",\"result\":[]}",
        ] {
            assert_eq!(plain(text), None, "{text}");
        }
    }

    /// Pieces of matrix JSON for the properties below: as Prometheus and benchcmp write
    /// them, and (`odd`) also others, valid or not.
    fn timestamp(odd: bool) -> impl Strategy<Value = String> {
        const ODD: &[&str] = &[
            "0",
            "00",
            "07",
            "1.5",
            "-3",
            "1e3",
            "-0",
            "999999999999999",
            "1000000000000000",
            "17510112000000000000",
        ];
        prop_oneof![
            4 => (0i64..4_000_000_000).prop_map(|s| s.to_string()),
            usize::from(odd) as u32 => prop::sample::select(ODD).prop_map(String::from),
        ]
    }

    fn value(odd: bool) -> impl Strategy<Value = String> {
        const USUAL: &[&str] = &[
            "\"NaN\"", "\"+Inf\"", "\"-Inf\"", "\"fast\"", "\"\"", "\"1e-7\"",
        ];
        const ODD: &[&str] = &[
            "\"Inf\"",
            "\"1\\u0030\"",
            "\"1e400\"",
            "1.5",
            "null",
            "\"a\\\"b\"",
        ];
        prop_oneof![
            4 => any::<f64>().prop_map(|v| format!("\"{}\"", super::super::matrix_json::format_value(v))),
            1 => prop::sample::select(USUAL).prop_map(String::from),
            usize::from(odd) as u32 => prop::sample::select(ODD).prop_map(String::from),
        ]
    }

    fn space() -> impl Strategy<Value = &'static str> {
        prop::sample::select(&["", "", " ", "\n  ", "\t"][..])
    }

    fn series(odd: bool) -> impl Strategy<Value = String> {
        let labels = if odd {
            &[
                "\"pod\":\"a\"",
                "\"pod\":\"b\"",
                "\"p\\\"q\":\"x\"",
                "\"le\":\"+Inf\"",
            ][..]
        } else {
            &["\"pod\":\"a\"", "\"pod\":\"b\"", "\"le\":\"+Inf\""][..]
        };
        let tails = if odd {
            &["", "", "", ",\"extra\":1", ",\"values\":[]"][..]
        } else {
            &[""][..]
        };
        let sample = (timestamp(odd), value(odd), space(), space())
            .prop_map(|(t, v, a, b)| format!("[{a}{t},{b}{v}]"));
        (
            prop::collection::vec(prop::sample::select(labels), 0..3),
            prop::collection::vec(sample, 0..6),
            space(),
            prop::sample::select(tails),
        )
            .prop_map(|(labels, samples, s, tail)| {
                format!(
                    "{{\"metric\":{{{}}},{s}\"values\":[{}]{tail}}}",
                    labels.join(","),
                    samples.join(&format!(",{s}"))
                )
            })
    }

    fn matrix_text(odd: bool) -> impl Strategy<Value = String> {
        (prop::collection::vec(series(odd), 0..3), space()).prop_map(|(series, s)| {
            format!(
                "{{{s}\"resultType\":\"matrix\",\"result\":[{}]}}",
                series.join(",")
            )
        })
    }

    /// Prometheus's envelope as serde decodes it in the client.
    #[derive(serde::Deserialize, Debug)]
    struct Envelope {
        status: String,
        data: Option<MatrixData>,
        #[serde(default)]
        warnings: Vec<String>,
    }

    /// An answer around a matrix: its fields in some order, `odd` adding others and
    /// values of other types.
    fn answer_text(odd: bool) -> impl Strategy<Value = String> {
        let statuses = if odd {
            &[
                "\"success\"",
                "\"success\"",
                "\"error\"",
                "null",
                "\"succ\\u0065ss\"",
            ][..]
        } else {
            &["\"success\""][..]
        };
        let warnings = if odd {
            &["", "[]", "[\"w\"]", "[\"a\",\"b\\n\"]", "null", "[1]"][..]
        } else {
            &["", "[]", "[\"w\"]", "[\"a\",\"b\"]"][..]
        };
        let extras = if odd {
            &[
                "",
                "\"infos\":[\"i\"]",
                "\"status\":\"success\"",
                "\"data\":null",
            ][..]
        } else {
            &[""][..]
        };
        (
            prop::sample::select(statuses),
            matrix_text(odd),
            prop::sample::select(warnings),
            prop::sample::select(extras),
            any::<prop::sample::Index>(),
            space(),
        )
            .prop_map(|(status, data, warnings, extra, order, s)| {
                let mut fields = vec![
                    format!("\"status\":{s}{status}"),
                    format!("\"data\":{data}"),
                ];
                if !warnings.is_empty() {
                    fields.push(format!("\"warnings\":{warnings}"));
                }
                if !extra.is_empty() {
                    fields.push(extra.to_string());
                }
                let turn = order.index(fields.len());
                fields.rotate_left(turn);
                format!("{{{}}}", fields.join(&format!(",{s}")))
            })
    }

    #[test]
    fn raw_text_ends_where_the_value_does() {
        for (text, value) in [
            (r#" "a\"b]" , 1"#, r#""a\"b]""#),
            (
                r#"[1, "]", {"x": [2, "\\"]}], "next""#,
                r#"[1, "]", {"x": [2, "\\"]}]"#,
            ),
            ("{}}", "{}"),
            ("null,", "null"),
            ("-1.5e3}", "-1.5e3"),
            ("true", "true"),
        ] {
            let mut r = Reader::new(text);
            assert_eq!(r.raw(), Some(value), "{text}");
            assert_eq!(
                &text[r.at..],
                &text[text.find(value).unwrap() + value.len()..]
            );
        }
        // no value, or one that does not end
        for text in [
            "",
            "  ",
            "]",
            ",",
            r#""open"#,
            r#""open\""#,
            "[1, [2]",
            "{\"a\": 1",
        ] {
            assert_eq!(Reader::new(text).raw(), None, "{text}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 512,
            rng_seed: proptest::test_runner::RngSeed::Fixed(20261128),
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Whatever this module reads, serde reads the same.
        #[test]
        fn what_it_reads_serde_reads_the_same(text in matrix_text(true)) {
            if let Some(m) = plain(&text) {
                prop_assert_eq!(Some(m), serde_json::from_str::<MatrixData>(&text).ok(), "{}", text);
            }
        }

        /// A successful answer it reads is one serde reads as successful, with the same
        /// data and warnings.
        #[test]
        fn the_answers_it_reads_serde_reads_the_same(text in answer_text(true)) {
            if let Some((data, warnings)) = success(&text) {
                let by_serde: Envelope = serde_json::from_str(&text).unwrap();
                prop_assert_eq!(by_serde.status.as_str(), "success", "{}", &text);
                prop_assert_eq!(by_serde.data, Some(data), "{}", &text);
                prop_assert_eq!(by_serde.warnings, warnings, "{}", &text);
            }
        }

        /// The raw text of any valid value is the value's text, whatever follows it.
        #[test]
        fn raw_text_of_a_valid_value_is_exact(text in answer_text(true), after in "[ ,\\]}\"]{0,3}") {
            prop_assume!(serde_json::from_str::<serde::de::IgnoredAny>(&text).is_ok());
            let value = text.trim();
            let with_after = format!("{text}{after}");
            let mut r = Reader::new(&with_after);
            prop_assert_eq!(r.raw(), Some(value));
        }

        /// And it reads the answers Prometheus writes.
        #[test]
        fn it_reads_the_usual_answer(text in answer_text(false)) {
            let by_serde: Envelope = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(success(&text), Some((by_serde.data.unwrap(), by_serde.warnings)), "{}", &text);
        }

        /// And it reads what Prometheus and benchcmp write.
        #[test]
        fn it_reads_the_usual_shape(text in matrix_text(false)) {
            let by_serde = serde_json::from_str::<MatrixData>(&text).unwrap();
            prop_assert_eq!(plain(&text), Some(by_serde), "{}", text);
        }
    }
}
