//! No input panics a parser: the gate grammar, durations, quantities, templates, times,
//! configs and snapshots get random text — grammar fragments glued together, and valid
//! inputs cut, flipped and spliced — and must answer with a value or an error.
//!
//! A fixed seed keeps CI reproducible; `PROPTEST_CASES=20000` runs more.

use std::path::Path;

use benchcmp::template::{Context, VarValue, Vars};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(512),
        rng_seed: proptest::test_runner::RngSeed::Fixed(20251128),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Text glued from `tokens` and arbitrary characters.
fn glued(tokens: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(tokens).prop_map(String::from),
            1 => "\\PC{0,3}",
            1 => prop::num::f64::ANY.prop_map(|v| v.to_string()),
            1 => any::<i64>().prop_map(|v| v.to_string()),
        ],
        0..12,
    )
    .prop_map(|parts| parts.join(""))
}

const GATE_TOKENS: &[&str] = &[
    "regression",
    "shift",
    "trend",
    "mean",
    "median",
    "min",
    "max",
    "p50",
    "p90",
    "p95",
    "p99",
    "last",
    "total",
    "<=",
    ">=",
    "<",
    ">",
    "=",
    "==",
    " ",
    " and ",
    "%",
    "%/h",
    "/h",
    "/m",
    "ms",
    "s",
    "m",
    "h",
    "MiB",
    "GiB",
    "B",
    "PI/s",
    "1e308",
    "-0",
    "NaN",
    "inf",
    ".",
    "5",
    "0.5",
    "100",
    "regression <= 10%",
    "and",
    "(",
    ")",
    ":",
    "µs",
];

const TEMPLATE_TOKENS: &[&str] = &[
    "$",
    "${",
    "}",
    "$namespace",
    "${namespace",
    ":raw",
    ":regex",
    ":pipe",
    ":json",
    "[[",
    "]]",
    "namespace",
    "$__rate_interval",
    "$__interval",
    "$__range",
    "=~",
    "!~",
    "=",
    "!=",
    "\"",
    "'",
    "`",
    "\\",
    "{",
    "sum(rate(x{",
    "[",
    "]",
    ")",
    "|",
    ".*",
    " ",
    "ns",
];

const DURATION_TOKENS: &[&str] = &[
    "ms",
    "s",
    "m",
    "h",
    "d",
    "w",
    "y",
    "1",
    "30",
    "9223372036854775807",
    "-",
    ".",
    "5.5",
    " ",
    "1h30m",
    "0",
    "e9",
    "µs",
];

const CONFIG_TOKENS: &[&str] = &[
    "[source]\n",
    "[defaults]\n",
    "[runs.r]\n",
    "[gates]\n",
    "url = \"http://x\"\n",
    "timeout = \"5s\"\n",
    "retries = 3\n",
    "concurrency = 0\n",
    "step = \"30s\"\n",
    "warmup = \"10m\"\n",
    "cooldown = \"5h\"\n",
    "start = \"2025-06-27T08:00:00Z\"\n",
    "end = \"now\"\n",
    "duration = \"4h\"\n",
    "vars = { namespace = \"a.b\" }\n",
    "vars = { namespace = [] }\n",
    "max_response_bytes = \"1KiB\"\n",
    "username = \"u\"\npassword_env = \"P\"\n",
    "bearer_token_env = \"T\"\n",
    "headers = { X = \"y\" }\n",
    "throughput = \"regression <= 5%\"\n",
    "=",
    "\"",
    "\n",
];

fn vars() -> Vars {
    let mut v = Vars::new();
    v.insert("namespace".into(), VarValue::One("a.b|c".into()));
    v.insert(
        "nodes".into(),
        VarValue::Many(vec!["x".into(), "y\"z".into()]),
    );
    v
}

/// A small valid snapshot that reaches every part of the format: run, variables (one and
/// several values), warnings, two metrics, labels, NaN and +Inf samples.
fn sample_snapshot() -> Vec<u8> {
    br#"{"format":"benchcmp.snapshot.v1","run":{"name":"s","vars":{"namespace":"a.b","nodes":["x","y"]},"start":"2025-06-27T08:00:00Z","end":"2025-06-27T12:00:00Z","step":"30s"},"source":"http://prom:9090","recorded_at":"2025-06-28T00:00:00Z","metrics":{"throughput":{"query":"sum(x)","warnings":["partial"],"data":{"resultType":"matrix","result":[{"metric":{"pod":"w-0"},"values":[[1751011200,"150"],[1751011230,"NaN"],[1751011260,"+Inf"],[1751011290.5,"1e3"]]}]}},"restarts":{"query":"y","data":{"resultType":"matrix","result":[]}}}}"#.to_vec()
}

/// A valid input changed by cutting, flipping bytes and splicing text in.
fn mutated(base: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = base.len();
    (
        0..=len,
        prop::collection::vec((0..len, any::<u8>()), 0..6),
        prop::collection::vec(any::<u8>(), 0..8),
        0..=len,
    )
        .prop_map(move |(cut, flips, insert, at)| {
            let mut v = base.clone();
            for (i, b) in flips {
                v[i] = b;
            }
            let at = at.min(v.len());
            v.splice(at..at, insert);
            v.truncate(cut.max(1));
            v
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn gates_never_panic(text in glued(GATE_TOKENS), unit in prop::sample::select(&["s", "PI/s", "B", "%", "", "restarts"][..])) {
        let _ = benchcmp::gate::parse(&text, unit);
    }

    #[test]
    fn durations_and_quantities_never_panic(text in glued(DURATION_TOKENS)) {
        let _ = benchcmp::duration::parse(&text);
        let _ = benchcmp::units::parse_quantity(&text, "B");
        let _ = benchcmp::units::parse_quantity(&text, "s");
        let _ = benchcmp::config::parse_time(&text, Some(0));
    }

    #[test]
    fn templates_never_panic(text in glued(TEMPLATE_TOKENS), step in 1i64..1_000_000_000, range in 1i64..1_000_000_000_000) {
        let vars = vars();
        let ctx = Context { vars: &vars, step_ms: step, scrape_interval_ms: 30_000, range_ms: range };
        let _ = benchcmp::template::check(&text);
        let _ = benchcmp::template::variables(&text);
        let _ = benchcmp::template::expand(&text, &ctx);
    }

    #[test]
    fn configs_never_panic(text in glued(CONFIG_TOKENS)) {
        let _ = benchcmp::config::parse(&text, "c.toml", &|_| Some("secret".into()));
    }

    #[test]
    fn snapshots_never_panic(bytes in mutated(sample_snapshot())) {
        let _ = benchcmp::source::snapshot::parse(&bytes, Path::new("s.json"));
    }
}

#[test]
fn the_snapshot_sample_is_valid() {
    // Mutations start from a document that parses, so they reach deep into the format.
    let snap = benchcmp::source::snapshot::parse(&sample_snapshot(), Path::new("s.json")).unwrap();
    assert_eq!(snap.metrics.len(), 2);
}
