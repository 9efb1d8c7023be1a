//! `benchcmp.toml` → checked settings: the source, defaults, runs and gate overrides (SPEC §4).
//!
//! Owns parsing and validation only; nothing here talks to a server. Unknown keys and bad
//! values are errors that name the file, the key and the line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::duration;
use crate::error::{line_col, Error, Result};

/// Environment variable that overrides `[source] url` (as does `--prometheus`).
pub const URL_ENV: &str = "BENCHCMP_PROMETHEUS_URL";

/// Checked configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it came from, if any (for messages).
    pub path: Option<PathBuf>,
    pub source: Option<SourceConfig>,
    pub defaults: Defaults,
    pub runs: BTreeMap<String, RunConfig>,
    /// Gate overrides per metric id, as written (parsed by the gate module).
    pub gates: BTreeMap<String, String>,
    /// Known run-to-run variation per metric id (`[run_to_run] throughput = "3%"`), as a
    /// fraction; overrides the pack's.
    pub run_to_run: BTreeMap<String, f64>,
}

/// How to reach a Prometheus-compatible server.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceConfig {
    pub url: String,
    pub timeout_ms: i64,
    pub retries: u32,
    pub concurrency: usize,
    pub auth: Auth,
    pub headers: BTreeMap<String, String>,
    pub ca_file: Option<PathBuf>,
    /// Responses larger than this are refused while they stream in.
    pub max_response_bytes: u64,
}

/// Default cap on one response: far above what aggregated series need (a 7-day run at a
/// 15 s step is ~40,000 points, a few MiB), far below what hurts a CI runner.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

impl SourceConfig {
    /// A source with default settings for `url`.
    pub fn with_url(url: &str) -> Self {
        SourceConfig {
            url: url.trim_end_matches('/').to_string(),
            timeout_ms: 30_000,
            retries: 3,
            concurrency: 8,
            auth: Auth::None,
            headers: BTreeMap::new(),
            ca_file: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// Moves credentials written into the URL (`https://user:password@host`) into basic
    /// auth, so the URL can be shown; both in the URL and in `[source]` is an error.
    pub fn take_url_credentials(&mut self) -> std::result::Result<(), String> {
        let Ok(mut url) = reqwest::Url::parse(&self.url) else {
            return Ok(());
        };
        if url.username().is_empty() && url.password().is_none() {
            return Ok(());
        }
        let decode = |s: &str| {
            percent_decode(s).ok_or_else(|| {
                "the credentials in the source URL are not valid percent-encoding".to_string()
            })
        };
        let username = decode(url.username())?;
        let password = decode(url.password().unwrap_or(""))?;
        if self.auth != Auth::None {
            return Err(
                "the source URL carries credentials and [source] sets auth as well; choose one"
                    .into(),
            );
        }
        self.auth = Auth::Basic { username, password };
        let _ = url.set_username("");
        let _ = url.set_password(None);
        self.url = url.as_str().trim_end_matches('/').to_string();
        Ok(())
    }

    /// Registers every secret of this source for redaction.
    pub fn register_secrets(&self) {
        match &self.auth {
            Auth::None => {}
            Auth::Bearer(token) => crate::redact::register(token),
            Auth::Basic { username, password } => crate::redact::register_basic(username, password),
        }
        for value in self.headers.values() {
            crate::redact::register(value);
        }
    }
}

/// Decodes `%XX` escapes; `None` when they are not valid UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Credentials, with secrets already read from the environment.
#[derive(Clone, PartialEq)]
pub enum Auth {
    None,
    Bearer(String),
    Basic { username: String, password: String },
}

impl std::fmt::Debug for Auth {
    // Never print secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::None => write!(f, "None"),
            Auth::Bearer(_) => write!(f, "Bearer(***)"),
            Auth::Basic { username, .. } => write!(f, "Basic({username}, ***)"),
        }
    }
}

/// Query resolution and the steady-state trimming applied to every run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Defaults {
    pub step_ms: i64,
    pub scrape_interval_ms: i64,
    pub warmup_ms: i64,
    pub cooldown_ms: i64,
}

impl Default for Defaults {
    fn default() -> Self {
        Defaults {
            step_ms: 30_000,
            scrape_interval_ms: 30_000,
            warmup_ms: 600_000,
            cooldown_ms: 0,
        }
    }
}

