//! `benchcmp watch`: a verdict while the candidate run is still running, valid however
//! often it is looked at. `noise` measures the run's noise so far around its level
//! structure; `decide` judges each gated metric at one look from what the run has shown so
//! far; `feed` brings the candidate's new samples (Prometheus, or a snapshot replayed as if
//! live); `verdict` turns the looks and `compare`'s report of the window seen into the one
//! verdict the watch ends with. What a poll saw is a [`PollRecord`]; rendering it is the
//! reports' job (`report::live`).

pub mod decide;
pub mod feed;
pub mod noise;
pub mod session;
pub mod verdict;

use serde::Serialize;

pub use decide::{MetricLook, State};

/// The JSON record of one poll (`--json-lines`, one per line).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PollRecord {
    pub format: &'static str,
    /// When the poll was made (RFC 3339, UTC).
    pub at: String,
    pub candidate: String,
    /// The newest slot of the candidate's window seen (RFC 3339).
    pub observed_end: String,
    /// Steady time seen (after the warm-up), in seconds.
    pub steady_seconds: f64,
    pub state: State,
    /// Time this poll's judging took (the series reduced, every metric looked at), in ms:
    /// its cost on top of the fetch.
    pub judging_ms: f64,
    pub metrics: Vec<MetricLook>,
    /// The watch's verdict, on its last record only (`null` before): the verdict of its
    /// report, which its exit code follows.
    pub verdict: Option<crate::compare::Verdict>,
}

/// The JSON Schema of a [`PollRecord`] (`benchcmp schema watch`), every key required.
pub fn schema() -> serde_json::Value {
    let mut schema = schemars::schema_for!(PollRecord).to_value();
    fn require_all(object: &mut serde_json::Value) {
        if let Some(keys) = object
            .get("properties")
            .and_then(|p| p.as_object())
            .map(|p| p.keys().cloned().collect::<Vec<_>>())
        {
            object["required"] = serde_json::json!(keys);
        }
    }
    require_all(&mut schema);
    if let Some(defs) = schema.get_mut("$defs").and_then(|d| d.as_object_mut()) {
        for name in ["MetricLook", "ClauseLook", "RecentLook"] {
            if let Some(def) = defs.get_mut(name) {
                require_all(def);
            }
        }
    }
    schema
}

/// The format name of a [`PollRecord`].
pub const RECORD_FORMAT: &str = "benchcmp.watch.v1";

/// The whole run at one look: FAIL as soon as a gated metric fails; PASS (released) or
/// passing so far once every gated metric is and the minimum duration is met; else pending.
pub fn overall(looks: &[MetricLook], steady_ms: i64, min_steady_ms: i64) -> State {
    let all = |s: State| !looks.is_empty() && looks.iter().all(|l| l.state == s);
    if looks.iter().any(|l| l.state == State::Fail) {
        State::Fail
    } else if steady_ms < min_steady_ms {
        State::Pending
    } else if all(State::Pass) {
        State::Pass
    } else if looks
        .iter()
        .all(|l| matches!(l.state, State::Pass | State::Passing))
        && !looks.is_empty()
    {
        State::Passing
    } else {
        State::Pending
    }
}
