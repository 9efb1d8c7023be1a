//! Units of metric values: converting a bound written with a unit (`60s`, `256MiB`, `5%`)
//! into a metric's own unit, and formatting values for people (`1.2 s`, `212 MiB`, `150 PI/s`).

/// The family a unit belongs to; conversions only happen inside a family.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Family {
    Time,
    Bytes,
    Percent,
}

/// Scale of a known unit relative to its family's base (seconds, bytes, percent).
fn scale(unit: &str) -> Option<(Family, f64)> {
    Some(match unit {
        "ms" => (Family::Time, 1e-3),
        "s" => (Family::Time, 1.0),
        "m" | "min" => (Family::Time, 60.0),
        "h" => (Family::Time, 3600.0),
        "B" | "bytes" => (Family::Bytes, 1.0),
        "KiB" => (Family::Bytes, 1024.0),
        "MiB" => (Family::Bytes, 1024.0 * 1024.0),
        "GiB" => (Family::Bytes, 1024.0 * 1024.0 * 1024.0),
        "%" => (Family::Percent, 1.0),
        "ratio" => (Family::Percent, 100.0),
        _ => return None,
    })
}

/// Whether `unit` is one the gate grammar knows (`ms s m h B KiB MiB GiB %`, ...).
pub fn is_unit(unit: &str) -> bool {
    scale(unit).is_some()
}

/// Converts `number` written in `unit` into `metric_unit`.
///
/// No unit means the metric's own unit. A unit of another family is an error.
pub fn convert(number: f64, unit: Option<&str>, metric_unit: &str) -> Result<f64, String> {
    let Some(unit) = unit else { return Ok(number) };
    if unit == metric_unit {
        return Ok(number);
    }
    match (scale(unit), scale(metric_unit)) {
        (Some((from_family, from)), Some((to_family, to))) if from_family == to_family => {
            Ok(number * from / to)
        }
        (Some(_), _) => Err(format!(
            "unit {unit} does not apply to a metric measured in {}",
            if metric_unit.is_empty() {
                "plain numbers"
            } else {
                metric_unit
            }
        )),
        (None, _) => Err(format!(
            "unknown unit {unit}: the metric is measured in {}; write the number in that unit{}",
            if metric_unit.is_empty() {
                "plain numbers"
            } else {
                metric_unit
            },
            match scale(metric_unit) {
                Some((Family::Time, _)) => " or with ms, s, m, h",
                Some((Family::Bytes, _)) => " or with B, KiB, MiB, GiB",
                Some((Family::Percent, _)) => " or with %",
                None => "",
            }
        )),
    }
}

/// Parses a quantity such as `60s`, `0.5`, `256MiB` or `5%` into `metric_unit`.
pub fn parse_quantity(text: &str, metric_unit: &str) -> Result<f64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E')))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let number: f64 = num.parse().map_err(|_| {
        format!("\"{text}\" is not a number with an optional unit (e.g. 60s, 256MiB, 5%)")
    })?;
    let unit = unit.trim();
    convert(
        number,
        if unit.is_empty() { None } else { Some(unit) },
        metric_unit,
    )
}

/// Formats a number with about three significant digits, without exponent for usual sizes.
pub fn number(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 1e6 {
        format!("{v:.3e}")
    } else if v.fract() == 0.0 || a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else if a >= 0.001 {
        // three significant digits, trailing zeros dropped
        let decimals = (2 - a.log10().floor() as i32).max(0) as usize;
        let t = format!("{v:.decimals$}");
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("{v:.2e}")
    }
}

/// Parses a run-to-run variation such as `"3%"` into a fraction (0.03): a percentage of
/// the mean, at least 0 and below 100.
pub fn parse_percentage(text: &str) -> Result<f64, String> {
    text.trim()
        .strip_suffix('%')
        .and_then(|n| n.trim().parse::<f64>().ok())
        .filter(|p| p.is_finite() && *p >= 0.0 && *p < 100.0)
        .map(|p| p / 100.0)
        .ok_or_else(|| {
            format!("\"{text}\": a percentage of the mean between 0% and 100%, e.g. \"3%\"")
        })
}

/// Formats a relative change (`0.25` → `+25.0%`); changes of ten times or more as a
/// factor (`×343`), where a percentage stops being readable.
pub fn change(rel: f64) -> String {
    if !rel.is_finite() {
        return "n/a".into();
    }
    if rel >= 9.0 {
        return format!("×{}", number(((1.0 + rel) * 10.0).round() / 10.0));
    }
    let p = rel * 100.0;
    if p.abs() >= 100.0 {
        format!("{p:+.0}%")
    } else {
        format!("{p:+.1}%")
    }
}

