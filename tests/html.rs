//! `--html FILE`: one self-contained page per comparison, checked in a real browser — Debian's
//! headless Chromium loads every shipped example's page with no console error and no
//! request beyond the file itself, its DOM holds every metric row and chart, and it is
//! screenshot at desktop and phone widths and printed to PDF (the files are kept under the
//! test's scratch directory for looking at). The page says what the JSON report says, and
//! every text from a pack, a config or a source is escaped.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::*;

fn chromium() -> PathBuf {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if let Ok(out) = Command::new("which").arg(name).output() {
            if out.status.success() {
                return PathBuf::from(text(&out.stdout).trim());
            }
        }
    }
    panic!("these tests need a headless Chromium: apt-get install chromium (scripts/test and .ci/run install it)");
}

/// Runs headless Chromium on `page` with `args`; its stderr (console and log lines).
fn browse(page: &Path, profile: &Path, args: &[&str]) -> std::process::Output {
    Command::new(chromium())
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--hide-scrollbars",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap()
}

/// The shipped five weeks of one build, as snapshot paths.
fn five_weeks() -> Vec<String> {
    [
        "weekly-cw22",
        "weekly-cw23",
        "weekly-cw24",
        "weekly-cw25",
        "weekly",
    ]
    .iter()
    .map(|n| snap(n))
    .collect()
}

