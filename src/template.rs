//! Grafana-style variables in PromQL templates: `$var`, `${var}`, `[[var]]`, the formats
//! `${var:raw}`, `${var:regex}`, `${var:pipe}`, and the built-ins `$__rate_interval`,
//! `$__interval`, `$__range` (SPEC §5).
//!
//! Expansion knows which PromQL string literal (if any) a variable stands in, and whether
//! that literal is a regex matcher's (`=~`, `!~`). A run's values are escaped for the
//! literal, and inside a regex matcher for the regex as well (Grafana's behaviour), so a
//! namespace `a.b` matches `a.b`, not `axb`; several values become `a|b` there. `:raw`
//! leaves regex syntax alone, `:pipe` joins several values with `|` unescaped, `:regex`
//! escapes for a regex anywhere. An unknown variable or format is an error naming it and
//! its position. Built-ins are durations and are inserted as PromQL durations.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::duration;

/// A run variable's value: one string, or several (`vars = { namespace = ["a", "b"] }`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum VarValue {
    One(String),
    Many(Vec<String>),
}

impl<'de> Deserialize<'de> for VarValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = VarValue;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a string or a list of strings (e.g. \"perf-1\" or [\"perf-1\", \"perf-2\"])",
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<VarValue, E> {
                Ok(VarValue::One(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<VarValue, A::Error> {
                let mut values = Vec::new();
                while let Some(v) = seq.next_element::<String>()? {
                    values.push(v);
                }
                Ok(VarValue::Many(values))
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl VarValue {
    pub fn values(&self) -> Vec<&str> {
        match self {
            VarValue::One(v) => vec![v.as_str()],
            VarValue::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

impl std::fmt::Display for VarValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.values().join(","))
    }
}

impl From<&str> for VarValue {
    fn from(v: &str) -> Self {
        VarValue::One(v.to_string())
    }
}

/// A run's variables.
pub type Vars = BTreeMap<String, VarValue>;

/// Checks a run's variables: names a template can refer to (letters, digits, `_`, not
/// starting with a digit), none of the reserved `__` names, no empty list of values.
pub fn check_vars(vars: &Vars) -> Result<(), String> {
    for (name, value) in vars {
        let valid = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(format!(
                "variable name \"{name}\" cannot be used in a query (letters, digits and _ only, not starting with a digit)"
            ));
        }
        if name.starts_with("__") {
            return Err(format!(
                "variable ${name} is reserved: names starting with __ are built-ins ($__rate_interval, $__interval, $__range)"
            ));
        }
        if matches!(value, VarValue::Many(v) if v.is_empty()) {
            return Err(format!(
                "variable ${name} is an empty list: give at least one value"
            ));
        }
    }
    Ok(())
}

/// How a variable's value is formatted (`${var:format}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// No regex escaping; several values joined with `,`.
    Raw,
    /// Regex-escaped; several values joined with `|`.
    Regex,
    /// Several values joined with `|`, not escaped for a regex.
    Pipe,
}

/// Escapes the characters a regular expression gives meaning to.
pub fn regex_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(
            c,
            '\\' | '.' | '+' | '*' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '$'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// What variables expand to for one run.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub vars: &'a Vars,
    /// Query resolution (`$__interval`).
    pub step_ms: i64,
    /// Scrape interval, for `$__rate_interval`.
    pub scrape_interval_ms: i64,
    /// The run's window (`$__range`).
    pub range_ms: i64,
}

impl Context<'_> {
    /// Grafana's rule: `max($__interval + scrape interval, 4 × scrape interval)`.
    pub fn rate_interval_ms(&self) -> i64 {
        (self.step_ms + self.scrape_interval_ms).max(4 * self.scrape_interval_ms)
    }

    fn builtin(&self, name: &str) -> Option<String> {
        Some(match name {
            "__rate_interval" => duration::promql(self.rate_interval_ms()),
            "__interval" => duration::promql(self.step_ms),
            "__interval_ms" => self.step_ms.to_string(),
            "__range" => duration::promql(self.range_ms),
            "__range_s" => (self.range_ms / 1000).to_string(),
            "__range_ms" => self.range_ms.to_string(),
            _ => return None,
        })
    }
}

/// A template error: what is wrong and the byte offset in the template.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateError {
    pub offset: usize,
    pub message: String,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at character {})", self.message, self.offset + 1)
    }
}

/// A variable reference found in a template.
#[derive(Debug, Clone, PartialEq)]
struct VarRef<'t> {
    name: &'t str,
    start: usize,
    end: usize,
    /// The quote of the PromQL string literal the reference sits in, if any.
    quote: Option<char>,
    /// Whether that literal is the value of a regex matcher (`=~`, `!~`).
    regex: bool,
    format: Option<Format>,
}

