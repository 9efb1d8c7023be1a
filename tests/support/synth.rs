//! Synthetic Zeebe/Camunda benchmark runs as OpenMetrics text, with the metric names of the
//! default query pack, for backfilling a real Prometheus with `promtool`.
//!
//! A run is described by levels (throughput, latency scale, memory, ...) that may carry
//! AR(1) noise and a level shift at some offset; counters are the integral of their rates,
//! histograms get observations from a fixed set of representative values scaled by the
//! latency level. With no noise every value the pack computes is known exactly.

#![allow(dead_code)]

use std::collections::BTreeMap;

/// Upper bounds of the execution-time histogram (seconds), as in Zeebe: top bucket 60 s.
pub const LATENCY_BUCKETS: [f64; 12] = [
    0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0, 30.0, 45.0, 60.0,
];

/// A level over the run: `base`, optionally shifted to `shift.1` from offset `shift.0`
/// seconds, with multiplicative AR(1) noise of relative standard deviation `noise`.
#[derive(Debug, Clone, Copy)]
pub struct Level {
    pub base: f64,
    pub noise: f64,
    pub phi: f64,
    pub shift: Option<(i64, f64)>,
    /// Linear growth over the whole run (added to `base` by the end).
    pub growth: f64,
}

impl Level {
    pub const fn constant(base: f64) -> Self {
        Level {
            base,
            noise: 0.0,
            phi: 0.0,
            shift: None,
            growth: 0.0,
        }
    }
    pub const fn noisy(base: f64, noise: f64, phi: f64) -> Self {
        Level {
            base,
            noise,
            phi,
            shift: None,
            growth: 0.0,
        }
    }
    pub const fn growing(self, by_the_end: f64) -> Self {
        Level {
            growth: by_the_end,
            ..self
        }
    }
    pub const fn shifted(self, at_s: i64, to: f64) -> Self {
        Level {
            shift: Some((at_s, to)),
            ..self
        }
    }
}

/// How one run behaves.
#[derive(Debug, Clone)]
pub struct RunSpec {
    pub namespace: String,
    /// Unix seconds of the run's start (first scrape).
    pub start: i64,
    pub duration_s: i64,
    pub scrape_s: i64,
    pub seed: u64,
    /// Completed process instances per second.
    pub throughput: Level,
    /// Created (root) process instances per second.
    pub created: Level,
    /// Representative execution times (seconds) and their weights (sum 1).
    pub latency_values: Vec<(f64, f64)>,
    /// Multiplies the representative execution times.
    pub latency_scale: Level,
    /// Write the histogram under the pre-8.7 name (without `_seconds`).
    pub legacy_histogram: bool,
    /// Omit the execution-time histogram (exporter off).
    pub no_histogram: bool,
    /// Share of requests dropped by backpressure (0..1).
    pub backpressure: Level,
    /// Whether jobs are pushed (gRPC streaming) or polled (REST).
    pub job_push: bool,
    pub job_timeouts: Level,
    /// JOB COMPLETE and JOB FAIL rejections per second (split 60/40).
    pub rejections: Level,
    /// Restart times (offset seconds) per worker pod index; OOMKilled if `oom`.
    pub worker_restarts: Vec<Vec<i64>>,
    /// When each worker pod exists (offset seconds, end exclusive); a missing entry means
    /// the whole run. A pod replaced mid-run ends where its successor begins.
    pub worker_alive: Vec<(i64, i64)>,
    /// Every exporter stops reporting at this offset (seconds): an outage to the end.
    pub stop_at: Option<i64>,
    pub oom: bool,
    /// Restarts of a leader-balancer CronJob pod (must be ignored).
    pub leader_balancer_restarts: Vec<i64>,
    /// Working set of the worker containers, bytes.
    pub worker_memory: Level,
    /// Share of CFS periods throttled on broker 0 (others half of it).
    pub throttling: Level,
    /// Partitions sharing the load; each reports its own counters and histogram.
    pub partitions: usize,
    /// Broker pods (`camunda-0` ...).
    pub brokers: usize,
    /// Starter pods.
    pub starters: usize,
    /// Whether every partition also appends the other record kinds of a real broker (no
    /// query of the pack counts them; they make the appender family as large as in a
    /// real cluster, which is what a fallback over the whole family pays for).
    pub record_chatter: bool,
}

