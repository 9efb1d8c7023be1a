//! Why a metric got its verdict, as data.
//!
//! Every non-pass verdict and every finding is a [`Reason`]: a variant per cause with the
//! numbers behind it (coverage, longest gap, samples against the minimum, censored share,
//! the first impossible value, ...). Nothing here is prose: the words are rendered once,
//! for every report format, by `report::text`.

use serde::Serialize;

use crate::gate::{Op, Stat};

/// Which run of a comparison something is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Baseline,
    Candidate,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Baseline => "baseline",
            Role::Candidate => "candidate",
        }
    }
}

/// How a shown number relates to the true one when some samples were censored (at a
/// histogram's top bucket, or +Inf): exactly, or only as a bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// The number is an estimate of the true value.
    #[default]
    Exact,
    /// The true value is at least the shown one.
    AtLeast,
    /// The true value is at most the shown one.
    AtMost,
    /// Censoring pulls both ways: the shown number bounds nothing.
    Unknown,
}

impl Bound {
    /// The bound of a quantity that grows with this one and another (e.g. a ratio's
    /// numerator and the inverse of its denominator).
    pub fn and(self, other: Bound) -> Bound {
        match (self, other) {
            (Bound::Exact, b) | (b, Bound::Exact) => b,
            (a, b) if a == b => a,
            _ => Bound::Unknown,
        }
    }

    /// The bound of a quantity that moves against this one (e.g. `1 / x` or `-x`).
    pub fn flipped(self) -> Bound {
        match self {
            Bound::AtLeast => Bound::AtMost,
            Bound::AtMost => Bound::AtLeast,
            b => b,
        }
    }
}

/// Where an interval sits against a gate's limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The whole interval satisfies the limit.
    Within,
    /// None of it does.
    Exceeds,
    /// It straddles the limit, or censoring leaves the side that matters open.
    Undecided,
}

