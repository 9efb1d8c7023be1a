//! `benchcmp completions`, `man` and `schema`: shell completions, the man page and the JSON
//! Schemas, generated from the command-line definitions and the document types so they
//! never drift from them.

use clap::CommandFactory;

use crate::cli::{Cli, SchemaDocument};
use crate::error::{Error, Result};

pub fn completions(shell: clap_complete::Shell) -> Result<()> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "benchcmp", &mut out);
    super::emit(&String::from_utf8_lossy(&out))
}

/// The JSON Schema of a document benchcmp writes, as kept in `schemas/`.
pub fn schema_text(document: SchemaDocument) -> String {
    let schema = match document {
        SchemaDocument::Report => crate::report::json::schema(),
        SchemaDocument::Snapshot => crate::source::snapshot::schema(),
        SchemaDocument::Watch => crate::watch::schema(),
    };
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

pub fn schema(document: SchemaDocument) -> Result<()> {
    super::emit(&schema_text(document))
}

pub fn man() -> Result<()> {
    super::emit(&man_page()?)
}

/// The man page: what the tool does, every command with its synopsis, its options and
/// its examples — all in this one page (there are no `benchcmp-<command>(1)` pages), the
/// global options and the exit codes. Examples stay as typed (no filling, no
/// hyphenation); prose is filled.
pub fn man_page() -> Result<String> {
    use roff::{bold, roman, Roff};
    let mut cmd = Cli::command();
    cmd.build();
    let mut out = Vec::new();
    let failed = |e: std::io::Error| Error::input(format!("cannot render the man page: {e}"));
    let top = clap_mangen::Man::new(cmd.clone());
    top.render_title(&mut out).map_err(failed)?;
    top.render_name_section(&mut out).map_err(failed)?;
    // No hyphenation (a flag or a path split across lines cannot be typed back), ragged
    // right.
    let mut page = String::from_utf8_lossy(&out).replacen("\n.SH", "\n.nh\n.ad l\n.SH", 1);
    let mut roff = Roff::new();
    roff.control("SH", ["SYNOPSIS"]).control("nf", []);
    for line in SYNOPSIS {
        roff.text([bold("benchcmp"), roman(format!(" {line}"))]);
    }
    roff.control("fi", [])
        .control("SH", ["DESCRIPTION"])
        .text([roman(
            "Compares a candidate benchmark run with a baseline run (or several), metric by \
             metric, from Prometheus or from snapshots of it, and decides each gate with \
             intervals that hold under autocorrelation, gaps and censoring. Missing, partial \
             or unprovable data is never a pass. Without a command, benchcmp compares.",
        )]);
    page += &roff.to_roff();
    let compare_ids: Vec<String> = cmd
        .find_subcommand("compare")
        .map(|c| {
            c.get_arguments()
                .filter(|a| !a.is_global_set() && a.get_id() != "help")
                .map(|a| a.get_id().to_string())
                .collect()
        })
        .unwrap_or_default();
    let mut roff = Roff::new();
    roff.control("SH", ["COMMANDS"]);
    page += &roff.to_roff();
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_name();
        if name == "help" {
            continue;
        }
        let full = format!("benchcmp {name}");
        // A command's own options: not the global ones (OPTIONS below), and for `watch`
        // not those it shares with `compare` (said in one line).
        let shared = name == "watch";
        let own = sub.clone().bin_name(&full).mut_args(|a| {
            let id = a.get_id().to_string();
            let hide = a.is_global_set() || id == "help" || (shared && compare_ids.contains(&id));
            a.hide(hide)
        });
        let mut roff = Roff::new();
        roff.control("SS", [full.as_str()]);
        if let Some(about) = sub.get_long_about().or_else(|| sub.get_about()) {
            roff.text([roman(about.to_string())]);
        }
        roff.control("PP", []);
        page += &roff.to_roff();
        let mut out = Vec::new();
        clap_mangen::Man::new(own.clone())
            .render_synopsis_section(&mut out)
            .map_err(failed)?;
        page += &without_headings(&String::from_utf8_lossy(&out));
        if shared {
            let mut roff = Roff::new();
            roff.control("PP", []).text([
                roman("Every option of "),
                bold("benchcmp compare"),
                roman(", and:"),
            ]);
            page += &roff.to_roff();
        }
        if own.get_arguments().any(|a| !a.is_hide_set()) {
            page += &options_of(&own)?;
        }
        if let Some(after) = sub.get_after_help() {
            page += &help_text(&after.to_string());
        }
    }
    let globals = cmd.clone().mut_args(|a| {
        let global = a.is_global_set() && a.get_id() != "help";
        a.hide(!global)
    });
    let mut roff = Roff::new();
    roff.control("SH", ["OPTIONS"])
        .text([roman("Global, before or after the command:")]);
    page += &roff.to_roff();
    page += &options_of(&globals)?;
    let mut roff = Roff::new();
    roff.control("SH", ["EXAMPLES"]);
    page += &roff.to_roff();
    page += &help_text(crate::cli::MAIN_EXAMPLES);
    let mut roff = Roff::new();
    roff.control("SH", ["EXIT STATUS"])
        .text([roman("Of compare (watch: see above):")])
        .control("nf", []);
    for line in crate::cli::EXIT_CODES.lines().skip(1) {
        roff.text([roman(line.to_string())]);
    }
    roff.control("fi", []).control("SH", ["SEE ALSO"]).text([
        bold("prometheus"),
        roman("(1), "),
        bold("promtool"),
        roman("(1); the project's README for the statistics and the formats."),
    ]);
    page += &roff.to_roff();
    Ok(page)
}

/// The synopsis lines after `benchcmp`.
const SYNOPSIS: &[&str] = &[
    "[compare] --baseline RUN --candidate RUN [options]",
    "watch --baseline RUN --candidate RUN [options]",
    "record RUN [--output FILE|-] [--force]",
    "runs [--format json]",
    "queries [--check --run RUN] [--format json] [--default]",
    "history --baseline RUNS [--candidate RUN] [options]",
    "init [FILE|-] [--force]",
    "completions SHELL",
    "man",
    "schema report|snapshot|watch",
];

/// The options section of `cmd` with its heading dropped (the caller writes one).
fn options_of(cmd: &clap::Command) -> Result<String> {
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render_options_section(&mut out)
        .map_err(|e| Error::input(format!("cannot render the man page: {e}")))?;
    Ok(without_headings(&String::from_utf8_lossy(&out)))
}

/// Roff without its `.SH` headings (a command's part is one `.SS` under COMMANDS).
fn without_headings(roff: &str) -> String {
    roff.lines()
        .filter(|l| !l.starts_with(".SH"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// A help text's paragraphs: indented lines (examples, lists) as typed, without filling
/// or hyphenation; the rest filled.
fn help_text(text: &str) -> String {
    use roff::{roman, Roff};
    let mut roff = Roff::new();
    for paragraph in text.split("\n\n") {
        let lines: Vec<&str> = paragraph.lines().collect();
        let Some(first) = lines.first() else {
            continue;
        };
        roff.control("PP", []);
        let verbatim = lines.iter().skip(1).any(|l| l.starts_with("  "));
        if verbatim {
            roff.text([roman(first.to_string())]);
            roff.control("nf", []);
            for line in &lines[1..] {
                roff.text([roman(line.to_string())]);
            }
            roff.control("fi", []);
        } else {
            roff.text([roman(lines.join(" "))]);
        }
    }
    roff.to_roff()
}