impl RunSpec {
    /// A healthy run at 150 PI/s with exactly known values (no noise).
    pub fn healthy(namespace: &str, start: i64, duration_s: i64) -> Self {
        RunSpec {
            namespace: namespace.into(),
            start,
            duration_s,
            scrape_s: 30,
            seed: 1,
            throughput: Level::constant(150.0),
            created: Level::constant(150.0),
            latency_values: vec![(0.2, 0.4), (0.4, 0.6)],
            latency_scale: Level::constant(1.0),
            legacy_histogram: false,
            no_histogram: false,
            backpressure: Level::constant(0.0),
            job_push: true,
            job_timeouts: Level::constant(0.0),
            rejections: Level::constant(0.0),
            worker_restarts: vec![vec![], vec![], vec![]],
            worker_alive: vec![],
            stop_at: None,
            oom: false,
            leader_balancer_restarts: vec![],
            worker_memory: Level::constant(180.0 * 1024.0 * 1024.0),
            throttling: Level::constant(0.05),
            partitions: 3,
            brokers: 3,
            starters: 1,
            record_chatter: false,
        }
    }
}

/// The deterministic generator the statistics simulate with (splitmix64 + Box–Muller): no
/// dependency, same numbers on every machine.
pub use benchcmp::stats::rng::SplitMix as Rng;

/// Values of a level at each scrape.
fn realize(level: &Level, times: &[i64], start: i64, rng: &mut Rng) -> Vec<f64> {
    let mut x = 0.0;
    let innovation = (1.0 - level.phi * level.phi).max(0.0).sqrt();
    let span = times.last().map_or(1, |last| (last - start).max(1)) as f64;
    times
        .iter()
        .map(|&t| {
            let base = match level.shift {
                Some((at, to)) if t - start >= at => to,
                _ => level.base,
            } + level.growth * (t - start) as f64 / span;
            if level.noise == 0.0 {
                return base;
            }
            x = level.phi * x + innovation * rng.normal();
            (base * (1.0 + level.noise * x)).max(0.0)
        })
        .collect()
}

/// One series being written: sample name, rendered labels, samples.
type SeriesBuffer = (String, String, Vec<(i64, f64)>);

/// Collects samples by metric family, then writes valid OpenMetrics.
#[derive(Default)]
pub struct OpenMetrics {
    /// family → (type, series key → series)
    families: BTreeMap<String, (String, BTreeMap<String, SeriesBuffer>)>,
}

impl OpenMetrics {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one sample. `family` is the metric family, `name` the sample name
    /// (`<family>_total` for counters, `<family>_bucket` ... for histograms).
    pub fn sample(
        &mut self,
        family: &str,
        kind: &str,
        name: &str,
        labels: &[(&str, &str)],
        t: i64,
        v: f64,
    ) {
        let mut sorted: Vec<(&str, &str)> = labels.to_vec();
        sorted.sort();
        let label_text = sorted
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
            .collect::<Vec<_>>()
            .join(",");
        let key = format!("{name}{{{label_text}}}");
        let fam = self
            .families
            .entry(family.to_string())
            .or_insert_with(|| (kind.to_string(), BTreeMap::new()));
        fam.1
            .entry(key)
            .or_insert_with(|| (name.to_string(), label_text, Vec::new()))
            .2
            .push((t, v));
    }

    /// The text, families in name order, samples of each series in time order, `# EOF` last.
    pub fn finish(self) -> String {
        let mut out = Vec::new();
        self.write(&mut out).expect("writing to memory");
        String::from_utf8(out).expect("the text is UTF-8")
    }

