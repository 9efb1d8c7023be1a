//! benchcmp: is a candidate benchmark run worse than a baseline run?
//!
//! Data flows config → query pack → run → source (Prometheus or snapshot) → series →
//! comparison → reports. Each module owns one step; `watch` judges a run while it runs.

pub mod cli;
pub mod commands;
pub mod compare;
pub mod config;
pub mod duration;
pub mod error;
pub mod gate;
pub mod import;
pub mod memory;
pub mod options;
pub mod output;
pub mod pack;
pub mod parallel;
pub mod pipeline;
pub mod redact;
pub mod report;
pub mod run;
pub mod series;
pub mod source;
pub mod stats;
pub mod template;
#[doc(hidden)]
pub mod testkit;
pub mod units;
pub mod watch;