/// One typed statement about a metric: a cause of its verdict or a finding.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// The metric is not in the run's snapshot.
    NotRecorded { side: Role },
    /// The query returned no series at all.
    EmptyResult { side: Role },
    /// No sample lies inside the steady window.
    NoSamplesInWindow { side: Role },
    /// Every sample in the window is NaN (or infinite on the good side).
    NoFiniteSample { side: Role, samples: usize },
    /// A value the metric's unit cannot take (a negative rate, duration, size or share).
    ImpossibleValue { side: Role, at_ms: i64, value: f64 },
    /// Too little of the steady window carries data to use the run at all.
    LowCoverage {
        side: Role,
        coverage: f64,
        min_coverage: f64,
        longest_gap_ms: i64,
    },
    /// A higher-is-better metric whose baseline measured nothing: no level to compare with.
    DeadBaseline { candidate_zero: bool },
    /// The run is too persistent for its length: no interval can be trusted (the
    /// variance estimate has fewer than 2 degrees of freedom, or the run has no stable mean).
    AutocorrelationTooStrong {
        side: Role,
        persistence: f64,
        df: f64,
        samples: usize,
    },
    /// A run with no stable mean, and no level structure that would give it one: its window's
    /// mean is bounded by the range of its samples, and the change by those bounds.
    RangeBounded {
        side: Role,
        persistence: f64,
        samples: usize,
        min: f64,
        max: f64,
    },
    /// Fewer samples than any decision needs.
    TooFewSamples {
        side: Role,
        samples: usize,
        min_samples: usize,
    },
    /// A pass that the missing part of the window could hide: with the missing slots
    /// filled by the worst plausible values the verdict changes.
    MissingDataCouldHide {
        side: Role,
        coverage: f64,
        longest_gap_ms: i64,
        leading_gap_ms: i64,
        trailing_gap_ms: i64,
        /// The value the long holes and open ends were filled with.
        fill: f64,
        /// `Exact` when `fill` is a limit of the metric; otherwise the holes are unbounded
        /// on that side and `fill` is the most extreme value seen.
        fill_bound: Bound,
        /// Every hole of the run is a missed scrape or two inside the window, filled with the
        /// worse of its neighbours (`fill` was not used).
        neighbours_only: bool,
    },
    /// Finding: parts of the steady window have no data.
    Gaps {
        side: Role,
        coverage: f64,
        longest_gap_ms: i64,
        leading_gap_ms: i64,
        trailing_gap_ms: i64,
    },
    /// Samples at or beyond what the metric can resolve (a histogram's top bucket, +Inf):
    /// statistics of that run are bounds.
    Censored { side: Role, share: f64, at: f64 },
    /// Finding: a significant linear trend (it explains the run better than level shifts).
    Trend {
        side: Role,
        per_hour: f64,
        relative_per_hour: f64,
        end_level: f64,
    },
    /// Finding: the source warned about the data it sent; a partial response (some stores
    /// did not answer) keeps the metric from passing.
    SourceWarning {
        side: Role,
        message: String,
        partial: bool,
    },
    /// Finding: the change's interval rests on fewer than two degrees of freedom, so its t
    /// quantile is large; `side` is the run whose variance estimate has the fewest.
    FewDegreesOfFreedom {
        df: f64,
        side: Role,
        side_df: f64,
        persistence: f64,
        samples: usize,
        /// Baseline runs pooled (their spread sets the degrees of freedom); 1 for one run.
        runs: usize,
    },
    /// Finding: one value repeated over the whole window (a stuck exporter?).
    Stale {
        side: Role,
        value: f64,
        samples: usize,
    },
    /// A relative clause: the direction-adjusted change with its interval against the budget.
    Regression {
        outcome: Outcome,
        estimate: f64,
        low: f64,
        high: f64,
        op: Op,
        budget: f64,
        bound: Bound,
        /// Steady state per run that would give an interval as narrow as the budget, when
        /// noise is what keeps the verdict open.
        needed_ms: Option<i64>,
        have_ms: i64,
    },
    /// A relative clause on where the candidate ended up: after a sustained shift, the final
    /// segment's level, along a trend, the line's end — against the baseline. A run that
    /// ends collapsed is a regression even if it began well.
    FinalLevel {
        outcome: Outcome,
        estimate: f64,
        low: f64,
        high: f64,
        op: Op,
        budget: f64,
        bound: Bound,
        level: f64,
        /// Milliseconds from the candidate's start to where the final level begins.
        since_offset_ms: i64,
        from: LevelFrom,
    },
    /// The candidate's last samples lie beyond the limit with confidence: a collapse at the
    /// end of the run, too short to fail it (or for the shift search to find), keeps it
    /// from passing.
    EndsBeyond {
        samples: usize,
        /// Milliseconds from the candidate's start to the first of those samples.
        since_offset_ms: i64,
        level: f64,
        low: f64,
        high: f64,
        /// The level the gate allows, in the metric's unit.
        limit: f64,
    },
    /// A relative clause whose baseline is zero (lower is better): no ratio exists; the
    /// question is whether the candidate is clearly above zero.
    FromZero {
        outcome: Outcome,
        candidate: f64,
        low: f64,
    },
    /// A relative clause on an event count whose baseline saw none: the exact conditional
    /// test of two Poisson counts with their exposures.
    CountFromZero {
        outcome: Outcome,
        events: f64,
        exposure_s: f64,
        baseline_exposure_s: f64,
        p_value: f64,
        budget: f64,
    },
    /// Both runs are zero on a lower-is-better metric: unchanged.
    BothZero,
    /// A relative change is undefined: a mean at or below zero.
    NoRatio { baseline: f64, candidate: f64 },
    /// An absolute clause: the candidate's statistic with its interval against the limit.
    Absolute {
        outcome: Outcome,
        stat: Stat,
        estimate: f64,
        low: f64,
        high: f64,
        op: Op,
        limit: f64,
        bound: Bound,
    },
    /// A shift clause: the largest sustained level shift inside the candidate.
    Shift {
        outcome: Outcome,
        relative: Option<f64>,
        offset_ms: i64,
        before: f64,
        after: f64,
        op: Op,
        budget: f64,
    },
    /// A shift clause on a candidate without level shifts.
    NoShift { budget: f64 },
    /// A trend clause: the candidate's slope, direction-adjusted (positive = worse), per
    /// hour, with its interval, against the limit.
    TrendLimit {
        outcome: Outcome,
        estimate: f64,
        low: f64,
        high: f64,
        op: Op,
        limit: f64,
        relative: bool,
    },
    /// `watch` failed the metric while the run went on: at one of its looks the clause's
    /// interval — the whole run's confidence sequence, or the recent level's at the
    /// recent-level test's level — lay wholly beyond the limit. Both stay valid however
    /// often they were looked at, so the failure stands.
    FailedLive {
        rule: String,
        /// How far the run had been seen when it failed.
        seen_to_ms: i64,
        /// The clause's statistic: a change for a regression, else in the metric's unit.
        estimate: Option<f64>,
        low: Option<f64>,
        high: Option<f64>,
        limit: f64,
        /// What `estimate` and `limit` are.
        statistic: LiveStatistic,
        /// Set when the recent level failed it: its window's samples and start.
        recent_samples: Option<usize>,
        recent_since_ms: Option<i64>,
    },
    /// The candidate's series stopped while it was watched, and the slots already missing
    /// kept the window from the coverage a verdict needs.
    DataStopped {
        side: Role,
        last_sample_ms: Option<i64>,
        reachable_coverage: f64,
        min_coverage: f64,
    },
    /// `watch` ended before the run's window did (interrupted, the source lost, or stopped
    /// at a failure of another metric): what was seen could not prove a pass.
    NotSeenToEnd { seen_ms: i64, window_ms: i64 },
}