/// A run defined in the configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct RunConfig {
    pub vars: crate::template::Vars,
    /// The window; `0..0` for a run with no window set (only `watch --since` can use it,
    /// with its vars).
    pub start_ms: i64,
    pub end_ms: i64,
    /// Whether `start` (and `end` or `duration`) were set.
    pub window_set: bool,
    /// `end = "now"`: the run is still going; `end_ms` is when the config was read.
    pub ends_now: bool,
}

// ---- raw TOML shape -------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    source: Option<RawSource>,
    defaults: Option<RawDefaults>,
    #[serde(default)]
    runs: BTreeMap<String, Spanned<RawRun>>,
    #[serde(default)]
    gates: BTreeMap<String, String>,
    #[serde(default)]
    run_to_run: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    url: Option<Spanned<String>>,
    timeout: Option<Spanned<String>>,
    retries: Option<Spanned<i64>>,
    concurrency: Option<Spanned<i64>>,
    bearer_token_env: Option<Spanned<String>>,
    username: Option<String>,
    password_env: Option<Spanned<String>>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    ca_file: Option<Spanned<String>>,
    max_response_bytes: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    step: Option<Spanned<String>>,
    scrape_interval: Option<Spanned<String>>,
    warmup: Option<Spanned<String>>,
    cooldown: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRun {
    #[serde(default)]
    vars: crate::template::Vars,
    start: Option<Spanned<String>>,
    end: Option<Spanned<String>>,
    duration: Option<Spanned<String>>,
}

/// Reads and checks a configuration file.
pub fn load(path: &Path) -> Result<Config> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::input(format!("cannot read config {}: {e}", path.display())))?;
    let mut config = parse(&text, &path.display().to_string(), &|name| {
        std::env::var(name).ok()
    })?;
    config.path = Some(path.to_path_buf());
    // A relative CA file is relative to the config file.
    if let Some(source) = config.source.as_mut() {
        if let Some(ca) = source.ca_file.as_mut() {
            if ca.is_relative() {
                if let Some(dir) = path.parent() {
                    *ca = dir.join(&*ca);
                }
            }
        }
    }
    Ok(config)
}

/// Where a configuration value is: the file's name and text, to name `file:line:col` in
/// messages.
struct Locator<'t> {
    origin: &'t str,
    text: &'t str,
}

impl Locator<'_> {
    fn at(&self, span: std::ops::Range<usize>) -> String {
        let (line, col) = line_col(self.text, span.start);
        format!("{}:{line}:{col}", self.origin)
    }

    fn duration(&self, value: &Spanned<String>, key: &str) -> Result<i64> {
        duration::parse(value.get_ref())
            .map_err(|e| Error::input(format!("{}: {key}: {e}", self.at(value.span()))))
    }
}