/// The comparisons of the shipped examples: a name and the arguments.
fn examples() -> Vec<(&'static str, Vec<String>)> {
    let mut out: Vec<(&'static str, Vec<String>)> =
        ["rest-run", "rest-run-2", "leak", "weekly-cw24"]
            .into_iter()
            .map(|c| {
                (
                    c,
                    vec![
                        "--baseline".into(),
                        snap("weekly"),
                        "--candidate".into(),
                        snap(c),
                    ],
                )
            })
            .collect();
    let pooled = five_weeks();
    out.push((
        "pooled",
        vec![
            "--baseline".into(),
            pooled.join(","),
            "--candidate".into(),
            snap("leak"),
        ],
    ));
    out
}

fn compare(dir: &Path, name: &str, args: &[String]) -> (PathBuf, serde_json::Value) {
    let page = dir.join(format!("{name}.html"));
    let json = dir.join(format!("{name}.json"));
    let q = queries_dir();
    let mut all: Vec<&str> = vec!["--queries", q.to_str().unwrap()];
    all.extend(args.iter().map(String::as_str));
    all.extend([
        "--html",
        page.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    let out = benchcmp(dir, &all);
    assert!(
        matches!(out.status.code(), Some(0 | 1 | 4)),
        "{name}: {}",
        text(&out.stderr)
    );
    let report = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    (page, report)
}

fn escaped(s: &str) -> String {
    benchcmp::report::html::escape(s)
}

#[test]
fn the_page_says_what_the_json_report_says() {
    let dir = temp_dir("html-agrees");
    for (name, args) in examples() {
        let (page, report) = compare(&dir, name, &args);
        let html = std::fs::read_to_string(&page).unwrap();
        assert!(html.len() < 2_000_000, "{name}: {} bytes", html.len());
        let verdict = report["verdict"]
            .as_str()
            .unwrap()
            .to_uppercase()
            .replace("NO_DATA", "NO DATA");
        assert!(
            html.contains(&format!("</span> {verdict}</span> <code>")),
            "{name}: overall {verdict}"
        );
        for m in report["metrics"].as_array().unwrap() {
            let id = m["id"].as_str().unwrap();
            let row_start = html
                .find(&format!("<tr id=\"metric-{}\"", escaped(id)))
                .unwrap_or_else(|| panic!("{name}: no row for {id}"));
            let row = &html[row_start..row_start + html[row_start..].find("</tr>").unwrap()];
            if let Some(v) = m["verdict"].as_str() {
                let word = v.to_uppercase().replace("NO_DATA", "NO DATA");
                assert!(
                    row.contains(&format!("</span> {word}</span>")),
                    "{name} {id}: {word} in {row}"
                );
            }
            if let Some(change) = m["change"]["text"].as_str() {
                assert!(
                    row.contains(&escaped(change)),
                    "{name} {id}: {change} in {row}"
                );
            }
            if let Some(gate) = m["gate"]["text"].as_str() {
                assert!(row.contains(&escaped(gate)), "{name} {id}: gate {gate}");
            }
            assert!(
                html.contains(&format!("id=\"chart-{}\"", escaped(id)))
                    || m["verdict"] == "pass"
                    || m["verdict"].is_null(),
                "{name} {id}: a chart for every metric that needs attention"
            );
        }
        assert!(
            !html.contains("http://") && !html.contains("https://") || !html.contains("src=\"http"),
            "{name}: nothing from elsewhere"
        );
        for attr in ["src=\"http", "href=\"http", "url(http", "@import"] {
            assert!(!html.contains(attr), "{name}: {attr}");
        }
    }
}

#[test]
fn every_text_from_a_pack_a_config_or_a_source_is_escaped() {
    let dir = temp_dir("html-escape");
    let evil = "<script>alert(1)</script> & \"q\" 'x' <img src=x onerror=alert(2)>";
    // A pack whose titles and units carry markup, and a snapshot whose variables and path do.
    let pack_dir = dir.join("pack");
    std::fs::create_dir_all(&pack_dir).unwrap();
    std::fs::write(
        pack_dir.join("evil.toml"),
        format!(
            "[[metric]]\nid = \"throughput\"\ntitle = '{t}'\nunit = 'PI/s'\nbetter = \"higher\"\ngate = \"regression <= 10%\"\nquery = 'sum(rate(x{{namespace=~\"$namespace\", a=\"<b>&\"}}[1m]))'\n",
            t = evil.replace('\'', "")
        ),
    )
    .unwrap();
    let mut snapshot: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(snap("rest-run")).unwrap()).unwrap();
    snapshot["run"]["vars"]["namespace"] = serde_json::Value::String(evil.into());
    let odd = dir.join("a&b<c>");
    std::fs::create_dir_all(&odd).unwrap();
    let cand = odd.join("rest-run.json");
    std::fs::write(&cand, serde_json::to_string(&snapshot).unwrap()).unwrap();
    let page = dir.join("evil.html");
    let out = benchcmp(
        &dir,
        &[
            "--queries",
            pack_dir.to_str().unwrap(),
            "--baseline",
            &snap("weekly"),
            "--candidate",
            cand.to_str().unwrap(),
            "--html",
            page.to_str().unwrap(),
        ],
    );
    assert!(
        matches!(out.status.code(), Some(1)),
        "{}",
        text(&out.stderr)
    );
    let html = std::fs::read_to_string(&page).unwrap();
    // The only script is the page's own; no markup from the inputs survives as markup.
    assert_eq!(html.matches("<script").count(), 1, "{html}");
    assert!(!html.contains("<img"), "an <img> from the inputs");
    assert!(!html.contains("<b>&"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;"));
    assert!(
        html.contains("a&amp;b&lt;c&gt;"),
        "the snapshot's path escaped"
    );
    // In the browser: the DOM has the text, no element came from it, and nothing ran.
    let profile = dir.join("profile");
    let dom = browse(&page, &profile, &["--dump-dom"]);
    let dom_text = text(&dom.stdout);
    assert!(
        dom_text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{dom_text}"
    );
    assert!(
        !dom_text.contains("<img"),
        "the browser built an element from the inputs"
    );
    assert!(
        !text(&dom.stderr).contains("alert"),
        "{}",
        text(&dom.stderr)
    );
}

/// The URLs a page's document asked for, from Chromium's net log: requests with an
/// initiator (a file:// page's is "null"); the browser's own have "not an origin".
fn page_requests(netlog: &Path) -> Vec<String> {
    let text =
        std::fs::read_to_string(netlog).unwrap_or_else(|e| panic!("{}: {e}", netlog.display()));
    // A log the browser did not close ends in the middle of its event list.
    let log: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|_| {
        let trimmed = text.trim_end().trim_end_matches(',');
        serde_json::from_str(&format!("{trimmed}]}}")).unwrap()
    });
    let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"].clone();
    log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == start_job)
        .filter(|e| {
            e["params"]["initiator"]
                .as_str()
                .is_some_and(|i| i != "not an origin")
        })
        .map(|e| e["params"]["url"].as_str().unwrap_or("").to_string())
        .collect()
}

/// What the page wrote to the console (errors and anything else: the report writes none).
fn console(out: &std::process::Output) -> Vec<String> {
    text(&out.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .map(String::from)
        .collect()
}

/// The checks can fail: a page with an image and a stylesheet from elsewhere and a script
/// error.
#[test]
fn a_page_that_asks_for_something_is_caught() {
    let dir = temp_dir("html-requests");
    let page = dir.join("asks.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><body><img src=\"http://127.0.0.1:9/x.png\"><link rel=stylesheet href=\"http://127.0.0.1:9/a.css\"><script>undefinedFunction();</script></body></html>",
    )
    .unwrap();
    let netlog = dir.join("net.json");
    browse(
        &page,
        &dir.join("profile"),
        &["--dump-dom", &format!("--log-net-log={}", netlog.display())],
    );
    let asked = page_requests(&netlog);
    assert!(asked.iter().any(|u| u.ends_with("/x.png")), "{asked:?}");
    assert!(asked.iter().any(|u| u.ends_with("/a.css")), "{asked:?}");
}

/// Loads each example's page in headless Chromium: no console error, no request but the
/// file, every metric row and chart in the DOM; screenshots at desktop and phone widths
/// and the printed PDF are written next to the page.
#[test]
fn each_example_opens_in_a_real_browser_with_no_error_and_no_request() {
    let dir = temp_dir("html-browser");
    for (name, args) in examples() {
        let (page, report) = compare(&dir, name, &args);
        let profile = dir.join(format!("profile-{name}"));
        let netlog = dir.join(format!("{name}-net.json"));
        let dom = browse(
            &page,
            &profile,
            &["--dump-dom", &format!("--log-net-log={}", netlog.display())],
        );
        let errors = console(&dom);
        assert!(errors.is_empty(), "{name}: console: {errors:?}");
        let dom_text = text(&dom.stdout);
        let metrics = report["metrics"].as_array().unwrap();
        assert_eq!(
            dom_text.matches("<tr id=\"metric-").count(),
            metrics.len(),
            "{name}: a row per metric"
        );
        let charts = dom_text.matches("<figure id=\"chart-").count();
        assert!(
            charts >= 2,
            "{name}: the summary and overview at least ({charts})"
        );
        assert!(
            dom_text.matches("<svg").count() >= charts,
            "{name}: charts inline as SVG"
        );
        // The net log: nothing the page asked for (the browser's own update and time
        // checks are not the page's).
        let asked = page_requests(&netlog);
        assert!(asked.is_empty(), "{name}: the page asked for {asked:?}");
        for (shot, width) in [("desktop", "1280,2400"), ("phone", "390,2400")] {
            let png = dir.join(format!("{name}-{shot}.png"));
            let out = browse(
                &page,
                &profile,
                &[
                    &format!("--screenshot={}", png.display()),
                    &format!("--window-size={width}"),
                ],
            );
            let bytes = std::fs::read(&png)
                .unwrap_or_else(|_| panic!("{name} {shot}: {}", text(&out.stderr)));
            assert_eq!(&bytes[1..4], b"PNG", "{name} {shot}");
            let img = image::load_from_memory(&bytes).unwrap();
            assert_eq!(
                img.width(),
                width.split(',').next().unwrap().parse::<u32>().unwrap()
            );
        }
        let pdf = dir.join(format!("{name}.pdf"));
        browse(
            &page,
            &profile,
            &[
                &format!("--print-to-pdf={}", pdf.display()),
                "--no-pdf-header-footer",
            ],
        );
        let bytes = std::fs::read(&pdf).unwrap();
        assert!(bytes.starts_with(b"%PDF"), "{name}: a PDF");
    }
    eprintln!("screenshots and PDFs in {}", dir.display());
}

/// `watch` writes the page at its end; `history` writes its own: both open in the browser
/// with no error and no request.
#[test]
fn watch_and_history_write_their_pages_too() {
    let dir = temp_dir("html-watch-history");
    let q = queries_dir();
    let page = dir.join("watch.html");
    let out = benchcmp(
        &dir,
        &[
            "watch",
            "--queries",
            q.to_str().unwrap(),
            "--baseline",
            &snap("weekly"),
            "--replay",
            &snap("rest-run-2"),
            "--speed",
            "100000",
            "--stop-on-fail",
            "--html",
            page.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("</span> FAIL</span> <code>rest-run-2</code>"),
        "the watch's verdict"
    );
    assert!(
        html.contains("watched for 7m of its 3h50m steady window"),
        "the watch's own findings"
    );
    let history = dir.join("history.html");
    let runs = five_weeks();
    let out = benchcmp(
        &dir,
        &[
            "history",
            "--queries",
            q.to_str().unwrap(),
            "--baseline",
            &runs.join(","),
            "--only",
            "throughput,worker_memory",
            "--html",
            history.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let html = std::fs::read_to_string(&history).unwrap();
    assert_eq!(html.matches("<section id=\"history-").count(), 2);
    assert_eq!(html.matches("<svg").count(), 2, "a chart per metric");
    for run in ["weekly-cw22", "weekly-cw25"] {
        assert!(html.contains(&format!("<code>{run}</code>")), "{run}");
    }
    for p in [&page, &history] {
        let netlog = dir.join("net.json");
        let dom = browse(
            p,
            &dir.join("profile"),
            &["--dump-dom", &format!("--log-net-log={}", netlog.display())],
        );
        assert!(
            console(&dom).is_empty(),
            "{}: {:?}",
            p.display(),
            console(&dom)
        );
        assert!(page_requests(&netlog).is_empty(), "{}", p.display());
        assert!(text(&dom.stdout).contains("<svg"));
    }
}

/// A 70-metric pack whose metrics all pass: the page stays bounded and says what it left
/// out (a real Prometheus; one query, seventy metrics of it).
#[test]
fn a_large_pack_keeps_the_page_bounded_and_says_so() {
    let prom = prometheus();
    let dir = temp_dir("html-large");
    std::fs::write(dir.join("benchcmp.toml"), fixture_config(&prom.url)).unwrap();
    std::fs::create_dir_all(dir.join("queries")).unwrap();
    let pack: String = (0..70)
        .map(|i| {
            format!(
                "[[metric]]\nid = \"throughput_{i}\"\ntitle = \"Throughput {i}\"\nunit = \"PI/s\"\nbetter = \"higher\"\ngate = \"regression <= 10%\"\nquery = 'sum(rate(zeebe_element_instance_events_total{{namespace=~\"$namespace\", action=\"completed\", type=\"PROCESS\"}}[$__rate_interval]))'\n\n"
            )
        })
        .collect();
    std::fs::write(dir.join("queries/large.toml"), pack).unwrap();
    let out = benchcmp(
        &dir,
        &[
            "--baseline",
            "stable-a",
            "--candidate",
            "stable-b",
            "--html",
            "large.html",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let html = std::fs::read_to_string(dir.join("large.html")).unwrap();
    assert_eq!(
        html.matches("<tr id=\"metric-").count(),
        70,
        "every metric in the table"
    );
    assert!(html.len() < 2_000_000, "{} bytes", html.len());
    assert!(
        html.contains("more charts of passing metrics are left out to keep this page small"),
        "said on the page"
    );
    assert!(html.contains("<details>\n<summary>Charts of the 70 passing or ungated metrics"));
}
