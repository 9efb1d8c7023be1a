//! `benchcmp queries`: list the pack; with `--check`, send every query for a run and report
//! per metric whether data came back, so a pack can be debugged before a comparison.

use serde::Serialize;

use crate::cli::{GlobalArgs, ListFormat, QueriesArgs};
use crate::error::{Error, Result};
use crate::pack::Kind;
use crate::run::{self, Origin};
use crate::source::prometheus::RangeQuery;
use crate::source::{expand_query, one_line, Queries};

/// One metric of the pack as `queries --format json` lists it.
#[derive(Debug, Serialize)]
struct MetricRow<'a> {
    id: &'a str,
    title: &'a str,
    unit: &'a str,
    better: crate::pack::Better,
    kind: Kind,
    gate: Option<&'a str>,
    optional: bool,
    query: &'a str,
    file: String,
}

pub fn run(global: &GlobalArgs, args: &QueriesArgs) -> Result<()> {
    if let Some(crate::cli::QueriesAction::Import(import)) = &args.action {
        return import_dashboard(global, import);
    }
    if args.print_default {
        return super::emit(crate::pack::BUILT_IN);
    }
    let config = super::load_config(global)?;
    let pack = super::load_pack(global)?;
    if args.check && args.format == Some(ListFormat::Json) {
        return Err(Error::input(
            "queries --check prints a table; --format json lists the pack without --check",
        ));
    }
    if !args.check {
        if args.run.is_some() {
            return Err(Error::input("--run only applies with --check"));
        }
        return list(global, args, &config, &pack);
    }
    check(global, args, &config, &pack)
}

/// The pack as a table or as JSON.
fn list<'a>(
    global: &GlobalArgs,
    args: &QueriesArgs,
    config: &'a crate::config::Config,
    pack: &'a crate::pack::Pack,
) -> Result<()> {
    // The config's gate wins over the pack's.
    let gate_of = |m: &'a crate::pack::Metric| config.gates.get(&m.id).or(m.gate.as_ref());
    if args.format == Some(ListFormat::Json) {
        let rows: Vec<MetricRow> = pack
            .metrics
            .iter()
            .map(|m| MetricRow {
                id: &m.id,
                title: &m.title,
                unit: &m.unit,
                better: m.better,
                kind: m.kind,
                gate: gate_of(m).map(String::as_str),
                optional: m.optional,
                query: &m.query,
                file: m.file.display().to_string(),
            })
            .collect();
        return super::emit(&(super::to_json_text(&rows)? + "\n"));
    }
    let mut rows = Vec::new();
    for m in &pack.metrics {
        let mut gate = gate_of(m).cloned().unwrap_or_else(|| "-".into());
        if m.optional {
            gate.push_str(" (optional)");
        }
        rows.push(vec![
            m.id.clone(),
            m.title.clone(),
            if m.unit.is_empty() {
                "-".into()
            } else {
                m.unit.clone()
            },
            format!("{:?}", m.better).to_lowercase(),
            match m.kind {
                Kind::Series => "series".into(),
                Kind::Count => "count".to_string(),
            },
            gate,
        ]);
    }
    // At a narrow width the gate and then the title wrap; kind, better and the title
    // are left out before a line would take three.
    let width = crate::options::terminal(global).width as usize;
    super::emit(&crate::report::layout::listing(
        &["ID", "TITLE", "UNIT", "BETTER", "KIND", "GATE"],
        &rows,
        width,
        &[5, 1],
        &[4, 3, 1],
    ))
}

