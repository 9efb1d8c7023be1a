//! Gates: the rule a metric must meet, parsed from the grammar of SPEC §7.
//!
//! ```text
//! gate   := clause ( "and" clause )*
//! clause := "regression" op percent | stat op number [unit] | "shift" op percent
//!         | "trend" op number (% | unit) "/" (h | min | d)
//! stat   := mean | median | min | max | p50 | p90 | p95 | p99 | last | total
//! op     := "<=" | "<" | ">=" | ">"
//! ```
//! Errors point at the offending character. Evaluating a gate against data is the
//! comparison's job; this module only knows the rules.

pub mod resolve;

use serde::Serialize;

use crate::units;

pub use resolve::resolve;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum Op {
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = ">")]
    Gt,
}

impl Op {
    pub fn holds(self, value: f64, bound: f64) -> bool {
        match self {
            Op::Le => value <= bound,
            Op::Lt => value < bound,
            Op::Ge => value >= bound,
            Op::Gt => value > bound,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Op::Le => "<=",
            Op::Lt => "<",
            Op::Ge => ">=",
            Op::Gt => ">",
        }
    }

    /// The symbol of the opposite comparison (`<=` → `>`), for saying why a bound failed.
    pub fn negation(self) -> &'static str {
        match self {
            Op::Le => ">",
            Op::Lt => ">=",
            Op::Ge => "<",
            Op::Gt => "<=",
        }
    }
}

/// A statistic of the candidate's samples in the steady window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Stat {
    Mean,
    Median,
    Min,
    Max,
    P50,
    P90,
    P95,
    P99,
    Last,
    Total,
}

impl Stat {
    const ALL: [(&'static str, Stat); 10] = [
        ("mean", Stat::Mean),
        ("median", Stat::Median),
        ("min", Stat::Min),
        ("max", Stat::Max),
        ("p50", Stat::P50),
        ("p90", Stat::P90),
        ("p95", Stat::P95),
        ("p99", Stat::P99),
        ("last", Stat::Last),
        ("total", Stat::Total),
    ];

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, s)| *s == self)
            .map_or("?", |(n, _)| n)
    }
}

/// One clause of a gate.
#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    /// Direction-adjusted relative change of the mean against the baseline; budget as a fraction.
    Regression { op: Op, budget: f64 },
    /// A statistic of the candidate against a bound in the metric's unit.
    Absolute { stat: Stat, op: Op, bound: f64 },
    /// The largest level shift inside the candidate run; budget as a fraction.
    Shift { op: Op, budget: f64 },
    /// The candidate's linear trend, direction-adjusted (positive = getting worse), per
    /// hour: a fraction of the run's mean when `relative`, else in the metric's unit.
    Trend { op: Op, limit: f64, relative: bool },
}

/// A parsed gate and the text it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Gate {
    pub text: String,
    pub clauses: Vec<Clause>,
}

impl Gate {
    /// The relative budget if the gate has a regression clause.
    pub fn regression_budget(&self) -> Option<f64> {
        self.clauses.iter().find_map(|c| match c {
            Clause::Regression { budget, .. } => Some(*budget),
            _ => None,
        })
    }
}

/// A parse error: message and byte offset into the gate text.
#[derive(Debug, Clone, PartialEq)]
pub struct GateError {
    pub text: String,
    pub offset: usize,
    pub message: String,
}

impl std::fmt::Display for GateError {
    /// The message, the gate, and a caret under the offending character.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let col = self.text[..self.offset.min(self.text.len())]
            .chars()
            .count();
        write!(
            f,
            "{}\n    {}\n    {}^",
            self.message,
            self.text,
            " ".repeat(col)
        )
    }
}

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
    /// The unit of the metric the gate is for (accepted after a number as it is).
    metric_unit: &'a str,
}

impl<'a> Cursor<'a> {
    fn skip_ws(&mut self) {
        while self.text[self.pos..].starts_with(char::is_whitespace) {
            self.pos += self.text[self.pos..]
                .chars()
                .next()
                .map_or(1, char::len_utf8);
        }
    }

    fn error(&self, offset: usize, message: impl Into<String>) -> GateError {
        GateError {
            text: self.text.to_string(),
            offset,
            message: message.into(),
        }
    }

    fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.pos >= self.text.len()
    }

    /// A word of letters, digits and `_`, starting with a letter.
    fn word(&mut self) -> Option<(usize, &'a str)> {
        self.skip_ws();
        let rest = &self.text[self.pos..];
        if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return None;
        }
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let start = self.pos;
        self.pos += len;
        Some((start, &rest[..len]))
    }

    fn op(&mut self) -> Result<Op, GateError> {
        self.skip_ws();
        let rest = &self.text[self.pos..];
        let (op, len) = if rest.starts_with("<=") {
            (Op::Le, 2)
        } else if rest.starts_with(">=") {
            (Op::Ge, 2)
        } else if rest.starts_with('<') {
            (Op::Lt, 1)
        } else if rest.starts_with('>') {
            (Op::Gt, 1)
        } else {
            return Err(self.error(self.pos, "expected a comparison (<=, <, >=, >)"));
        };
        self.pos += len;
        Ok(op)
    }

    fn number(&mut self) -> Result<(usize, f64), GateError> {
        self.skip_ws();
        let start = self.pos;
        let rest = &self.text[start..];
        let mut len = 0;
        let bytes = rest.as_bytes();
        if len < bytes.len() && (bytes[len] == b'-' || bytes[len] == b'+') {
            len += 1;
        }
        while len < bytes.len() && (bytes[len].is_ascii_digit() || bytes[len] == b'.') {
            len += 1;
        }
        // exponent: e or E followed by digits
        if len < bytes.len() && (bytes[len] == b'e' || bytes[len] == b'E') {
            let mut e = len + 1;
            if e < bytes.len() && (bytes[e] == b'-' || bytes[e] == b'+') {
                e += 1;
            }
            if e < bytes.len() && bytes[e].is_ascii_digit() {
                while e < bytes.len() && bytes[e].is_ascii_digit() {
                    e += 1;
                }
                len = e;
            }
        }
        let value: f64 = rest[..len]
            .parse()
            .map_err(|_| self.error(start, "expected a number"))?;
        if !value.is_finite() {
            return Err(self.error(start, "expected a finite number"));
        }
        self.pos += len;
        Ok((start, value))
    }

    /// An optional unit after a number: `%` or a word. A word written apart from the
    /// number (`1 s`) only counts as a unit if it is one, so `0 or` reads as a missing `and`.
    fn unit(&mut self) -> Option<(usize, &'a str)> {
        let save = self.pos;
        self.skip_ws();
        let attached = self.pos == save;
        if self.text[self.pos..].starts_with('%') {
            self.pos += 1;
            return Some((self.pos - 1, "%"));
        }
        // A unit is one token: letters, digits and `/` (`MiB`, `PI/s`, `jobs/s`).
        let rest = &self.text[self.pos..];
        let len = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
        let token = &rest[..len];
        let starts_like_a_unit = token.starts_with(|c: char| c.is_ascii_alphabetic());
        let is_unit = token != "and"
            && starts_like_a_unit
            && (attached
                || units::is_unit(token)
                || token.contains('/')
                || token == self.metric_unit);
        if is_unit {
            let at = self.pos;
            self.pos += len;
            Some((at, token))
        } else {
            self.pos = save;
            None
        }
    }
}

/// The rest of a `trend` clause: `op number (% | unit) / (h | min | d)`.
fn trend(c: &mut Cursor, text: &str, metric_unit: &str) -> Result<Clause, GateError> {
    let op_at = {
        c.skip_ws();
        c.pos
    };
    let op = c.op()?;
    if matches!(op, Op::Ge | Op::Gt) {
        return Err(c.error(
            op_at,
            "trend takes an upper bound (<= or <): it is direction-adjusted, positive means getting worse",
        ));
    }
    let (num_at, value) = c.number()?;
    if value < 0.0 {
        return Err(c.error(num_at, "a trend limit must not be negative"));
    }
    c.skip_ws();
    let unit_at = c.pos;
    let rest = &text[c.pos..];
    let Some(slash) = rest.find('/') else {
        return Err(c.error(
            c.pos + rest.trim_end().len(),
            "a trend is a rate: expected a unit per time, e.g. 5%/h or 10MiB/h",
        ));
    };
    let unit = rest[..slash].trim();
    let after = &rest[slash + 1..];
    let spaces = after.len() - after.trim_start().len();
    let after = after.trim_start();
    let per_len = after
        .find(|ch: char| !ch.is_ascii_alphabetic())
        .unwrap_or(after.len());
    let hours = match &after[..per_len] {
        "h" | "hour" => 1.0,
        "min" | "m" => 1.0 / 60.0,
        "d" | "day" => 24.0,
        _ => {
            return Err(c.error(
                c.pos + slash + 1 + spaces,
                "expected h, min or d after / (a trend is per hour, minute or day)",
            ))
        }
    };
    c.pos += slash + 1 + spaces + per_len;
    let (limit, relative) = match unit {
        "%" => (value / 100.0, true),
        "" => (value, false),
        u => (
            units::convert(value, Some(u), metric_unit).map_err(|e| c.error(unit_at, e))?,
            false,
        ),
    };
    Ok(Clause::Trend {
        op,
        limit: limit / hours,
        relative,
    })
}