/// Parses configuration text; `origin` names the file in messages, `env` reads secrets.
pub fn parse(text: &str, origin: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Config> {
    let raw: RawConfig = toml::from_str(text)
        .map_err(|e| Error::input(format!("{origin}: {}", e.to_string().trim_end())))?;
    let loc = Locator { origin, text };
    let defaults = match &raw.defaults {
        Some(d) => parse_defaults(d, &loc)?,
        None => Defaults::default(),
    };
    let source = match raw.source {
        Some(s) => Some(parse_source(s, &loc, env)?),
        None => None,
    };
    let mut runs = BTreeMap::new();
    for (name, spanned) in raw.runs {
        let run = parse_run(&name, spanned, &defaults, &loc)?;
        runs.insert(name, run);
    }
    let mut run_to_run = BTreeMap::new();
    for (id, text) in &raw.run_to_run {
        let share = crate::units::parse_percentage(text)
            .map_err(|e| Error::input(format!("{origin}: [run_to_run] {id} = {e}")))?;
        run_to_run.insert(id.clone(), share);
    }
    Ok(Config {
        path: None,
        source,
        defaults,
        runs,
        gates: raw.gates,
        run_to_run,
    })
}

/// `[defaults]`: step, scrape interval, warm-up and cool-down.
fn parse_defaults(d: &RawDefaults, loc: &Locator) -> Result<Defaults> {
    let mut defaults = Defaults::default();
    if let Some(v) = &d.step {
        defaults.step_ms = loc.duration(v, "defaults.step")?;
        if defaults.step_ms <= 0 {
            return Err(Error::input(format!(
                "{}: defaults.step must be positive",
                loc.at(v.span())
            )));
        }
    }
    if let Some(v) = &d.scrape_interval {
        defaults.scrape_interval_ms = loc.duration(v, "defaults.scrape_interval")?;
        if defaults.scrape_interval_ms <= 0 {
            return Err(Error::input(format!(
                "{}: defaults.scrape_interval must be positive",
                loc.at(v.span())
            )));
        }
    }
    if let Some(v) = &d.warmup {
        defaults.warmup_ms = loc.duration(v, "defaults.warmup")?;
    }
    if let Some(v) = &d.cooldown {
        defaults.cooldown_ms = loc.duration(v, "defaults.cooldown")?;
    }
    Ok(defaults)
}

/// `[source]`: where Prometheus is and how to talk to it (secrets read through `env`).
fn parse_source(
    s: RawSource,
    loc: &Locator,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<SourceConfig> {
    let url = match &s.url {
        Some(u) => {
            check_url(u.get_ref())
                .map_err(|e| Error::input(format!("{}: source.url: {e}", loc.at(u.span()))))?;
            u.get_ref().clone()
        }
        None => String::new(), // may come from --prometheus / the environment
    };
    let mut source = SourceConfig::with_url(&url);
    if let Some(v) = &s.timeout {
        source.timeout_ms = loc.duration(v, "source.timeout")?;
        if source.timeout_ms <= 0 {
            return Err(Error::input(format!(
                "{}: source.timeout must be positive",
                loc.at(v.span())
            )));
        }
    }
    if let Some(v) = &s.max_response_bytes {
        let bytes = crate::units::parse_quantity(v.get_ref(), "B").map_err(|e| {
            Error::input(format!(
                "{}: source.max_response_bytes: {e}",
                loc.at(v.span())
            ))
        })?;
        if !(1024.0..=64.0 * 1024.0 * 1024.0 * 1024.0).contains(&bytes) {
            return Err(Error::input(format!(
                "{}: source.max_response_bytes must be between 1KiB and 64GiB",
                loc.at(v.span())
            )));
        }
        source.max_response_bytes = bytes as u64;
    }
    if let Some(v) = &s.retries {
        source.retries = u32::try_from(*v.get_ref())
            .ok()
            .filter(|r| *r <= 10)
            .ok_or_else(|| {
                Error::input(format!(
                    "{}: source.retries must be between 0 and 10",
                    loc.at(v.span())
                ))
            })?;
    }
    if let Some(v) = &s.concurrency {
        source.concurrency = usize::try_from(*v.get_ref())
            .ok()
            .filter(|c| (1..=64).contains(c))
            .ok_or_else(|| {
                Error::input(format!(
                    "{}: source.concurrency must be between 1 and 64",
                    loc.at(v.span())
                ))
            })?;
    }
    source.auth = match (&s.bearer_token_env, &s.username, &s.password_env) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            return Err(Error::input(format!(
                "{}: [source] sets both bearer_token_env and basic auth (username/password_env); choose one",
                loc.origin
            )))
        }
        (Some(var), None, None) => {
            let token = env(var.get_ref()).filter(|t| !t.is_empty()).ok_or_else(|| {
                Error::input(format!(
                    "{}: source.bearer_token_env: environment variable {} is not set",
                    loc.at(var.span()),
                    var.get_ref()
                ))
            })?;
            Auth::Bearer(token.trim().to_string())
        }
        (None, Some(user), password_env) => {
            let password = match password_env {
                Some(var) => env(var.get_ref()).ok_or_else(|| {
                    Error::input(format!(
                        "{}: source.password_env: environment variable {} is not set",
                        loc.at(var.span()),
                        var.get_ref()
                    ))
                })?,
                None => String::new(),
            };
            Auth::Basic { username: user.clone(), password }
        }
        (None, None, Some(var)) => {
            return Err(Error::input(format!(
                "{}: source.password_env is set but source.username is not",
                loc.at(var.span())
            )))
        }
        (None, None, None) => Auth::None,
    };
    source.headers = s.headers;
    source.ca_file = s.ca_file.map(|f| PathBuf::from(f.into_inner()));
    Ok(source)
}