/// `--check`: every query of the pack sent for one config run, each answer described.
fn check(
    global: &GlobalArgs,
    args: &QueriesArgs,
    config: &crate::config::Config,
    pack: &crate::pack::Pack,
) -> Result<()> {
    let run = checked_run(global, args, config)?;
    let client = super::require_endpoint(config, global, &format!("run {}", run.name))?;
    crate::source::check_points(&run)?;
    let rt = super::runtime()?;

    // Expand every template first: a template error is reported per metric, not fatal.
    let mut expanded = Vec::new();
    for m in &pack.metrics {
        expanded.push(expand_query(m, &run, &config.defaults));
    }
    let requests: Vec<RangeQuery> = expanded
        .iter()
        .filter_map(|q| q.as_ref().ok())
        .map(|q| RangeQuery {
            query: q.clone(),
            start_ms: run.start_ms,
            end_ms: run.end_ms,
            step_ms: run.step_ms,
        })
        .collect();
    let requests_sent = requests.len();
    let progress = super::Progress::new(global, requests.len() as u64, "checking", Some(&client));
    let (version, results) = rt.block_on(async {
        let version = client.version().await;
        let results = client
            .query_range_all(requests, progress.ticker(Some(&client)))
            .await;
        (version, results)
    });
    drop(progress);
    super::emit(&format!(
        "Checking {} metrics for run {} against {}{}\n",
        pack.metrics.len(),
        run.name,
        client.base_url(),
        match &version {
            Ok(v) => format!(" (Prometheus {v})"),
            Err(_) => String::new(),
        }
    ))?;
    let mut results = results.into_iter();
    let (mut ok, mut empty, mut rejected, mut unreachable) = (0, 0, 0, 0);
    let width = pack.metrics.iter().map(|m| m.id.len()).max().unwrap_or(0);
    // The source's failures, by cause: one cause shared by several metrics (the server
    // down) is said once, with the metrics it hit.
    let mut failures: Vec<(String, Vec<&str>)> = Vec::new();
    for (m, q) in pack.metrics.iter().zip(&expanded) {
        let (status, detail) = match q {
            Err(e) => {
                rejected += 1;
                ("ERROR", e.to_string())
            }
            Ok(query) => match results.next() {
                Some(Ok(out)) => {
                    let (status, detail) = describe(m, query, &out.matrix);
                    match status {
                        "ok" => ok += 1,
                        _ => empty += 1,
                    }
                    (status, detail)
                }
                Some(Err(f)) if f.kind == crate::source::prometheus::FailureKind::Rejected => {
                    rejected += 1;
                    ("ERROR", format!("{f}\n      query: {}", one_line(query)))
                }
                Some(Err(f)) => {
                    unreachable += 1;
                    let cause = f.to_string();
                    match failures.iter_mut().find(|(c, _)| *c == cause) {
                        Some((_, ids)) => ids.push(&m.id),
                        None => failures.push((cause, vec![&m.id])),
                    }
                    if !global.verbose {
                        continue;
                    }
                    ("ERROR", format!("{f}\n      query: {}", one_line(query)))
                }
                None => ("ERROR", "internal: no result".to_string()),
            },
        };
        super::emit(&format!("  {status:<5} {:<width$}  {detail}\n", m.id))?;
    }
    if !global.verbose {
        for (cause, ids) in &failures {
            let which = if ids.len() == pack.metrics.len() {
                format!("all {} metrics", ids.len())
            } else if ids.len() > 1 {
                format!("{} metrics ({})", ids.len(), ids.join(", "))
            } else {
                ids[0].to_string()
            };
            super::emit(&format!("  ERROR {which}: {cause}\n"))?;
        }
    }
    super::emit(&format!(
        "{ok} ok, {empty} empty, {} errors\n",
        rejected + unreachable
    ))?;
    outcome(
        rejected,
        unreachable,
        requests_sent,
        client.base_url(),
        global.verbose,
    )
}

/// An answer in a word (`ok`, `EMPTY`) and a line: its series and points, NaNs, and whether
/// the comparison will accept it.
fn describe(
    m: &crate::pack::Metric,
    query: &str,
    matrix: &crate::series::Matrix,
) -> (&'static str, String) {
    if matrix.is_empty() {
        return (
            "EMPTY",
            format!("no data\n      query: {}", one_line(query)),
        );
    }
    let points: usize = matrix.iter().map(|s| s.points.len()).sum();
    let finite: usize = matrix
        .iter()
        .flat_map(|s| &s.points)
        .filter(|p| p.1.is_finite())
        .count();
    let series_note = if matrix.len() > 1 && m.combine.is_none() {
        " — several series but no combine: the comparison will refuse this metric"
    } else {
        ""
    };
    let nan_note = if finite < points {
        format!(", {} NaN/Inf", points - finite)
    } else {
        String::new()
    };
    (
        "ok",
        format!(
            "{} series, {points} points{nan_note}{series_note}",
            matrix.len()
        ),
    )
}