/// Whether the string literal opened at byte `at` is a regex matcher's value.
fn opens_regex(template: &str, at: usize) -> bool {
    let before = template[..at].trim_end();
    before.ends_with("=~") || before.ends_with("!~")
}

/// Finds every variable reference, tracking PromQL string literals and comments.
fn scan(template: &str) -> Result<Vec<VarRef<'_>>, TemplateError> {
    let bytes = template.as_bytes();
    let mut refs = Vec::new();
    let mut quote: Option<char> = None;
    let mut regex = false;
    let mut i = 0;
    let is_name = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    while i < bytes.len() {
        let b = bytes[i];
        match (quote, b) {
            (Some(q), b'\\') if q != '`' => {
                i += 2;
                continue;
            }
            (Some(q), _) if b as char == q => quote = None,
            (None, b'"' | b'\'' | b'`') => {
                quote = Some(b as char);
                regex = opens_regex(template, i);
            }
            (None, b'#') => {
                // A PromQL comment runs to the end of the line.
                i = template[i..].find('\n').map_or(bytes.len(), |n| i + n);
                continue;
            }
            (_, b'$') => {
                if bytes.get(i + 1) == Some(&b'{') {
                    let name_len = bytes[i + 2..].iter().take_while(|b| is_name(**b)).count();
                    let name = &template[i + 2..i + 2 + name_len];
                    let after = i + 2 + name_len;
                    let (format, end) = match bytes.get(after) {
                        Some(b'}') if !name.is_empty() => (None, after + 1),
                        Some(b'}') => {
                            return Err(TemplateError {
                                offset: i,
                                message: "empty variable name in ${}".into(),
                            })
                        }
                        Some(b':') if !name.is_empty() => {
                            let Some(close) = template[after..].find('}').map(|n| after + n) else {
                                return Err(TemplateError {
                                    offset: i,
                                    message: "unclosed ${ in template".into(),
                                });
                            };
                            let format = match &template[after + 1..close] {
                                "raw" => Format::Raw,
                                "regex" => Format::Regex,
                                "pipe" => Format::Pipe,
                                other => {
                                    return Err(TemplateError {
                                        offset: i,
                                        message: format!(
                                            "unknown variable format ${{{name}:{other}}} (supported: raw, regex, pipe)"
                                        ),
                                    })
                                }
                            };
                            (Some(format), close + 1)
                        }
                        _ => {
                            return Err(TemplateError {
                                offset: i,
                                message: "unclosed ${ in template".into(),
                            })
                        }
                    };
                    refs.push(VarRef {
                        name,
                        start: i,
                        end,
                        quote,
                        regex: quote.is_some() && regex,
                        format,
                    });
                    i = end;
                    continue;
                }
                let len = bytes[i + 1..].iter().take_while(|b| is_name(**b)).count();
                if len > 0 {
                    refs.push(VarRef {
                        name: &template[i + 1..i + 1 + len],
                        start: i,
                        end: i + 1 + len,
                        quote,
                        regex: quote.is_some() && regex,
                        format: None,
                    });
                    i += 1 + len;
                    continue;
                }
                // A lone `$` (e.g. a regex anchor) stays as it is.
            }
            (_, b'[') if bytes.get(i + 1) == Some(&b'[') => {
                let close =
                    template[i..]
                        .find("]]")
                        .map(|n| i + n)
                        .ok_or_else(|| TemplateError {
                            offset: i,
                            message: "unclosed [[ in template".into(),
                        })?;
                let name = &template[i + 2..close];
                if name.is_empty() || !name.bytes().all(is_name) {
                    return Err(TemplateError {
                        offset: i,
                        message: format!("bad variable name in [[{name}]]"),
                    });
                }
                refs.push(VarRef {
                    name,
                    start: i,
                    end: close + 2,
                    quote,
                    regex: quote.is_some() && regex,
                    format: None,
                });
                i = close + 2;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if let Some(q) = quote {
        let offset = template.rfind(q).unwrap_or(0);
        return Err(TemplateError {
            offset,
            message: format!("unterminated string literal starting with {q}"),
        });
    }
    Ok(refs)
}

/// Checks a template's syntax without a run (for loading a pack).
pub fn check(template: &str) -> Result<(), TemplateError> {
    scan(template).map(|_| ())
}

/// The names of every variable a template refers to, built-ins (`__rate_interval`, …)
/// included: sorted, each once.
pub fn names(template: &str) -> Result<Vec<String>, TemplateError> {
    let mut names: Vec<String> = scan(template)?
        .into_iter()
        .map(|r| r.name.to_string())
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// The names of the run variables a template uses (built-ins excluded).
pub fn variables(template: &str) -> Vec<String> {
    names(template)
        .unwrap_or_default()
        .into_iter()
        .filter(|n| !n.starts_with("__"))
        .collect()
}

/// Escapes a value for a PromQL string literal opened with `quote`.
fn escape(value: &str, quote: char) -> Result<String, String> {
    if quote == '`' {
        return if value.contains('`') {
            Err("contains a backtick and is used inside a `raw` string".into())
        } else {
            Ok(value.to_string())
        };
    }
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Expands every variable of `template` for a run.
pub fn expand(template: &str, ctx: &Context) -> Result<String, TemplateError> {
    let refs = scan(template)?;
    let mut out = String::with_capacity(template.len() + 64);
    let mut last = 0;
    for r in refs {
        out.push_str(&template[last..r.start]);
        let value = if let Some(v) = ctx.builtin(r.name) {
            v
        } else if let Some(v) = ctx.vars.get(r.name) {
            let values = v.values();
            let format = r.format.or(r.regex.then_some(Format::Regex));
            let text = match format {
                Some(Format::Regex) => values
                    .iter()
                    .map(|v| regex_escape(v))
                    .collect::<Vec<_>>()
                    .join("|"),
                Some(Format::Pipe) => values.join("|"),
                Some(Format::Raw) => values.join(","),
                None if values.len() == 1 => values[0].to_string(),
                None => {
                    return Err(TemplateError {
                        offset: r.start,
                        message: format!(
                        "variable {} has {} values: use it inside a =~ matcher, or as ${{{}:pipe}}",
                        r.name,
                        values.len(),
                        r.name
                    ),
                    })
                }
            };
            match r.quote {
                Some(q) => escape(&text, q).map_err(|e| TemplateError {
                    offset: r.start,
                    message: format!("value of variable {} {e}", r.name),
                })?,
                None => text,
            }
        } else {
            let known: Vec<&str> = ctx.vars.keys().map(String::as_str).collect();
            return Err(TemplateError {
                offset: r.start,
                message: format!(
                    "unknown variable ${} (the run defines: {}; built-ins: $__rate_interval, $__interval, $__range)",
                    r.name,
                    if known.is_empty() { "none".to_string() } else { known.join(", ") }
                ),
            });
        };
        out.push_str(&value);
        last = r.end;
    }
    out.push_str(&template[last..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(vars: &Vars) -> Context<'_> {
        Context {
            vars,
            step_ms: 30_000,
            scrape_interval_ms: 30_000,
            range_ms: 4 * 3_600_000,
        }
    }

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), VarValue::from(*v)))
            .collect()
    }

    #[test]
    fn expands_all_three_syntaxes() {
        let v = vars(&[("namespace", "ns-1"), ("pod", "w")]);
        let q = expand(
            r#"up{namespace=~"$namespace", pod="${pod}", x="[[namespace]]"}"#,
            &ctx(&v),
        )
        .unwrap();
        assert_eq!(q, r#"up{namespace=~"ns-1", pod="w", x="ns-1"}"#);
    }

    #[test]
    fn regex_matchers_get_regex_escaped_values() {
        let v = vars(&[("ns", "a.b+c")]);
        assert_eq!(
            expand(r#"up{namespace=~"$ns", x = "$ns", y !~ '$ns'}"#, &ctx(&v)).unwrap(),
            r#"up{namespace=~"a\\.b\\+c", x = "a.b+c", y !~ 'a\\.b\\+c'}"#
        );
        // raw regex syntax, on purpose
        let v = vars(&[("ns", "bench-.*")]);
        assert_eq!(
            expand(r#"up{namespace=~"${ns:raw}"}"#, &ctx(&v)).unwrap(),
            r#"up{namespace=~"bench-.*"}"#
        );
        assert_eq!(
            expand(r#"up{label_x="${ns:regex}"}"#, &ctx(&v)).unwrap(),
            r#"up{label_x="bench-\\.\\*"}"#
        );
    }

    #[test]
    fn several_values_become_an_alternation() {
        let mut v = vars(&[]);
        v.insert("ns".into(), VarValue::Many(vec!["a.1".into(), "b".into()]));
        assert_eq!(
            expand(r#"up{namespace=~"$ns"}"#, &ctx(&v)).unwrap(),
            r#"up{namespace=~"a\\.1|b"}"#
        );
        assert_eq!(
            expand(r#"up{namespace=~"${ns:pipe}"}"#, &ctx(&v)).unwrap(),
            r#"up{namespace=~"a.1|b"}"#
        );
        let e = expand(r#"up{namespace="$ns"}"#, &ctx(&v)).unwrap_err();
        assert!(
            e.message.contains("2 values") && e.message.contains("${ns:pipe}"),
            "{e}"
        );
        let e = check(r#"up{a="${ns:csv}"}"#).unwrap_err();
        assert!(
            e.message.contains("unknown variable format") && e.message.contains("raw, regex, pipe"),
            "{e}"
        );
    }

    #[test]
    fn builtins_follow_grafana() {
        let v = vars(&[]);
        let c = ctx(&v);
        assert_eq!(
            expand("rate(x[$__rate_interval])", &c).unwrap(),
            "rate(x[2m])"
        );
        assert_eq!(
            expand("x[$__interval] $__range ${__range}", &c).unwrap(),
            "x[30s] 4h 4h"
        );
        // step + scrape wins when the step is long: 5m + 30s.
        let c = Context {
            step_ms: 300_000,
            ..c
        };
        assert_eq!(c.rate_interval_ms(), 330_000);
        assert_eq!(expand("$__rate_interval", &c).unwrap(), "330s");
        // 15s scrape, 15s step: 4 × 15s = 1m.
        let c = Context {
            step_ms: 15_000,
            scrape_interval_ms: 15_000,
            ..c
        };
        assert_eq!(expand("$__rate_interval", &c).unwrap(), "1m");
    }

    #[test]
    fn escapes_values_for_the_enclosing_literal() {
        let v = vars(&[("ns", r#"a"b\c'd"#)]);
        assert_eq!(
            expand(r#"x{n="$ns"}"#, &ctx(&v)).unwrap(),
            r#"x{n="a\"b\\c'd"}"#
        );
        assert_eq!(
            expand("x{n='$ns'}", &ctx(&v)).unwrap(),
            r#"x{n='a"b\\c\'d'}"#
        );
        let e = expand("x{n=`$ns`}", &ctx(&vars(&[("ns", "a`b")]))).unwrap_err();
        assert!(e.message.contains("backtick"), "{e}");
        assert_eq!(
            expand("x{n=`$ns`}", &ctx(&vars(&[("ns", r"a\b")]))).unwrap(),
            r"x{n=`a\b`}"
        );
        let v = vars(&[("ns", "line\nbreak")]);
        assert_eq!(
            expand(r#"x{n="$ns"}"#, &ctx(&v)).unwrap(),
            r#"x{n="line\nbreak"}"#
        );
    }

    #[test]
    fn escaped_quotes_do_not_end_the_literal() {
        let v = vars(&[("ns", "q\"")]);
        assert_eq!(
            expand(r#"x{a="\"", n="$ns"}"#, &ctx(&v)).unwrap(),
            r#"x{a="\"", n="q\""}"#
        );
    }

    #[test]
    fn unknown_variables_are_named_with_position() {
        let v = vars(&[("namespace", "n")]);
        let e = expand(r#"up{namespace="$namespce"}"#, &ctx(&v)).unwrap_err();
        assert!(
            e.message.contains("$namespce") && e.message.contains("namespace"),
            "{e}"
        );
        assert_eq!(e.offset, 14);
        assert!(expand("$__nope", &ctx(&v))
            .unwrap_err()
            .message
            .contains("$__nope"));
    }

    #[test]
    fn lone_dollars_and_comments_stay() {
        let v = vars(&[]);
        assert_eq!(
            expand(r#"x{a=~"foo$"} # $notavar"#, &ctx(&v)).unwrap(),
            r#"x{a=~"foo$"} # $notavar"#
        );
        assert_eq!(expand("x[5m:1m]", &ctx(&v)).unwrap(), "x[5m:1m]");
    }

    #[test]
    fn syntax_errors_point_at_the_problem() {
        assert_eq!(
            check("x{a=\"${ns\"}").unwrap_err().message,
            "unclosed ${ in template"
        );
        assert!(check("x{a=\"[[ns\"}")
            .unwrap_err()
            .message
            .contains("unclosed [["));
        assert!(check("x{a=\"ns}")
            .unwrap_err()
            .message
            .contains("unterminated"));
        assert!(check("x{a=\"${}\"}")
            .unwrap_err()
            .message
            .contains("empty variable name"));
        assert!(check("x{a=\"[[a b]]\"}")
            .unwrap_err()
            .message
            .contains("bad variable name"));
    }

    #[test]
    fn lists_run_variables() {
        assert_eq!(
            variables("x{a=\"$b\", c=\"${a}\"}[$__rate_interval] [[b]]"),
            vec!["a", "b"]
        );
    }
}