    /// Writes the text of [`OpenMetrics::finish`] to `out` (for data sets too large to hold
    /// as one string).
    pub fn write(mut self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        for (family, (kind, series)) in &mut self.families {
            writeln!(out, "# TYPE {family} {kind}")?;
            for (name, labels, samples) in series.values_mut() {
                samples.sort_by_key(|s| s.0);
                for (t, v) in samples.iter() {
                    if v.is_nan() {
                        writeln!(out, "{name}{{{labels}}} NaN {t}")?;
                    } else {
                        writeln!(out, "{name}{{{labels}}} {v} {t}")?;
                    }
                }
            }
        }
        out.write_all(b"# EOF\n")
    }
}

/// Record kinds a broker appends besides the ones the pack counts (see
/// `RunSpec::record_chatter`).
const RECORD_CHATTER: [(&str, &str, &str); 24] = [
    ("COMMAND", "PROCESS_INSTANCE_CREATION", "CREATE"),
    ("EVENT", "PROCESS_INSTANCE_CREATION", "CREATED"),
    ("COMMAND", "PROCESS_INSTANCE", "ACTIVATE_ELEMENT"),
    ("COMMAND", "PROCESS_INSTANCE", "COMPLETE_ELEMENT"),
    ("EVENT", "PROCESS_INSTANCE", "ELEMENT_ACTIVATING"),
    ("EVENT", "PROCESS_INSTANCE", "ELEMENT_ACTIVATED"),
    ("EVENT", "PROCESS_INSTANCE", "ELEMENT_COMPLETING"),
    ("EVENT", "PROCESS_INSTANCE", "ELEMENT_COMPLETED"),
    ("EVENT", "PROCESS_INSTANCE", "SEQUENCE_FLOW_TAKEN"),
    ("COMMAND", "JOB", "COMPLETE"),
    ("EVENT", "JOB", "CREATED"),
    ("COMMAND", "JOB_BATCH", "ACTIVATE"),
    ("EVENT", "JOB_BATCH", "ACTIVATED"),
    ("EVENT", "VARIABLE", "CREATED"),
    ("EVENT", "VARIABLE", "UPDATED"),
    ("EVENT", "VARIABLE_DOCUMENT", "UPDATED"),
    ("COMMAND", "MESSAGE", "PUBLISH"),
    ("EVENT", "MESSAGE", "PUBLISHED"),
    ("EVENT", "MESSAGE", "EXPIRED"),
    ("COMMAND", "TIMER", "TRIGGER"),
    ("EVENT", "TIMER", "TRIGGERED"),
    ("EVENT", "INCIDENT", "CREATED"),
    ("EVENT", "PROCESS_EVENT", "TRIGGERING"),
    ("EVENT", "CHECKPOINT", "CREATED"),
];

/// Worker pod names of a run.
pub fn worker_pod(i: usize) -> String {
    match ["abcde", "fghij", "klmno", "pqrst"].get(i) {
        Some(suffix) => format!("benchmark-worker-5d8f7c-{suffix}"),
        None => format!("benchmark-worker-5d8f7c-w{i:04}"),
    }
}