impl Reason {
    /// The stable code of this reason (as in the JSON report).
    pub fn code(&self) -> &'static str {
        match self {
            Reason::NotRecorded { .. } => "not_recorded",
            Reason::EmptyResult { .. } => "empty_result",
            Reason::NoSamplesInWindow { .. } => "no_samples_in_window",
            Reason::NoFiniteSample { .. } => "no_finite_sample",
            Reason::ImpossibleValue { .. } => "impossible_value",
            Reason::LowCoverage { .. } => "low_coverage",
            Reason::DeadBaseline { .. } => "dead_baseline",
            Reason::AutocorrelationTooStrong { .. } => "autocorrelation_too_strong",
            Reason::TooFewSamples { .. } => "too_few_samples",
            Reason::RangeBounded { .. } => "range_bounded",
            Reason::MissingDataCouldHide { .. } => "missing_data_could_hide",
            Reason::Gaps { .. } => "gaps",
            Reason::Censored { .. } => "censored",
            Reason::Stale { .. } => "stale",
            Reason::FewDegreesOfFreedom { .. } => "few_degrees_of_freedom",
            Reason::SourceWarning { .. } => "source_warning",
            Reason::Trend { .. } => "trend",
            Reason::FinalLevel { .. } => "final_level",
            Reason::EndsBeyond { .. } => "ends_beyond",
            Reason::TrendLimit { .. } => "trend_limit",
            Reason::FailedLive { .. } => "failed_live",
            Reason::DataStopped { .. } => "data_stopped",
            Reason::NotSeenToEnd { .. } => "not_seen_to_end",
            Reason::Regression { .. } => "regression",
            Reason::FromZero { .. } => "from_zero",
            Reason::CountFromZero { .. } => "count_from_zero",
            Reason::BothZero => "both_zero",
            Reason::NoRatio { .. } => "no_ratio",
            Reason::Absolute { .. } => "absolute",
            Reason::Shift { .. } => "shift",
            Reason::NoShift { .. } => "no_shift",
        }
    }

    /// Findings describe the data; the other reasons are what a clause decided.
    pub fn is_finding(&self) -> bool {
        matches!(
            self,
            Reason::Gaps { .. }
                | Reason::Censored { .. }
                | Reason::Stale { .. }
                | Reason::Trend { .. }
                | Reason::FewDegreesOfFreedom { .. }
        )
    }
}

/// What a clause judged while watched measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LiveStatistic {
    /// A relative change from the baseline (a regression clause).
    Change,
    /// A statistic in the metric's unit.
    Value,
    /// A slope as a share of the mean per hour.
    RelativeTrend,
    /// A slope in the metric's unit per hour.
    Trend,
}

/// What a final level was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LevelFrom {
    Shift,
    Trend,
}