/// The config run `--check` queries; a snapshot has nothing to check against the source.
fn checked_run(
    global: &GlobalArgs,
    args: &QueriesArgs,
    config: &crate::config::Config,
) -> Result<crate::run::Run> {
    let name = args.run.as_deref().ok_or_else(|| {
        let known: Vec<&str> = config.runs.keys().map(String::as_str).collect();
        Error::input(format!(
            "queries --check needs --run <RUN> (runs in the config: {})",
            if known.is_empty() {
                "none".into()
            } else {
                known.join(", ")
            }
        ))
    })?;
    let run = run::resolve(name, config, &global.baselines)?;
    if let Origin::Snapshot(s) = &run.origin {
        return Err(Error::input(format!(
            "run {name} is a snapshot ({}); --check needs a run defined in the config to query the source",
            s.path.display()
        )));
    }
    Ok(run)
}

/// The check's exit: a source that could not be read (3), rejected queries (2), or fine.
fn outcome(
    rejected: usize,
    unreachable: usize,
    requests_sent: usize,
    url: &str,
    verbose: bool,
) -> Result<()> {
    if unreachable > 0 {
        let what = if unreachable == requests_sent {
            format!("none of the {requests_sent} queries could be read")
        } else {
            format!("{unreachable} of the {requests_sent} queries could not be read")
        };
        Err(Error::source(format!(
            "{what} from {}{}",
            url,
            if verbose {
                ""
            } else {
                " (--verbose shows each query)"
            }
        )))
    } else if rejected > 0 {
        Err(Error::input(format!(
            "{rejected} queries were rejected; see above"
        )))
    } else {
        Ok(())
    }
}

/// `queries import`: a pack from a Grafana dashboard, on stdout or into `--out`.
fn import_dashboard(global: &GlobalArgs, args: &crate::cli::ImportArgs) -> Result<()> {
    let shown = args.file.display().to_string();
    let text = if crate::output::is_stdout(&args.file) {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| Error::input(format!("the dashboard on stdin: {e}")))?;
        text
    } else {
        std::fs::read_to_string(&args.file).map_err(|e| Error::input(format!("{shown}: {e}")))?
    };
    let pattern = args
        .panels
        .as_deref()
        .map(|p| {
            regex_lite::Regex::new(p)
                .map_err(|e| Error::input(format!("--panels '{p}': not a regular expression: {e}")))
        })
        .transpose()?;
    let keep = |title: &str| pattern.as_ref().is_none_or(|r| r.is_match(title));
    let imported = crate::import::import(&text, &shown, &keep)?;
    let target = args.out.as_ref().map(|out| {
        let dir = out.is_dir() || out.to_string_lossy().ends_with('/');
        if dir {
            out.join(&imported.file_name)
        } else {
            out.clone()
        }
    });
    if !global.quiet {
        for line in &imported.skipped {
            super::note(&format!("skipped {line}"));
        }
    }
    let Some(target) = target.filter(|t| !crate::output::is_stdout(t)) else {
        return super::emit(&imported.pack);
    };
    crate::output::check_distinct(
        &[crate::output::Target {
            option: "--out".into(),
            path: target.clone(),
        }],
        &[("the dashboard".into(), args.file.clone())],
    )?;
    if target.exists() && !args.force {
        return Err(Error::input(format!(
            "--out {}: the file exists; pass --force to replace it",
            target.display()
        )));
    }
    let mut staging = crate::output::Staging::default();
    staging.text("--out", &target, &imported.pack)?;
    staging.commit()?;
    if !global.quiet {
        super::note(&format!(
            "imported {} metrics from \"{}\" → {}{}",
            imported.metrics,
            imported.title,
            target.display(),
            match imported.skipped.len() {
                0 => String::new(),
                n => format!(" ({n} panels or queries skipped, listed above)"),
            }
        ));
    }
    Ok(())
}
