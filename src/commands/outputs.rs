//! Writing a report everywhere it was asked for: charts and CSV into staged directories,
//! report files staged, all committed only when everything rendered; then stdout, GitHub's
//! step summary and annotations, and the report's warnings. `compare`, `watch` and
//! `history` end here.

use std::path::Path;

use crate::cli::Format;
use crate::error::{Error, Result};
use crate::options::{ChartLinks, CompareOptions};
use crate::output;
use crate::report::{self, Presentation, Report};

/// The report as one page with its charts as SVG: those `--charts` drew already when it
/// draws SVG, else drawn into a scratch directory that is removed afterwards.
fn html_page(
    report: &Report,
    chart_options: &report::charts::ChartOptions,
    drawn: Option<&[std::path::PathBuf]>,
) -> Result<String> {
    use report::charts::{ChartFormat, ChartOptions};
    let charts = match drawn.filter(|_| chart_options.format == ChartFormat::Svg) {
        Some(files) => report::html::read_charts(files)?,
        None => {
            let scratch =
                std::env::temp_dir().join(format!("benchcmp-html-{}", std::process::id()));
            let options = ChartOptions {
                format: ChartFormat::Svg,
                scale: 1.0,
                ..*chart_options
            };
            let charts = report::charts::render_all(report, &scratch, &options)
                .and_then(|files| report::html::read_charts(&files));
            let _ = std::fs::remove_dir_all(&scratch);
            charts?
        }
    };
    Ok(report::html::render(report, &charts))
}

/// Checks, before anything is read, that no output (`targets`) is an input — one of the
/// `snapshots` read (what each is, and its path) or the config file — and that no two
/// outputs share a path.
pub fn reserve(
    targets: &[output::Target],
    mut snapshots: Vec<(String, std::path::PathBuf)>,
    config: &crate::config::Config,
) -> Result<()> {
    if let Some(path) = &config.path {
        snapshots.push(("the config file".into(), path.clone()));
    }
    output::check_distinct(targets, &snapshots)
}

/// Writes every report: charts and CSV into staged directories, report files staged, all
/// committed only when everything rendered; then stdout, GitHub's outputs and warnings.
pub fn write_reports(report: &Report, options: &CompareOptions, with_stdout: bool) -> Result<()> {
    // What the analysis freed goes back to the system before the outputs allocate.
    crate::memory::give_back();
    let outputs = &options.outputs;
    let mut staging = output::Staging::default();
    let charts = match &outputs.charts {
        Some(dir) => Some((dir, staging.directory("--charts", dir)?)),
        None => None,
    };
    let export = match &outputs.export {
        Some(dir) => Some((dir, staging.directory("--export", dir)?)),
        None => None,
    };
    // The CSV is written while the charts are drawn (on long runs both take a while).
    let (charts_done, export_done) = crate::parallel::join(
        || {
            charts.as_ref().map(|(_, staged)| {
                report::charts::render_all(report, staged, &outputs.chart_options)
            })
        },
        || {
            export
                .as_ref()
                .map(|(_, staged)| report::csv::export(report, staged))
        },
    );
    let charts_drawn = charts_done.transpose()?;
    if let (Some((dir, staged)), Some(files)) = (&charts, &charts_drawn) {
        staging.staged_in(staged, dir, files);
    }
    if let (Some((dir, staged)), Some(file)) = (&export, export_done) {
        staging.staged_in(staged, dir, &[file?]);
    }
    if let Some(path) = &outputs.html {
        let page = html_page(report, &outputs.chart_options, charts_drawn.as_deref())?;
        staging.text("--html", path, &page)?;
    }
    // Markdown links charts by URL, or relative to where the Markdown goes; never by an
    // absolute local path.
    let presentation_for = |target: Option<&Path>| Presentation {
        terminal: options.terminal,
        chart_links: outputs
            .charts
            .as_ref()
            .map(|dir| match &outputs.chart_links {
                Some(ChartLinks::Url(url)) => url.clone(),
                _ => {
                    let from = target
                        .and_then(Path::parent)
                        .filter(|p| !p.as_os_str().is_empty())
                        .unwrap_or(Path::new("."));
                    report::markdown::relative_path(from, dir)
                        .to_string_lossy()
                        .into_owned()
                }
            }),
        charts_dir: outputs
            .charts
            .as_ref()
            .map(|d| d.to_string_lossy().into_owned()),
        chart_ext: outputs.chart_options.format.extension(),
        markdown_budget: outputs.markdown_budget,
    };
    // Each format is rendered once; Markdown once per chart-link base (it depends on where
    // the file goes).
    let mut rendered: Vec<((Format, Option<String>), String)> = Vec::new();
    let mut render = |format: Format, target: Option<&Path>| -> String {
        let presentation = presentation_for(target);
        let key = (
            format,
            (format == Format::Markdown)
                .then(|| presentation.chart_links.clone())
                .flatten(),
        );
        if let Some((_, text)) = rendered.iter().find(|(k, _)| *k == key) {
            return text.clone();
        }
        let text = report::render(format, report, &presentation);
        rendered.push((key, text.clone()));
        text
    };
    for (format, path) in &outputs.files {
        let text = render(*format, Some(path));
        staging.text(format.option(), path, &text)?;
    }
    let stdout = with_stdout.then(|| render(outputs.stdout, None));
    staging.commit()?;
    if let Some(stdout) = stdout {
        super::emit(&stdout)?;
    }
    if let Some(github) = &outputs.github {
        let summary = github
            .step_summary
            .as_deref()
            .map(|path| (path, render(Format::Markdown, Some(path))));
        write_github(report, summary, outputs.stdout)?;
    }
    for w in &report.warnings {
        super::warn(w);
    }
    Ok(())
}

/// `--github`: the Markdown summary appended to `$GITHUB_STEP_SUMMARY`, annotations for
/// failed and inconclusive metrics (on stdout with the table, else on stderr so a JSON or
/// XML stdout stays clean).
fn write_github(
    report: &Report,
    step_summary: Option<(&Path, String)>,
    stdout: Format,
) -> Result<()> {
    match step_summary {
        Some((path, markdown)) => {
            output::append(path, &markdown).map_err(|e| {
                Error::input(format!("--github: GITHUB_STEP_SUMMARY {}: {e}", path.display()))
            })?;
        }
        None => super::warn("--github: GITHUB_STEP_SUMMARY is not set, so no step summary was written (outside GitHub Actions?)"),
    }
    let annotations = report::github::annotations(report);
    if stdout == Format::Table {
        super::emit(&annotations)
    } else {
        super::note(annotations.trim_end_matches('\n'));
        Ok(())
    }
}