/// Adds one run's metrics to `om`.
pub fn add_run(om: &mut OpenMetrics, spec: &RunSpec) {
    let ns = spec.namespace.as_str();
    let dt = spec.scrape_s as f64;
    let times: Vec<i64> = (0..=spec.duration_s / spec.scrape_s)
        .map(|i| spec.start + i * spec.scrape_s)
        .filter(|t| spec.stop_at.is_none_or(|stop| t - spec.start < stop))
        .collect();
    let partition_names: Vec<String> = (1..=spec.partitions).map(|p| p.to_string()).collect();
    let mut rng = Rng(spec.seed);
    let throughput = realize(&spec.throughput, &times, spec.start, &mut rng);
    let created = realize(&spec.created, &times, spec.start, &mut rng);
    let latency_scale = realize(&spec.latency_scale, &times, spec.start, &mut rng);
    let backpressure = realize(&spec.backpressure, &times, spec.start, &mut rng);
    let timeouts = realize(&spec.job_timeouts, &times, spec.start, &mut rng);
    let rejections = realize(&spec.rejections, &times, spec.start, &mut rng);
    let memory = realize(&spec.worker_memory, &times, spec.start, &mut rng);
    let throttling = realize(&spec.throttling, &times, spec.start, &mut rng);

    // Counters accumulate rate × scrape interval; the first sample is the starting value.
    let mut counters: BTreeMap<String, f64> = BTreeMap::new();
    let mut acc: BTreeMap<String, f64> = BTreeMap::new();
    fn bump(acc: &mut BTreeMap<String, f64>, key: String, increment: f64) -> f64 {
        let value = acc.entry(key).or_insert(0.0);
        *value += increment;
        *value
    }
    let mut counter =
        |om: &mut OpenMetrics, family: &str, labels: &[(&str, &str)], t: i64, increment: f64| {
            let value = bump(&mut counters, format!("{family}{labels:?}"), increment);
            om.sample(
                family,
                "counter",
                &format!("{family}_total"),
                labels,
                t,
                value,
            );
        };

    for (i, &t) in times.iter().enumerate() {
        let first = i == 0;
        let step = |rate: f64| if first { 0.0 } else { rate * dt };
        let tp = throughput[i];
        // Element instance events per partition (the partitions share the load).
        let parts = spec.partitions as f64;
        for p in &partition_names {
            let p = p.as_str();
            counter(
                om,
                "zeebe_element_instance_events",
                &[
                    ("namespace", ns),
                    ("partition", p),
                    ("action", "completed"),
                    ("type", "PROCESS"),
                ],
                t,
                step(tp / parts),
            );
            counter(
                om,
                "zeebe_element_instance_events",
                &[
                    ("namespace", ns),
                    ("partition", p),
                    ("action", "activated"),
                    ("type", "PROCESS"),
                ],
                t,
                step(created[i] / parts),
            );
            let received = created[i] / parts * 4.0; // create + activate + complete commands
            counter(
                om,
                "zeebe_received_request_count",
                &[("namespace", ns), ("partition", p)],
                t,
                step(received),
            );
            counter(
                om,
                "zeebe_dropped_request_count",
                &[("namespace", ns), ("partition", p)],
                t,
                step(received * backpressure[i]),
            );
        }
        counter(
            om,
            "zeebe_executed_instances",
            &[("namespace", ns), ("action", "activated")],
            t,
            step(created[i]),
        );
        counter(
            om,
            "zeebe_executed_instances",
            &[("namespace", ns), ("action", "completed")],
            t,
            step(tp),
        );

        // Jobs: one service task per instance.
        let jt = [("namespace", ns), ("type", "benchmark-task")];
        counter(
            om,
            "zeebe_job_events",
            &[jt[0], jt[1], ("action", "created")],
            t,
            step(created[i]),
        );
        counter(
            om,
            "zeebe_job_events",
            &[jt[0], jt[1], ("action", "completed")],
            t,
            step(tp),
        );
        if spec.job_push {
            counter(
                om,
                "zeebe_job_events",
                &[jt[0], jt[1], ("action", "pushed")],
                t,
                step(created[i]),
            );
        } else {
            counter(
                om,
                "zeebe_job_events",
                &[jt[0], jt[1], ("action", "activated")],
                t,
                step(created[i]),
            );
        }
        if spec.job_timeouts.base > 0.0 || spec.job_timeouts.shift.is_some() {
            counter(
                om,
                "zeebe_job_events",
                &[jt[0], jt[1], ("action", "timed out")],
                t,
                step(timeouts[i]),
            );
        }
        counter(
            om,
            "zeebe_log_appender_record_appended",
            &[
                ("namespace", ns),
                ("recordType", "EVENT"),
                ("valueType", "JOB"),
                ("intent", "COMPLETED"),
            ],
            t,
            step(tp),
        );
        if spec.rejections.base > 0.0 || spec.rejections.shift.is_some() {
            counter(
                om,
                "zeebe_log_appender_record_appended",
                &[
                    ("namespace", ns),
                    ("recordType", "COMMAND_REJECTION"),
                    ("valueType", "JOB"),
                    ("intent", "COMPLETE"),
                ],
                t,
                step(rejections[i] * 0.6),
            );
            counter(
                om,
                "zeebe_log_appender_record_appended",
                &[
                    ("namespace", ns),
                    ("recordType", "COMMAND_REJECTION"),
                    ("valueType", "JOB"),
                    ("intent", "FAIL"),
                ],
                t,
                step(rejections[i] * 0.4),
            );
            // A rejection of another kind that the pack must not count.
            counter(
                om,
                "zeebe_log_appender_record_appended",
                &[
                    ("namespace", ns),
                    ("recordType", "COMMAND_REJECTION"),
                    ("valueType", "PROCESS_INSTANCE"),
                    ("intent", "CANCEL"),
                ],
                t,
                step(1.0),
            );
        }

        // The log position every partition reports while its broker is up (a gauge).
        for p in &partition_names {
            let p = p.as_str();
            let position = bump(
                &mut acc,
                format!("position#{p}"),
                1.0 + step(4.0 * tp / parts),
            );
            om.sample(
                "zeebe_log_appender_last_appended_position",
                "gauge",
                "zeebe_log_appender_last_appended_position",
                &[("namespace", ns), ("partition", p)],
                t,
                position.round(),
            );
        }
        if spec.record_chatter {
            for p in &partition_names {
                for (record_type, value_type, intent) in RECORD_CHATTER {
                    counter(
                        om,
                        "zeebe_log_appender_record_appended",
                        &[
                            ("namespace", ns),
                            ("partition", p),
                            ("recordType", record_type),
                            ("valueType", value_type),
                            ("intent", intent),
                        ],
                        t,
                        step(tp / parts),
                    );
                }
            }
        }

        // Execution-time histogram.
        if !spec.no_histogram {
            let family = if spec.legacy_histogram {
                "zeebe_process_instance_execution_time"
            } else {
                "zeebe_process_instance_execution_time_seconds"
            };
            let mut bucket_inc = [0.0; LATENCY_BUCKETS.len() + 1];
            let mut sum_inc = 0.0;
            for &(value, weight) in &spec.latency_values {
                let v = value * latency_scale[i];
                let n = step(tp * weight / parts);
                sum_inc += v * n;
                let idx = LATENCY_BUCKETS
                    .iter()
                    .position(|&le| v <= le)
                    .unwrap_or(LATENCY_BUCKETS.len());
                bucket_inc[idx] += n;
            }
            // Every partition records its share; buckets are cumulative: each `le` counts
            // every observation at or below it.
            for p in &partition_names {
                let p = p.as_str();
                let mut running = 0.0;
                for (k, inc) in bucket_inc.iter().enumerate() {
                    running += bump(&mut acc, format!("{family}#{p}#b{k}"), *inc);
                    let le = LATENCY_BUCKETS
                        .get(k)
                        .map_or("+Inf".to_string(), |b| format!("{b}"));
                    om.sample(
                        family,
                        "histogram",
                        &format!("{family}_bucket"),
                        &[("namespace", ns), ("partition", p), ("le", &le)],
                        t,
                        running,
                    );
                }
                let count = bump(
                    &mut acc,
                    format!("{family}#{p}#count"),
                    bucket_inc.iter().sum::<f64>(),
                );
                let sum = bump(&mut acc, format!("{family}#{p}#sum"), sum_inc);
                let labels = [("namespace", ns), ("partition", p)];
                om.sample(
                    family,
                    "histogram",
                    &format!("{family}_count"),
                    &labels,
                    t,
                    count,
                );
                om.sample(
                    family,
                    "histogram",
                    &format!("{family}_sum"),
                    &labels,
                    t,
                    sum,
                );
            }
        }

        // Kubernetes: restarts per container (kube-state-metrics), OOMKilled gauges.
        let offset = t - spec.start;
        for (w, restarts) in spec.worker_restarts.iter().enumerate() {
            if let Some(&(from, to)) = spec.worker_alive.get(w) {
                if offset < from || offset >= to {
                    continue;
                }
            }
            let pod = worker_pod(w);
            let n = restarts.iter().filter(|&&r| r <= offset).count() as f64;
            om.sample(
                "kube_pod_container_status_restarts",
                "counter",
                "kube_pod_container_status_restarts_total",
                &[("namespace", ns), ("pod", &pod), ("container", "worker")],
                t,
                n,
            );
            if spec.oom && n > 0.0 {
                om.sample(
                    "kube_pod_container_status_last_terminated_reason",
                    "gauge",
                    "kube_pod_container_status_last_terminated_reason",
                    &[
                        ("namespace", ns),
                        ("pod", &pod),
                        ("container", "worker"),
                        ("reason", "OOMKilled"),
                    ],
                    t,
                    1.0,
                );
            }
            om.sample(
                "container_memory_working_set_bytes",
                "gauge",
                "container_memory_working_set_bytes",
                &[("namespace", ns), ("pod", &pod), ("container", "worker")],
                t,
                memory[i] * (1.0 - 0.02 * w as f64),
            );
        }
        for b in 0..spec.brokers {
            let pod = format!("camunda-{b}");
            om.sample(
                "kube_pod_container_status_restarts",
                "counter",
                "kube_pod_container_status_restarts_total",
                &[("namespace", ns), ("pod", &pod), ("container", "camunda")],
                t,
                0.0,
            );
            let periods = 10.0; // 100 ms CFS periods
            let share = if b == 0 {
                throttling[i]
            } else {
                throttling[i] / 2.0
            };
            counter(
                om,
                "container_cpu_cfs_periods",
                &[("namespace", ns), ("pod", &pod), ("container", "camunda")],
                t,
                step(periods),
            );
            counter(
                om,
                "container_cpu_cfs_throttled_periods",
                &[("namespace", ns), ("pod", &pod), ("container", "camunda")],
                t,
                step(periods * share),
            );
        }
        for starter in 0..spec.starters {
            let pod = match starter {
                0 => "starter-7c9d-xyz12".to_string(),
                _ => format!("starter-7c9d-s{starter:04}"),
            };
            om.sample(
                "kube_pod_container_status_restarts",
                "counter",
                "kube_pod_container_status_restarts_total",
                &[("namespace", ns), ("pod", &pod), ("container", "starter")],
                t,
                0.0,
            );
        }
        let lb = spec
            .leader_balancer_restarts
            .iter()
            .filter(|&&r| r <= offset)
            .count() as f64;
        om.sample(
            "kube_pod_container_status_restarts",
            "counter",
            "kube_pod_container_status_restarts_total",
            &[
                ("namespace", ns),
                ("pod", "leader-balancer-29170000-abcde"),
                ("container", "leader-balancer"),
            ],
            t,
            lb,
        );
    }
}

/// A gauge over a long window for testing split queries: value = index of the scrape.
pub fn add_staircase(
    om: &mut OpenMetrics,
    namespace: &str,
    start: i64,
    duration_s: i64,
    scrape_s: i64,
) {
    for i in 0..=duration_s / scrape_s {
        om.sample(
            "benchcmp_test_staircase",
            "gauge",
            "benchcmp_test_staircase",
            &[("namespace", namespace)],
            start + i * scrape_s,
            i as f64,
        );
    }
}