/// Formats a value of a metric in `unit` for people, picking a readable scale.
pub fn format_value(v: f64, unit: &str) -> String {
    if !v.is_finite() {
        return number(v);
    }
    match unit {
        "s" | "ms" => {
            let secs = if unit == "ms" { v / 1000.0 } else { v };
            let a = secs.abs();
            if a == 0.0 {
                "0 s".into()
            } else if a < 1.0 {
                format!("{} ms", number(secs * 1000.0))
            } else if a < 120.0 {
                format!("{} s", number(secs))
            } else if a < 7200.0 {
                format!("{} min", number(secs / 60.0))
            } else {
                format!("{} h", number(secs / 3600.0))
            }
        }
        "B" | "bytes" | "KiB" | "MiB" | "GiB" => {
            let bytes = convert(v, Some(unit), "B").unwrap_or(v);
            let a = bytes.abs();
            let (d, u) = if a >= 1024.0 * 1024.0 * 1024.0 {
                (1024.0 * 1024.0 * 1024.0, "GiB")
            } else if a >= 1024.0 * 1024.0 {
                (1024.0 * 1024.0, "MiB")
            } else if a >= 1024.0 {
                (1024.0, "KiB")
            } else {
                (1.0, "B")
            };
            format!("{} {u}", number(bytes / d))
        }
        "%" => format!("{}%", number(v)),
        "" => number(v),
        other => format!("{} {}", number(v), counted(v, other)),
    }
}

/// A count noun in the number it counts: one restart, two restarts (`restarts`, `kills`,
/// `jobs` — a unit of whole words ending in `s`; rates like `jobs/s` stay as they are).
fn counted(v: f64, unit: &str) -> &str {
    let plural = unit.len() > 2
        && unit.ends_with('s')
        && !unit.ends_with("ss")
        && unit.chars().all(|c| c.is_ascii_alphabetic());
    if v == 1.0 && plural {
        &unit[..unit.len() - 1]
    } else {
        unit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_restart_is_singular() {
        assert_eq!(format_value(1.0, "restarts"), "1 restart");
        assert_eq!(format_value(85.0, "restarts"), "85 restarts");
        assert_eq!(format_value(0.0, "kills"), "0 kills");
        assert_eq!(format_value(1.0, "jobs/s"), "1 jobs/s");
        assert_eq!(format_value(1.0, "PI/s"), "1 PI/s");
    }

    #[test]
    fn converts_within_families() {
        assert_eq!(parse_quantity("60s", "s"), Ok(60.0));
        assert_eq!(parse_quantity("60s", "ms"), Ok(60_000.0));
        assert_eq!(parse_quantity("250ms", "s"), Ok(0.25));
        assert_eq!(parse_quantity("256MiB", "B"), Ok(268_435_456.0));
        assert_eq!(parse_quantity("5%", "%"), Ok(5.0));
        assert_eq!(parse_quantity("5%", "ratio"), Ok(0.05));
        assert_eq!(parse_quantity("140", "PI/s"), Ok(140.0));
        assert_eq!(parse_quantity("1.5e3", "PI/s"), Ok(1500.0));
        assert_eq!(parse_quantity("-2", "s"), Ok(-2.0));
    }

    #[test]
    fn rejects_mismatched_units() {
        assert!(parse_quantity("5s", "B")
            .unwrap_err()
            .contains("does not apply"));
        assert!(parse_quantity("5%", "PI/s")
            .unwrap_err()
            .contains("does not apply"));
        assert!(parse_quantity("5 parsecs", "s")
            .unwrap_err()
            .contains("unknown unit"));
        assert!(parse_quantity("abc", "s")
            .unwrap_err()
            .contains("not a number"));
    }

    #[test]
    fn formats_for_people() {
        assert_eq!(format_value(0.2, "s"), "200 ms");
        assert_eq!(format_value(60.0, "s"), "60 s");
        assert_eq!(format_value(65.6, "s"), "65.6 s");
        assert_eq!(format_value(268_435_456.0, "B"), "256 MiB");
        assert_eq!(format_value(150.0, "PI/s"), "150 PI/s");
        assert_eq!(format_value(0.5, "%"), "0.5%");
        assert_eq!(number(0.1), "0.1");
        assert_eq!(number(0.000522), "5.22e-4");
        assert_eq!(number(0.00522), "0.00522");
        assert_eq!(format_value(f64::NAN, "s"), "NaN");
        assert_eq!(number(0.0123), "0.0123");
        assert_eq!(number(2.5e-6), "2.50e-6");
        assert_eq!(number(24.0), "24");
        assert_eq!(change(0.25), "+25.0%");
        assert_eq!(change(-1.0), "-100%");
        assert_eq!(change(341.79), "×343");
        assert_eq!(change(8.5), "+850%");
    }
}
