//! The pipeline through the `Endpoint` seam with a test double: faults a real Prometheus
//! cannot produce on demand — answers in the reverse of the order asked, a query whose
//! answer never comes, a partial response on one query — and what the comparison makes of
//! them. Everything else that talks to a source is tested against a real Prometheus.

use std::collections::BTreeMap;
use std::sync::Arc;

use benchcmp::config::{self, Config};
use benchcmp::pack::{self, Metric, Pack};
use benchcmp::pipeline::fetch::{self, Fetched};
use benchcmp::pipeline::{Judge, Lineup, Windowed};
use benchcmp::run::{self, Run};
use benchcmp::series::{LabeledSeries, Points};
use benchcmp::source::endpoint::{Answers, Pending, Tick};
use benchcmp::source::prometheus::{QueryFailure, QueryOutput, RangeQuery};
use benchcmp::source::{Endpoint, Reading};

/// Answers every query with a flat series whose level depends on the namespace in the
/// query (`fast` runs at 150, `slow` at 100), in the reverse of the order asked. Queries
/// containing `silent` never get an answer; those containing `partial` come with a
/// partial-response warning.
struct Double {
    silent: Option<&'static str>,
    partial: Option<&'static str>,
}

impl Endpoint for Double {
    fn base_url(&self) -> &str {
        "double://"
    }

    fn retries_made(&self) -> usize {
        0
    }

    fn query_range_each(&self, queries: Vec<RangeQuery>, on_done: Tick) -> Answers {
        let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
        for (index, q) in queries.iter().enumerate().rev() {
            on_done();
            if self.silent.is_some_and(|s| q.query.contains(s)) {
                continue;
            }
            let level = if q.query.contains("slow") {
                100.0
            } else {
                150.0
            };
            let mut points = Points::new();
            for i in 0..=(q.end_ms - q.start_ms) / q.step_ms {
                points.push((q.start_ms + i * q.step_ms, level + (i % 7) as f64));
            }
            let warnings = match self.partial {
                Some(p) if q.query.contains(p) => vec!["partial response: store 2 down".into()],
                _ => Vec::new(),
            };
            let output = QueryOutput {
                matrix: vec![LabeledSeries {
                    labels: BTreeMap::new(),
                    points,
                }],
                warnings,
            };
            let _ = sender.send((index, Ok(output)));
        }
        receiver
    }

    fn version(&self) -> Pending<'_, Result<String, QueryFailure>> {
        Box::pin(async { Ok("double".to_string()) })
    }
}

const CONFIG: &str = r#"
[defaults]
step = "30s"
scrape_interval = "30s"
warmup = "5m"

[runs.base]
start = "2025-06-27T08:00:00Z"
end = "2025-06-27T09:00:00Z"
vars = { namespace = "fast" }

[runs.cand]
start = "2025-06-28T08:00:00Z"
end = "2025-06-28T09:00:00Z"
vars = { namespace = "slow" }
"#;

fn setup() -> (Config, Pack) {
    let config = config::parse(CONFIG, "test config", &|_| None).unwrap();
    let pack = pack::parse_files(&[(
        "pack.toml".into(),
        r#"
[[metric]]
id = "throughput"
title = "Throughput"
unit = "ops/s"
better = "higher"
query = 'sum(rate(ops_total{namespace="$namespace"}[1m]))'
gate = "regression <= 10%"

[[metric]]
id = "latency"
title = "Latency"
unit = "ms"
better = "lower"
query = 'max(latency_ms{namespace="$namespace"})'
gate = "regression <= 50%"
"#
        .to_string(),
    )])
    .unwrap();
    (config, pack)
}

fn compare(double: Double) -> (Fetched, Vec<Run>) {
    let (config, pack) = setup();
    let nowhere = std::env::temp_dir().join("benchcmp-endpoint-no-baselines");
    let runs: Vec<Run> = ["base", "cand"]
        .iter()
        .map(|n| run::resolve(n, &config, &nowhere).unwrap())
        .collect();
    let gates = benchcmp::gate::resolve(&pack, &config, &[]).unwrap();
    let judge = Judge::new(&gates, &config, 0.95);
    let metrics: Vec<&Metric> = pack.metrics.iter().collect();
    let windowed = Lineup {
        baselines: vec![Windowed {
            run: &runs[0],
            window: runs[0].steady_window(&config.defaults).unwrap(),
        }],
        candidate: Windowed {
            run: &runs[1],
            window: runs[1].steady_window(&config.defaults).unwrap(),
        },
    };
    let endpoint: Arc<dyn Endpoint> = Arc::new(double);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let reading = Reading::quiet(Some(&endpoint), false);
    let fetched = fetch::compare_as_they_arrive(&rt, &windowed, &metrics, &judge, reading);
    (fetched, runs)
}

#[test]
fn answers_in_reverse_order_give_every_metric_in_pack_order() {
    let (fetched, _) = compare(Double {
        silent: None,
        partial: None,
    });
    assert!(fetched.data.iter().all(|d| d.is_ok()));
    let reports: Vec<_> = fetched
        .reports
        .into_iter()
        .map(|r| r.unwrap().unwrap())
        .collect();
    let ids: Vec<&str> = reports
        .iter()
        .map(|r| r.result.metric.id.as_str())
        .collect();
    assert_eq!(ids, ["throughput", "latency"]);
    // 100 against 150: a third less throughput fails; latency (a third lower) passes.
    let change = reports[0].result.change.as_ref().unwrap().relative.unwrap();
    assert!((change + 1.0 / 3.0).abs() < 0.01, "{change}");
    assert_eq!(
        reports[0].result.verdict,
        Some(benchcmp::compare::Verdict::Fail)
    );
    assert_eq!(
        reports[1].result.verdict,
        Some(benchcmp::compare::Verdict::Pass)
    );
}

#[test]
fn a_query_whose_answer_never_comes_fails_its_run_as_a_source_error() {
    let (fetched, _) = compare(Double {
        silent: Some("latency_ms{namespace=\"slow\"}"),
        partial: None,
    });
    assert!(fetched.data.baselines[0].is_ok());
    let error = fetched.data.candidate.as_ref().unwrap_err();
    assert_eq!(error.exit_code(), 3, "{error}");
    let message = error.to_string();
    assert!(
        message.contains("cannot read run cand from double://") && message.contains("latency"),
        "{message}"
    );
}

#[test]
fn a_partial_response_is_a_finding_and_never_a_pass() {
    let (fetched, _) = compare(Double {
        silent: None,
        partial: Some("latency_ms{namespace=\"slow\"}"),
    });
    let reports: Vec<_> = fetched
        .reports
        .into_iter()
        .map(|r| r.unwrap().unwrap())
        .collect();
    let latency = &reports[1].result;
    assert!(
        latency.reasons.iter().any(|f| matches!(
            f,
            benchcmp::compare::Reason::SourceWarning { partial: true, .. }
        )),
        "{:?}",
        latency.reasons
    );
    assert_ne!(latency.verdict, Some(benchcmp::compare::Verdict::Pass));
}