/// One `[runs.<name>]`: its window (checked against the warm-up and cool-down) and vars.
fn parse_run(
    name: &str,
    spanned: Spanned<RawRun>,
    defaults: &Defaults,
    loc: &Locator,
) -> Result<RunConfig> {
    let run_at = loc.at(spanned.span());
    check_run_name(name).map_err(|e| Error::input(format!("{run_at}: runs.{name}: {e}")))?;
    let run = spanned.into_inner();
    let Some(start) = &run.start else {
        if let Some(set) = run.end.as_ref().or(run.duration.as_ref()) {
            return Err(Error::input(format!(
                "{}: runs.{name}: missing start (an RFC 3339 time like 2025-06-27T08:00:00Z) for its {}",
                loc.at(set.span()),
                if run.end.is_some() { "end" } else { "duration" }
            )));
        }
        // No window: the vars of a run that `watch --since` follows.
        crate::template::check_vars(&run.vars)
            .map_err(|e| Error::input(format!("{run_at}: runs.{name}.vars: {e}")))?;
        return Ok(RunConfig {
            vars: run.vars,
            start_ms: 0,
            end_ms: 0,
            window_set: false,
            ends_now: false,
        });
    };
    let start_ms = parse_time(start.get_ref(), None)
        .map_err(|e| Error::input(format!("{}: runs.{name}.start: {e}", loc.at(start.span()))))?;
    let ends_now = run.end.as_ref().is_some_and(|e| e.get_ref() == "now");
    let end_ms = match (&run.end, &run.duration) {
        (Some(_), Some(d)) => {
            return Err(Error::input(format!(
                "{}: runs.{name}: set either end or duration, not both",
                loc.at(d.span())
            )))
        }
        (Some(end), None) => parse_time(end.get_ref(), Some(chrono::Utc::now().timestamp_millis()))
            .map_err(|e| Error::input(format!("{}: runs.{name}.end: {e}", loc.at(end.span()))))?,
        (None, Some(d)) => start_ms + loc.duration(d, &format!("runs.{name}.duration"))?,
        (None, None) => {
            return Err(Error::input(format!(
                "{run_at}: runs.{name}: missing end or duration (e.g. duration = \"4h\" or end = \"now\")"
            )))
        }
    };
    if end_ms <= start_ms {
        return Err(Error::input(format!(
            "{run_at}: runs.{name}: the window is empty (end is not after start)"
        )));
    }
    let trimmed = defaults.warmup_ms + defaults.cooldown_ms;
    if trimmed >= end_ms - start_ms {
        return Err(Error::input(format!(
            "{run_at}: runs.{name}: the warm-up ({}) and cool-down ({}) leave nothing of the {} window to compare",
            duration::human(defaults.warmup_ms),
            duration::human(defaults.cooldown_ms),
            duration::human(end_ms - start_ms)
        )));
    }
    crate::template::check_vars(&run.vars)
        .map_err(|e| Error::input(format!("{run_at}: runs.{name}.vars: {e}")))?;
    Ok(RunConfig {
        vars: run.vars,
        start_ms,
        end_ms,
        window_set: true,
        ends_now,
    })
}

/// Run names become file names (`baselines/<run>.json`), so they are kept simple.
pub fn check_run_name(name: &str) -> std::result::Result<(), String> {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with('.')
    {
        Ok(())
    } else {
        Err(format!(
            "run name \"{name}\" may only contain letters, digits, '-', '_' and '.' (and not start with '.')"
        ))
    }
}

/// Checks that a source URL is an http(s) URL.
pub fn check_url(url: &str) -> std::result::Result<(), String> {
    // `localhost:9090` parses with the scheme `localhost`; `127.0.0.1:9090` not at all.
    let hint = || format!(" (did you mean http://{url}?)");
    let with_scheme = || reqwest::Url::parse(&format!("http://{url}")).is_ok();
    let parsed = match reqwest::Url::parse(url) {
        Ok(parsed) => parsed,
        Err(_) if with_scheme() => {
            return Err(format!(
                "\"{url}\" is not a URL: it has no scheme{}",
                hint()
            ))
        }
        Err(e) => return Err(format!("\"{url}\" is not a URL: {e}")),
    };
    match parsed.scheme() {
        "http" | "https" => Ok(()),
        other => Err(format!(
            "\"{url}\": scheme must be http or https, not {other}{}",
            if parsed.cannot_be_a_base() || parsed.host().is_none() {
                hint()
            } else {
                String::new()
            }
        )),
    }
}