/// Parses a gate for a metric measured in `metric_unit`.
pub fn parse(text: &str, metric_unit: &str) -> Result<Gate, GateError> {
    let mut c = Cursor {
        text,
        pos: 0,
        metric_unit,
    };
    let mut clauses = Vec::new();
    if c.at_end() {
        return Err(c.error(0, "empty gate (e.g. \"regression <= 10%\", \"max <= 0\")"));
    }
    loop {
        let Some((start, word)) = c.word() else {
            return Err(c.error(c.pos, "expected regression, shift, trend or a statistic (mean, median, min, max, p50, p90, p95, p99, last, total)"));
        };
        let clause = match word {
            "trend" => trend(&mut c, text, metric_unit)?,
            "regression" | "shift" => {
                let op_at = {
                    c.skip_ws();
                    c.pos
                };
                let op = c.op()?;
                if matches!(op, Op::Ge | Op::Gt) {
                    return Err(c.error(op_at, format!("{word} takes an upper bound (<= or <)")));
                }
                let (num_at, value) = c.number()?;
                match c.unit() {
                    Some((_, "%")) => {}
                    Some((at, other)) => {
                        return Err(c.error(
                            at,
                            format!("{word} is a percentage: expected %, found {other}"),
                        ))
                    }
                    None => {
                        return Err(c.error(
                            c.pos,
                            format!(
                                "{word} is a percentage: expected % after {}",
                                &text[num_at..c.pos]
                            ),
                        ))
                    }
                }
                if value < 0.0 {
                    return Err(c.error(num_at, format!("{word} budget must not be negative")));
                }
                let budget = value / 100.0;
                if word == "regression" {
                    Clause::Regression { op, budget }
                } else {
                    Clause::Shift { op, budget }
                }
            }
            _ => {
                let Some(stat) = Stat::ALL.iter().find(|(n, _)| *n == word).map(|(_, s)| *s) else {
                    return Err(c.error(
                        start,
                        format!("unknown statistic \"{word}\" (expected regression, shift, trend, mean, median, min, max, p50, p90, p95, p99, last or total)"),
                    ));
                };
                let op = c.op()?;
                let (_, value) = c.number()?;
                let bound = match c.unit() {
                    None => value,
                    Some((at, unit)) => units::convert(value, Some(unit), metric_unit)
                        .map_err(|e| c.error(at, e))?,
                };
                Clause::Absolute { stat, op, bound }
            }
        };
        clauses.push(clause);
        if c.at_end() {
            break;
        }
        match c.word() {
            Some((_, "and")) => {
                if c.at_end() {
                    return Err(c.error(c.pos, "expected a clause after \"and\""));
                }
            }
            Some((at, _)) => return Err(c.error(at, "expected \"and\" or the end of the gate")),
            None => return Err(c.error(c.pos, "expected \"and\" or the end of the gate")),
        }
    }
    Ok(Gate {
        text: text.trim().to_string(),
        clauses,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_forms() {
        assert_eq!(
            parse("regression <= 10%", "PI/s").unwrap().clauses,
            vec![Clause::Regression {
                op: Op::Le,
                budget: 0.10
            }]
        );
        assert_eq!(
            parse("max <= 0", "restarts").unwrap().clauses,
            vec![Clause::Absolute {
                stat: Stat::Max,
                op: Op::Le,
                bound: 0.0
            }]
        );
        assert_eq!(
            parse("p99 <= 1s and shift <= 20%", "s").unwrap().clauses,
            vec![
                Clause::Absolute {
                    stat: Stat::P99,
                    op: Op::Le,
                    bound: 1.0
                },
                Clause::Shift {
                    op: Op::Le,
                    budget: 0.2
                }
            ]
        );
        assert_eq!(
            parse("mean >= 140", "PI/s").unwrap().clauses,
            vec![Clause::Absolute {
                stat: Stat::Mean,
                op: Op::Ge,
                bound: 140.0
            }]
        );
        assert_eq!(
            parse("p99 <= 250ms", "s").unwrap().clauses,
            vec![Clause::Absolute {
                stat: Stat::P99,
                op: Op::Le,
                bound: 0.25
            }]
        );
        assert_eq!(
            parse("max<200MiB", "B").unwrap().clauses,
            vec![Clause::Absolute {
                stat: Stat::Max,
                op: Op::Lt,
                bound: 200.0 * 1048576.0
            }]
        );
        assert_eq!(
            parse("mean <= 5%", "%").unwrap().clauses,
            vec![Clause::Absolute {
                stat: Stat::Mean,
                op: Op::Le,
                bound: 5.0
            }]
        );
        assert_eq!(
            parse("mean <= 1.5e2", "x").unwrap().clauses,
            vec![Clause::Absolute {
                stat: Stat::Mean,
                op: Op::Le,
                bound: 150.0
            }]
        );
        assert_eq!(
            parse("  regression<5%  and total <= 3 ", "")
                .unwrap()
                .clauses
                .len(),
            2
        );
        assert_eq!(
            parse("regression <= 10%", "PI/s")
                .unwrap()
                .regression_budget(),
            Some(0.1)
        );
        assert_eq!(
            parse("regression <= 20% and trend <= 5%/h", "B")
                .unwrap()
                .clauses[1],
            Clause::Trend {
                op: Op::Le,
                limit: 0.05,
                relative: true
            }
        );
        assert_eq!(
            parse("trend <= 10MiB/h", "B").unwrap().clauses,
            vec![Clause::Trend {
                op: Op::Le,
                limit: 10.0 * 1048576.0,
                relative: false
            }]
        );
        assert_eq!(
            parse("trend < 1 MiB / min", "B").unwrap().clauses,
            vec![Clause::Trend {
                op: Op::Lt,
                limit: 60.0 * 1048576.0,
                relative: false
            }]
        );
    }

    #[test]
    fn the_metrics_own_unit_is_accepted_and_others_are_explained() {
        assert_eq!(
            parse("mean >= 100 PI/s", "PI/s").unwrap().clauses,
            vec![Clause::Absolute {
                stat: Stat::Mean,
                op: Op::Ge,
                bound: 100.0
            }]
        );
        assert!(parse("mean >= 100 PI/s and max <= 0", "PI/s").is_ok());
        let (at, msg, _) = err("p99 <= 5 PI/s", "s");
        assert_eq!(at, 9);
        assert!(
            msg.contains("unknown unit PI/s")
                && msg.contains("measured in s")
                && msg.contains("ms, s"),
            "{msg}"
        );
        let (_, msg, _) = err("mean <= 5 s", "PI/s");
        assert!(msg.contains("does not apply"), "{msg}");
    }

    #[test]
    fn trend_errors_point_at_the_offending_character() {
        let (at, msg, _) = err("trend <= 5%", "B");
        assert_eq!((at, msg.contains("unit per time")), (11, true));
        let (at, msg, _) = err("trend <= 5%/week", "B");
        assert_eq!((at, msg.contains("h, min or d")), (12, true));
        let (at, msg, _) = err("trend >= 5%/h", "B");
        assert_eq!((at, msg.contains("upper bound")), (6, true));
        let (at, msg, _) = err("trend <= 5s/h", "B");
        assert_eq!((at, msg.contains("does not apply")), (10, true));
    }

    fn err(text: &str, unit: &str) -> (usize, String, String) {
        let e = parse(text, unit).unwrap_err();
        (e.offset, e.message.clone(), e.to_string())
    }

    #[test]
    fn errors_point_at_the_offending_character() {
        let (at, msg, shown) = err("regresion <= 10%", "");
        assert_eq!(at, 0);
        assert!(msg.contains("unknown statistic \"regresion\""), "{msg}");
        assert!(shown.ends_with("    regresion <= 10%\n    ^"), "{shown}");
        let (at, msg, shown) = err("regression <= 10", "");
        assert_eq!(at, 16);
        assert!(msg.contains("expected %"), "{msg}");
        assert!(
            shown.ends_with("    regression <= 10\n                    ^"),
            "{shown}"
        );
        let (at, msg, _) = err("regression => 10%", "");
        assert_eq!((at, msg.contains("comparison")), (11, true));
        let (at, msg, _) = err("regression >= 10%", "");
        assert_eq!((at, msg.contains("upper bound")), (11, true));
        let (at, msg, _) = err("p99 <= 1x", "s");
        assert_eq!((at, msg.contains("unknown unit x")), (8, true));
        let (at, msg, _) = err("p99 <= 1MiB", "s");
        assert_eq!((at, msg.contains("does not apply")), (8, true));
        let (at, msg, _) = err("max <= 0 or min >= 1", "");
        assert_eq!((at, msg.contains("\"and\"")), (9, true));
        let (at, msg, _) = err("max <= 0 and", "");
        assert_eq!((at, msg.contains("after \"and\"")), (12, true));
        let (at, msg, _) = err("max <= abc", "");
        assert_eq!((at, msg.contains("number")), (7, true));
        let (_, msg, _) = err("", "");
        assert!(msg.contains("empty gate"));
        let (at, _, _) = err("shift <= -5%", "");
        assert_eq!(at, 9);
    }
}
