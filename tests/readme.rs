//! The documentation's examples, run as a newcomer would: every `benchcmp …` command in a
//! ```` ```sh ```` block of README.md (and of `docs/*.md`) that works on the shipped data is
//! run in a scratch directory (the shipped `baselines/` and `queries/` linked in, `HOME`
//! there too) and must end with the exit code the line states (`# … exit code N`, else 0).
//! A block whose first line is `# live: …` needs a Prometheus and is not run.
//!
//! Samples of output are blocks whose first line is `$ benchcmp …`: the rest is what the
//! binary prints on stdout at 100 columns without colour, where a line `...` stands for any
//! number of lines and `[..]` for any text within a line. A sample that drifts fails.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{repo, temp_dir, text};

/// A fenced block: its info string and lines.
struct Block {
    file: String,
    line: usize,
    info: String,
    lines: Vec<String>,
}

fn documents() -> Vec<PathBuf> {
    let mut files = vec![repo().join("README.md")];
    if let Ok(entries) = std::fs::read_dir(repo().join("docs")) {
        let mut docs: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect();
        docs.sort();
        files.extend(docs);
    }
    files
}

fn blocks(path: &Path) -> Vec<Block> {
    let text = std::fs::read_to_string(path).unwrap();
    let file = path
        .strip_prefix(repo())
        .unwrap_or(path)
        .display()
        .to_string();
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in text.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => {
                open = Some(Block {
                    file: file.clone(),
                    line: i + 1,
                    info: info.trim().to_string(),
                    lines: Vec::new(),
                })
            }
            (Some(_), Some(_)) => out.push(open.take().unwrap()),
            (Some(b), None) => b.lines.push(line.to_string()),
            (None, None) => {}
        }
    }
    out
}

/// A scratch directory that looks like the repository to a newcomer's command.
fn scratch(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    for linked in ["baselines", "queries"] {
        std::os::unix::fs::symlink(repo().join(linked), dir.join(linked)).unwrap();
    }
    dir
}

/// Runs one shell command line with the built binary first on PATH.
fn shell(dir: &Path, command: &str) -> std::process::Output {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_benchcmp"));
    let path = format!(
        "{}:{}",
        exe.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(dir)
        .env("PATH", path)
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env_remove("BENCHCMP_PROMETHEUS_URL")
        .output()
        .unwrap()
}

/// Logical lines of a shell block: continuations joined, comments split off.
fn commands(lines: &[String]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut pending = String::new();
    for line in lines {
        let line = line.trim_end();
        if let Some(head) = line.strip_suffix('\\') {
            pending.push_str(head.trim_end());
            pending.push(' ');
            continue;
        }
        pending.push_str(line.trim_start());
        let whole = std::mem::take(&mut pending);
        let (command, comment) = match whole.find(" #") {
            Some(i) => (
                whole[..i].trim().to_string(),
                whole[i + 2..].trim().to_string(),
            ),
            None if whole.starts_with('#') => (String::new(), whole[1..].trim().to_string()),
            None => (whole.trim().to_string(), String::new()),
        };
        if !command.is_empty() {
            out.push((command, comment));
        }
    }
    out
}

/// The exit code a comment states (`exit code 1`, `exit 4`), else 0.
fn stated_exit(comment: &str) -> i32 {
    let words: Vec<&str> = comment.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        if *w == "exit" {
            let next = words.get(i + 1).copied().unwrap_or("");
            let next = if next == "code" {
                words.get(i + 2).copied().unwrap_or("")
            } else {
                next
            };
            if let Ok(code) = next.trim_matches(|c: char| !c.is_ascii_digit()).parse() {
                return code;
            }
        }
    }
    0
}

#[test]
fn every_command_of_the_documentation_runs_with_the_exit_code_it_states() {
    let mut ran = 0;
    for doc in documents() {
        for block in blocks(&doc).into_iter().filter(|b| b.info == "sh") {
            if block
                .lines
                .first()
                .is_some_and(|l| l.trim_start().starts_with("# live"))
            {
                continue;
            }
            // One scratch directory per block: its commands build on each other.
            let dir = scratch(&format!("readme-{}", block.line));
            for (command, comment) in commands(&block.lines) {
                let command = command
                    .strip_prefix("cargo run --release -- ")
                    .map(|rest| format!("benchcmp {rest}"))
                    .unwrap_or(command);
                let runnable = command.starts_with("benchcmp ") || command.starts_with("mkdir -p ");
                if !runnable {
                    continue;
                }
                let out = shell(&dir, &command);
                let expected = stated_exit(&comment);
                assert_eq!(
                    out.status.code(),
                    Some(expected),
                    "{}:{}: `{command}` exited {:?}, the documentation says {expected}\n{}",
                    block.file,
                    block.line,
                    out.status.code(),
                    text(&out.stderr)
                );
                ran += 1;
            }
        }
    }
    assert!(ran >= 5, "only {ran} commands found in the documentation");
}

/// Whether `actual` matches `expected`, where `[..]` stands for any text.
fn line_matches(expected: &str, actual: &str) -> bool {
    let parts: Vec<&str> = expected.split("[..]").collect();
    if parts.len() == 1 {
        return expected == actual;
    }
    let mut rest = actual;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(at) = rest.find(part) else {
                return false;
            };
            rest = &rest[at + part.len()..];
        }
    }
    true
}

/// Whether `actual` lines match `expected` lines, where a line `...` stands for any number
/// of lines.
fn lines_match(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first.trim() == "..." => {
            (0..=actual.len()).any(|skip| lines_match(rest, &actual[skip..]))
        }
        Some((first, rest)) => actual
            .split_first()
            .is_some_and(|(a, more)| line_matches(first, a) && lines_match(rest, more)),
    }
}

#[test]
fn samples_of_output_are_what_the_binary_prints() {
    let mut checked = 0;
    for doc in documents() {
        for block in blocks(&doc) {
            let Some(command) = block
                .lines
                .first()
                .and_then(|l| l.strip_prefix("$ "))
                .filter(|c| c.starts_with("benchcmp "))
            else {
                continue;
            };
            let dir = scratch(&format!("sample-{}", block.line));
            let out = shell(&dir, command);
            let stdout = text(&out.stdout);
            let actual: Vec<&str> = stdout.lines().collect();
            assert!(
                lines_match(&block.lines[1..], &actual),
                "{}:{}: the sample of `{command}` drifted; the binary prints:\n{stdout}\n{}",
                block.file,
                block.line,
                text(&out.stderr)
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 3,
        "only {checked} samples found in the documentation"
    );
}

#[test]
fn the_matching_rules_of_samples() {
    assert!(line_matches("a [..] c", "a b c"));
    assert!(line_matches("[..] c", "x c"));
    assert!(!line_matches("a [..] c", "a b d"));
    let expected: Vec<String> = ["one", "...", "four"].map(String::from).to_vec();
    assert!(lines_match(&expected, &["one", "two", "three", "four"]));
    assert!(lines_match(&expected, &["one", "four"]));
    assert!(!lines_match(&expected, &["one", "two"]));
    assert_eq!(stated_exit("the example story: exit code 1"), 1);
    assert_eq!(stated_exit("exit 4 (inconclusive)"), 4);
    assert_eq!(stated_exit("a starter config"), 0);
    assert_eq!(
        commands(&["benchcmp a \\".into(), "  --b c   # exit 1".into()]),
        [("benchcmp a --b c".to_string(), "exit 1".to_string())]
    );
}