/// Parses an RFC 3339 time to Unix milliseconds; `"now"` is accepted where `now` is given.
pub fn parse_time(text: &str, now: Option<i64>) -> std::result::Result<i64, String> {
    if text == "now" {
        return now.ok_or_else(|| "\"now\" is only allowed for end".to_string());
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp_millis())
        .map_err(|e| format!("\"{text}\" is not an RFC 3339 time like 2025-06-27T08:00:00Z ({e})"))
}

/// Formats Unix milliseconds as RFC 3339 UTC (`2025-06-27T08:00:00Z`).
pub fn format_time(ms: i64) -> String {
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(t) => t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        None => format!("{ms}ms"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn parse_ok(text: &str) -> Config {
        parse(text, "benchcmp.toml", &no_env).unwrap()
    }

    fn parse_err(text: &str) -> String {
        parse(text, "benchcmp.toml", &no_env)
            .unwrap_err()
            .to_string()
    }

    const EXAMPLE: &str = r#"
[source]
url = "http://localhost:9090"
timeout = "10s"
retries = 2
concurrency = 4
headers = { "X-Scope-OrgID" = "perf" }

[defaults]
step = "15s"
scrape_interval = "30s"
warmup = "10m"
cooldown = "5m"

[runs.weekly]
vars = { namespace = "medic-y-2025-cw-26-benchmark" }
start = "2025-06-27T08:00:00Z"
end = "2025-06-27T12:00:00Z"

[runs.rest-run]
vars = { namespace = "ck-bojan-rest-benchmark" }
start = "2025-06-30T10:00:00+02:00"
duration = "4h"

[gates]
throughput = "regression <= 10%"
"#;

    #[test]
    fn parses_the_documented_example() {
        let c = parse_ok(EXAMPLE);
        let s = c.source.unwrap();
        assert_eq!(s.url, "http://localhost:9090");
        assert_eq!(s.timeout_ms, 10_000);
        assert_eq!(s.retries, 2);
        assert_eq!(s.concurrency, 4);
        assert_eq!(s.headers["X-Scope-OrgID"], "perf");
        assert_eq!(
            c.defaults,
            Defaults {
                step_ms: 15_000,
                scrape_interval_ms: 30_000,
                warmup_ms: 600_000,
                cooldown_ms: 300_000
            }
        );
        let weekly = &c.runs["weekly"];
        assert_eq!(weekly.start_ms, 1_751_011_200_000);
        assert_eq!(weekly.end_ms - weekly.start_ms, 4 * 3_600_000);
        assert_eq!(
            weekly.vars["namespace"],
            "medic-y-2025-cw-26-benchmark".into()
        );
        let rest = &c.runs["rest-run"];
        assert_eq!(rest.start_ms, 1_751_270_400_000); // 08:00Z
        assert_eq!(rest.end_ms - rest.start_ms, 4 * 3_600_000);
        assert_eq!(c.gates["throughput"], "regression <= 10%");
    }

    #[test]
    fn defaults_apply_without_sections() {
        let c = parse_ok("");
        assert!(c.source.is_none());
        assert_eq!(c.defaults, Defaults::default());
        assert!(c.runs.is_empty());
    }

    #[test]
    fn end_now_is_allowed() {
        let c = parse_ok("[runs.live]\nstart = \"2025-06-27T08:00:00Z\"\nend = \"now\"\n");
        assert!(c.runs["live"].end_ms > 1_751_011_200_000);
        assert!(c.runs["live"].ends_now);
        // vars alone: a run that only `watch --since` follows
        let c = parse_ok("[runs.live]\nvars = { namespace = \"x\" }\n");
        assert!(!c.runs["live"].window_set);
        let e = parse_err("[runs.a]\nduration = \"1h\"\n");
        assert!(e.contains("missing start"), "{e}");
    }

    #[test]
    fn unknown_keys_name_the_key_and_line() {
        let e = parse_err("[source]\nurl = \"http://x:9090\"\ntimout = \"5s\"\n");
        assert!(e.contains("timout"), "{e}");
        assert!(e.contains("line 3"), "{e}");
        let e = parse_err("[defaults]\nstep = \"30s\"\n\n[runs.a]\nstart = \"2025-06-27T08:00:00Z\"\nduration = \"1h\"\nnamespace = \"x\"\n");
        assert!(e.contains("namespace") && e.contains("line 7"), "{e}");
        let e = parse_err("[sources]\nurl = \"x\"\n");
        assert!(e.contains("sources"), "{e}");
    }

    #[test]
    fn bad_values_name_the_key_and_line() {
        let e = parse_err("[defaults]\nstep = \"30\"\n");
        assert!(
            e.contains("benchcmp.toml:2:")
                && e.contains("defaults.step")
                && e.contains("missing unit"),
            "{e}"
        );
        let e = parse_err("[defaults]\nwarmup = \"10 minutes\"\n");
        assert!(e.contains("defaults.warmup"), "{e}");
        let e = parse_err("[runs.a]\nstart = \"yesterday\"\nduration = \"1h\"\n");
        assert!(
            e.contains("benchcmp.toml:2:") && e.contains("runs.a.start") && e.contains("RFC 3339"),
            "{e}"
        );
        let e = parse_err("[runs.a]\nstart = \"2025-06-27T08:00:00Z\"\n");
        assert!(e.contains("missing end or duration"), "{e}");
        let e = parse_err(
            "[runs.a]\nstart = \"2025-06-27T08:00:00Z\"\nend = \"2025-06-27T07:00:00Z\"\n",
        );
        assert!(e.contains("window is empty"), "{e}");
        let e = parse_err("[runs.a]\nstart = \"now\"\nduration = \"1h\"\n");
        assert!(e.contains("only allowed for end"), "{e}");
        let e = parse_err("[source]\nurl = \"localhost:9090\"\n");
        assert!(e.contains("source.url"), "{e}");
        let e = parse_err("[source]\nurl = \"http://x\"\nretries = -1\n");
        assert!(
            e.contains("benchcmp.toml:3:") && e.contains("retries"),
            "{e}"
        );
        let e = parse_err("[source]\nurl = \"http://x\"\nconcurrency = 0\n");
        assert!(e.contains("concurrency"), "{e}");
        let e = parse_err("[defaults]\nstep = 30\n");
        assert!(e.contains("line 2") && e.contains("string"), "{e}");
        let e = parse_err("[runs.\"a/b\"]\nstart = \"2025-06-27T08:00:00Z\"\nduration = \"1h\"\n");
        assert!(e.contains("may only contain"), "{e}");
        let e = parse_err("[source\nurl = 1");
        assert!(e.contains("benchcmp.toml") && e.contains("line 1"), "{e}");
    }

    #[test]
    fn secrets_come_from_the_environment() {
        let env = |name: &str| match name {
            "PROM_TOKEN" => Some("s3cret\n".to_string()),
            "PROM_PASSWORD" => Some("pw".to_string()),
            _ => None,
        };
        let c = parse(
            "[source]\nurl = \"https://p\"\nbearer_token_env = \"PROM_TOKEN\"\n",
            "c",
            &env,
        )
        .unwrap();
        assert_eq!(
            c.source.as_ref().unwrap().auth,
            Auth::Bearer("s3cret".into())
        );
        assert!(!format!("{:?}", c.source.unwrap().auth).contains("s3cret"));
        let c = parse(
            "[source]\nurl = \"https://p\"\nusername = \"u\"\npassword_env = \"PROM_PASSWORD\"\n",
            "c",
            &env,
        )
        .unwrap();
        assert_eq!(
            c.source.unwrap().auth,
            Auth::Basic {
                username: "u".into(),
                password: "pw".into()
            }
        );
        let e = parse(
            "[source]\nurl = \"https://p\"\nbearer_token_env = \"NOPE\"\n",
            "c",
            &env,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("NOPE is not set") && e.contains("c:3:"), "{e}");
        let e = parse(
            "[source]\nurl = \"https://p\"\npassword_env = \"PROM_PASSWORD\"\n",
            "c",
            &env,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("username"), "{e}");
    }

    #[test]
    fn times_round_trip() {
        let t = parse_time("2025-06-27T08:00:00Z", None).unwrap();
        assert_eq!(format_time(t), "2025-06-27T08:00:00Z");
        assert_eq!(format_time(t + 500), "2025-06-27T08:00:00.500Z");
    }
}
