//! Durations as users write them (`30s`, `1h30m`, `250ms`, `2d`) and as PromQL wants them.
//!
//! All durations are whole milliseconds (`i64`), the resolution of Prometheus timestamps.

/// Parses `<number><unit>` groups with units `ms s m h d`, e.g. `30s`, `1h30m`, `1.5h`.
pub fn parse(text: &str) -> Result<i64, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err("empty duration (expected e.g. \"30s\", \"10m\", \"4h\")".into());
    }
    if s == "0" {
        return Ok(0);
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return Err(format!(
                "bad duration \"{text}\": expected a number before \"{rest}\" (units: ms s m h d)"
            ));
        }
        let number: f64 = rest[..num_len].parse().map_err(|_| {
            format!(
                "bad duration \"{text}\": \"{}\" is not a number",
                &rest[..num_len]
            )
        })?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "ms" => 1.0,
            "s" => 1_000.0,
            "m" => 60_000.0,
            "h" => 3_600_000.0,
            "d" => 86_400_000.0,
            "" => {
                // `10 minutes`: a word after a space.
                let word: String = rest
                    .trim_start()
                    .chars()
                    .take_while(char::is_ascii_alphabetic)
                    .collect();
                return Err(match unit_for(&word) {
                    Some(unit) => format!(
                        "bad duration \"{text}\": write {number}{unit} (units: ms s m h d, no space)"
                    ),
                    None => format!(
                        "bad duration \"{text}\": missing unit after {number} (units: ms s m h d)"
                    ),
                });
            }
            other => {
                return Err(match unit_for(other) {
                    Some(unit) => {
                        format!("bad duration \"{text}\": write {number}{unit} (units: ms s m h d)")
                    }
                    None => format!(
                        "bad duration \"{text}\": unknown unit \"{other}\" (units: ms s m h d)"
                    ),
                })
            }
        };
        total += number * factor;
        rest = &rest[unit_len..];
    }
    if total.fract() != 0.0 {
        return Err(format!("bad duration \"{text}\": finer than a millisecond"));
    }
    if total > 100.0 * 365.0 * 86_400_000.0 {
        return Err(format!("bad duration \"{text}\": longer than 100 years"));
    }
    Ok(total as i64)
}

/// Formats a duration for PromQL in the largest unit that divides it exactly (`2m`, `90s`, `1500ms`).
pub fn promql(ms: i64) -> String {
    if ms != 0 && ms % 86_400_000 == 0 {
        format!("{}d", ms / 86_400_000)
    } else if ms != 0 && ms % 3_600_000 == 0 {
        format!("{}h", ms / 3_600_000)
    } else if ms != 0 && ms % 60_000 == 0 {
        format!("{}m", ms / 60_000)
    } else if ms % 1_000 == 0 {
        format!("{}s", ms / 1_000)
    } else {
        format!("{ms}ms")
    }
}

/// Formats a duration for people: `4h`, `1h30m`, `45s`, `250ms`.
pub fn human(ms: i64) -> String {
    if ms == 0 {
        return "0s".into();
    }
    let sign = if ms < 0 { "-" } else { "" };
    let mut rest = ms.unsigned_abs();
    let mut out = String::from(sign);
    for (unit, size) in [
        ("d", 86_400_000u64),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1_000),
    ] {
        if rest >= size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    if rest > 0 {
        out.push_str(&format!("{rest}ms"));
    }
    out
}

/// The unit a word for a time means (`minutes` → `m`), for a hint.
fn unit_for(word: &str) -> Option<&'static str> {
    match word.to_ascii_lowercase().as_str() {
        "millisecond" | "milliseconds" | "msec" | "msecs" => Some("ms"),
        "sec" | "secs" | "second" | "seconds" => Some("s"),
        "min" | "mins" | "minute" | "minutes" => Some("m"),
        "hr" | "hrs" | "hour" | "hours" => Some("h"),
        "day" | "days" => Some("d"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_compounds() {
        assert_eq!(parse("30s"), Ok(30_000));
        assert_eq!(parse("250ms"), Ok(250));
        assert_eq!(parse("10m"), Ok(600_000));
        assert_eq!(parse("4h"), Ok(14_400_000));
        assert_eq!(parse("2d"), Ok(172_800_000));
        assert_eq!(parse("1h30m"), Ok(5_400_000));
        assert_eq!(parse("1.5h"), Ok(5_400_000));
        assert_eq!(parse("0"), Ok(0));
        assert_eq!(parse("0s"), Ok(0));
    }

    #[test]
    fn rejects_bad_durations_with_reason() {
        assert!(parse("").unwrap_err().contains("empty"));
        assert!(parse("30").unwrap_err().contains("missing unit"));
        assert!(parse("30x").unwrap_err().contains("unknown unit \"x\""));
        assert!(parse("s").unwrap_err().contains("expected a number"));
        assert!(parse("-5s").unwrap_err().contains("expected a number"));
        assert!(parse("0.5ms").unwrap_err().contains("millisecond"));
        assert!(parse("1..2s").unwrap_err().contains("not a number"));
    }

    #[test]
    fn formats_for_promql_and_people() {
        assert_eq!(promql(120_000), "2m");
        assert_eq!(promql(90_000), "90s");
        assert_eq!(promql(1_500), "1500ms");
        assert_eq!(promql(14_400_000), "4h");
        assert_eq!(promql(0), "0s");
        assert_eq!(human(5_400_000), "1h30m");
        assert_eq!(human(30_000), "30s");
        assert_eq!(human(1_250), "1s250ms");
    }
}
