//! Reports on the shipped example snapshots: PNG charts (decoded and inspected), Markdown,
//! JUnit XML (parsed and checked against the shape CI reporters read), CSV, colours.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use image::RgbImage;
use quick_xml::events::Event;
use support::*;

/// Runs a comparison of two shipped snapshots from `dir` with extra arguments.
fn run(dir: &Path, baseline: &str, candidate: &str, extra: &[&str]) -> std::process::Output {
    let q = queries_dir();
    let (b, c) = (snap(baseline), snap(candidate));
    let mut args = vec![
        "--queries",
        q.to_str().unwrap(),
        "--baseline",
        &b,
        "--candidate",
        &c,
    ];
    args.extend_from_slice(extra);
    benchcmp(dir, &args)
}

fn load(path: &Path) -> RgbImage {
    image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8()
}

fn count_color(img: &RgbImage, rgb: [u8; 3], tolerance: i32) -> usize {
    img.pixels()
        .filter(|p| {
            p.0.iter()
                .zip(rgb)
                .all(|(a, b)| (*a as i32 - b as i32).abs() <= tolerance)
        })
        .count()
}

const BASELINE: [u8; 3] = [0, 114, 178];
const CANDIDATE: [u8; 3] = [230, 159, 0];
const FAIL: [u8; 3] = [170, 51, 119];
const PASS: [u8; 3] = [34, 136, 51];

#[test]
fn charts_are_real_pngs_that_tell_pass_from_fail() {
    let dir = temp_dir("charts");
    let failing = run(&dir, "weekly", "rest-run", &["--charts", "fail", "--quiet"]);
    assert_eq!(failing.status.code(), Some(1));
    let passing = run(&dir, "weekly", "weekly", &["--charts", "pass", "--quiet"]);
    assert_eq!(passing.status.code(), Some(0), "{}", text(&passing.stderr));

    let pack = benchcmp::pack::load_dir(&queries_dir()).unwrap();
    for m in &pack.metrics {
        for which in ["fail", "pass"] {
            let img = load(&dir.join(which).join(format!("{}.png", m.id)));
            assert_eq!(img.dimensions(), (1200, 620), "{which}/{}", m.id);
            let ink = img.pixels().filter(|p| p.0 != [255, 255, 255]).count();
            assert!(
                ink > 5_000,
                "{which}/{}.png is nearly blank ({ink} pixels)",
                m.id
            );
        }
    }
    let overview = load(&dir.join("fail/overview.png"));
    // Eight panels, two to a row, though 13 metrics failed: the rest are named under the
    // title.
    assert_eq!(overview.dimensions(), (1000, 96 + 4 * 390));
    let summary = load(&dir.join("fail/summary.png"));
    // 8 relative rows, 6 absolute rows.
    assert_eq!(
        summary.dimensions(),
        (1200, 118 + 40 * 8 + 60 + 56 + 40 * 6)
    );

    // Both runs are drawn, in their colours; the title carries the verdict colour.
    let fail_tp = load(&dir.join("fail/throughput.png"));
    assert!(
        count_color(&fail_tp, BASELINE, 0) > 500,
        "baseline line missing"
    );
    assert!(
        count_color(&fail_tp, CANDIDATE, 0) > 500,
        "candidate line missing"
    );
    let status_band = image::imageops::crop_imm(&fail_tp, 0, 44, 1200, 30).to_image();
    assert!(
        count_color(&status_band, FAIL, 10) > 50,
        "the verdict is rendered in the FAIL colour (text needs the embedded font)"
    );
    let pass_tp = load(&dir.join("pass/throughput.png"));
    let status_band = image::imageops::crop_imm(&pass_tp, 0, 44, 1200, 30).to_image();
    assert!(
        count_color(&status_band, PASS, 10) > 50,
        "the verdict is rendered in the PASS colour"
    );
    // Verdict colours are not run colours.
    for v in [FAIL, PASS] {
        for run in [BASELINE, CANDIDATE] {
            let distance: i32 = v
                .iter()
                .zip(run)
                .map(|(a, b)| (*a as i32 - b as i32).abs())
                .sum();
            assert!(distance > 150, "{v:?} too close to {run:?}");
        }
    }

    // The plotted pixels differ between a passing and a failing comparison.
    for file in [
        "throughput.png",
        "summary.png",
        "overview.png",
        "restarts.png",
    ] {
        let (a, b) = (
            load(&dir.join("fail").join(file)),
            load(&dir.join("pass").join(file)),
        );
        let differing = a.pixels().zip(b.pixels()).filter(|(x, y)| x != y).count();
        assert!(
            differing > 2_000,
            "{file}: only {differing} pixels differ between pass and fail"
        );
    }
    // The summary colours failing rows with the FAIL colour, the passing comparison with PASS.
    assert!(count_color(&summary, FAIL, 0) > 500);
    assert!(count_color(&load(&dir.join("pass/summary.png")), FAIL, 0) < 50);
}

/// A copy of a shipped snapshot with `edit` applied to its JSON, written into `dir`.
fn edited(dir: &Path, name: &str, out: &str, edit: impl Fn(&mut serde_json::Value)) -> String {
    let mut s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(snap(name)).unwrap()).unwrap();
    edit(&mut s);
    let path = dir.join(format!("{out}.json"));
    std::fs::write(&path, s.to_string()).unwrap();
    path.to_string_lossy().into_owned()
}

/// Ink (non-white pixels) in a band of rows.
fn ink(img: &RgbImage, y: u32, h: u32) -> usize {
    image::imageops::crop_imm(img, 0, y, img.width(), h)
        .to_image()
        .pixels()
        .filter(|p| p.0 != [255, 255, 255])
        .count()
}

#[test]
fn charts_for_the_ugly_cases_in_png_svg_and_hidpi() {
    let dir = temp_dir("chart-cases");
    // No data in the candidate for throughput; a constant candidate for created; a 7-day
    // pair at a 5-minute step (2,016 points) for all.
    let missing = edited(&dir, "rest-run", "missing", |s| {
        s["metrics"].as_object_mut().unwrap().remove("throughput");
        let created = &mut s["metrics"]["created"]["data"]["result"][0]["values"];
        for v in created.as_array_mut().unwrap() {
            v[1] = serde_json::json!("120");
        }
    });
    let week = |name: &str, level: f64| {
        edited(&dir, "weekly", name, |s| {
            let start = s["run"]["start"].as_str().unwrap().to_string();
            let t0 = chrono_seconds(&start);
            s["run"]["end"] = serde_json::json!(format_seconds(t0 + 7 * 86400));
            s["run"]["step"] = serde_json::json!("5m");
            for (_, m) in s["metrics"].as_object_mut().unwrap() {
                for series in m["data"]["result"].as_array_mut().unwrap() {
                    let first: f64 = series["values"][0][1]
                        .as_str()
                        .unwrap()
                        .parse()
                        .unwrap_or(0.0);
                    let values: Vec<serde_json::Value> = (0..=2016)
                        .map(|i| {
                            let wobble = 1.0 + 0.02 * ((i as f64) / 7.0).sin();
                            serde_json::json!([t0 + i * 300, format!("{}", first * level * wobble)])
                        })
                        .collect();
                    series["values"] = serde_json::Value::Array(values);
                }
            }
        })
    };
    let (wa, wb) = (week("week-a", 1.0), week("week-b", 0.9));
    let cases: Vec<(&str, String, String)> = vec![
        ("missing", snap("weekly"), missing),
        ("collapse", snap("weekly"), snap("rest-run-2")),
        ("leak", snap("weekly"), snap("leak")),
        ("week", wa, wb),
    ];
    let q = queries_dir();
    for (name, b, c) in &cases {
        for (format, extra) in [
            ("png", &[][..]),
            ("svg", &["--chart-format", "svg"][..]),
            ("png2", &["--chart-scale", "2"][..]),
        ] {
            // HiDPI once is enough.
            if format == "png2" && *name != "collapse" {
                continue;
            }
            let out_dir = format!("{name}-{format}");
            let mut args = vec![
                "--queries",
                q.to_str().unwrap(),
                "--baseline",
                b,
                "--candidate",
                c,
                "--charts",
                &out_dir,
                "--quiet",
                "--only",
                "throughput,created,latency_p99,restarts,worker_memory",
            ];
            args.extend_from_slice(extra);
            let out = benchcmp(&dir, &args);
            assert!(
                matches!(out.status.code(), Some(0 | 1 | 4)),
                "{name} {format}: {}",
                text(&out.stderr)
            );
            let ext = if format == "svg" { "svg" } else { "png" };
            for chart in [
                "throughput",
                "created",
                "latency_p99",
                "restarts",
                "worker_memory",
                "summary",
                "overview",
            ] {
                let path = dir.join(&out_dir).join(format!("{chart}.{ext}"));
                if ext == "svg" {
                    let svg = std::fs::read_to_string(&path).unwrap();
                    let mut reader = quick_xml::Reader::from_str(&svg);
                    let mut texts = String::new();
                    let mut in_text = false;
                    loop {
                        match reader.read_event() {
                            Ok(Event::Start(e)) => in_text = e.name().as_ref() == b"text",
                            Ok(Event::Text(t)) if in_text => {
                                texts.push_str(&String::from_utf8_lossy(t.as_ref()))
                            }
                            Ok(Event::End(_)) => in_text = false,
                            Ok(Event::Eof) => break,
                            Err(e) => panic!("{}: not XML: {e}", path.display()),
                            _ => {}
                        }
                    }
                    let want = match chart {
                        "summary" => "every gated metric",
                        "overview" => "overall",
                        "throughput" => "Completed process instances",
                        _ => "change",
                    };
                    assert!(
                        texts.contains(want),
                        "{}: no <text> with {want:?}: {texts}",
                        path.display()
                    );
                } else {
                    let img = load(&path);
                    let (w, _) = img.dimensions();
                    let expected = match chart {
                        "summary" => 1200,
                        "overview" => 1000,
                        _ => 1200,
                    } * if format == "png2" { 2 } else { 1 };
                    assert_eq!(w, expected, "{}", path.display());
                    let k = if format == "png2" { 2 } else { 1 };
                    assert!(
                        ink(&img, 0, 40 * k) > 300 * k as usize,
                        "{}: the title is drawn",
                        path.display()
                    );
                    assert!(
                        ink(&img, 0, img.height()) > 8_000,
                        "{}: nearly blank",
                        path.display()
                    );
                }
            }
        }
    }
    // The missing metric says so; a 7-day run is labelled in days and hours.
    let missing_svg = std::fs::read_to_string(dir.join("missing-svg/throughput.svg")).unwrap();
    assert!(missing_svg.contains("no data in the candidate"));
    let week_svg = std::fs::read_to_string(dir.join("week-svg/throughput.svg")).unwrap();
    assert!(
        week_svg.lines().any(|l| l.trim() == "1d") && week_svg.contains("h:mm"),
        "7-day ticks"
    );
    // The leak's trend and the collapse's final level are labelled; the collapse's p99 shows
    // the censored region and a log axis.
    let leak = std::fs::read_to_string(dir.join("leak-svg/worker_memory.svg")).unwrap();
    assert!(
        leak.contains("trend +8.2%/h") && leak.contains("budget +20%"),
        "leak"
    );
    let collapse = std::fs::read_to_string(dir.join("collapse-svg/throughput.svg")).unwrap();
    assert!(collapse.contains("ended 38.0 PI/s") && collapse.contains("shift -73.6% at 1:41"));
    let p99 = std::fs::read_to_string(dir.join("collapse-svg/latency_p99.svg")).unwrap();
    assert!(p99.contains("above the histogram ceiling") && p99.contains("log scale"));
    // Counts: the label is the steady-window total the table shows.
    let restarts = std::fs::read_to_string(dir.join("leak-svg/restarts.svg")).unwrap();
    assert!(
        restarts.contains("no restarts in either run"),
        "a chart without events says so"
    );
}

/// Seconds of an RFC 3339 time.
fn chrono_seconds(t: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(t).unwrap().timestamp()
}

fn format_seconds(s: i64) -> String {
    chrono::DateTime::from_timestamp(s, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

#[test]
fn markdown_reads_without_the_terminal() {
    let dir = temp_dir("markdown");
    let out = run(
        &dir,
        "weekly",
        "rest-run-2",
        &[
            "--charts",
            "site/charts",
            "--markdown",
            "site/report.md",
            "--quiet",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let md = std::fs::read_to_string(dir.join("site/report.md")).unwrap();
    let first = md.lines().next().unwrap();
    assert!(
        first.starts_with("## benchcmp: ❌ FAIL")
            && first.contains("rest-run-2")
            && first.contains("weekly"),
        "{first}"
    );
    // The snapshots were named by absolute paths outside the working directory: a pull
    // request is told their file names, not this machine's layout.
    let repo_path = repo().to_string_lossy().into_owned();
    assert!(!md.contains(&repo_path), "{md}");
    assert!(md.contains("snapshot `weekly.json`"), "{md}");
    assert!(md.contains("snapshot `rest-run-2.json`"), "{md}");
    assert!(md.contains("| Metric | Baseline | Candidate | Change [95% CI] | Gate | Verdict |"));
    assert!(
        md.contains("| Completed process instances `throughput` | 150 PI/s |"),
        "{md}"
    );
    assert!(
        md.contains("### Findings")
            && md.contains("**Level shift** in the candidate, Completed process instances at 1h4"),
        "{md}"
    );
    assert!(
        md.contains("60% of samples at the histogram ceiling (60 s)"),
        "{md}"
    );
    assert!(md.contains("<details><summary>PromQL sent for each run</summary>") && md.contains("```promql\nsum(rate(zeebe_element_instance_events_total{namespace=~\"ck-bojan-rest-benchmark-2\""), "{md}");
    // Image links are relative to the Markdown file and point at files that exist.
    for link in [
        "charts/summary.png",
        "charts/overview.png",
        "charts/throughput.png",
    ] {
        assert!(
            md.contains(&format!("]({link})")),
            "{link} not linked:\n{md}"
        );
        assert!(dir.join("site").join(link).is_file(), "{link} missing");
    }
    // --format markdown on stdout, without charts, has no image links.
    let out = run(&dir, "weekly", "rest-run", &["--format", "markdown"]);
    let md = text(&out.stdout);
    assert!(
        md.starts_with("## benchcmp: ❌ FAIL") && !md.contains("!["),
        "{md}"
    );
}

/// A testcase's attributes and its outcome element (failure/error/skipped) with attributes.
type Case = (
    BTreeMap<String, String>,
    Option<(String, BTreeMap<String, String>)>,
);

/// The parts of JUnit XML that CI reporters read.
#[derive(Debug, Default)]
struct Suite {
    attrs: BTreeMap<String, String>,
    cases: Vec<Case>,
}

fn attrs(e: &quick_xml::events::BytesStart) -> BTreeMap<String, String> {
    e.attributes()
        .map(|a| {
            let a = a.unwrap();
            (
                String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .unwrap()
                    .into_owned(),
            )
        })
        .collect()
}

fn parse_junit(xml: &str) -> (BTreeMap<String, String>, Vec<Suite>) {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut root = BTreeMap::new();
    let mut suites: Vec<Suite> = Vec::new();
    let mut depth_names: Vec<String> = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                handle(&name, &e, &mut root, &mut suites, &depth_names);
                depth_names.push(name);
            }
            Event::Empty(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                handle(&name, &e, &mut root, &mut suites, &depth_names);
            }
            Event::End(_) => {
                depth_names.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    (root, suites)
}

fn handle(
    name: &str,
    e: &quick_xml::events::BytesStart,
    root: &mut BTreeMap<String, String>,
    suites: &mut Vec<Suite>,
    parents: &[String],
) {
    let parent = parents.last().map(String::as_str);
    match (name, parent) {
        ("testsuites", None) => *root = attrs(e),
        ("testsuite", Some("testsuites")) => suites.push(Suite {
            attrs: attrs(e),
            cases: Vec::new(),
        }),
        ("testcase", Some("testsuite")) => suites.last_mut().unwrap().cases.push((attrs(e), None)),
        ("failure" | "error" | "skipped", Some("testcase")) => {
            suites.last_mut().unwrap().cases.last_mut().unwrap().1 =
                Some((name.to_string(), attrs(e)));
        }
        ("properties" | "property" | "system-out" | "system-err", _) => {}
        (other, p) => panic!("unexpected element <{other}> under {p:?}"),
    }
}

#[test]
fn junit_has_the_shape_ci_reporters_read() {
    let dir = temp_dir("junit");
    let gate = ["--gate", "worker_memory: regression <= 65%"]; // straddles: inconclusive
    let out = run(
        &dir,
        "weekly",
        "rest-run-2",
        &[&["--junit", "junit.xml", "--quiet"][..], &gate[..]].concat(),
    );
    assert_eq!(out.status.code(), Some(1));
    let xml = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    let (root, suites) = parse_junit(&xml);
    assert_eq!(suites.len(), 1, "one testsuite per comparison");
    let suite = &suites[0];
    // Names stay the same across pipelines; the runs are properties.
    assert_eq!(suite.attrs["name"], "benchcmp.zeebe");
    assert!(suite.attrs["timestamp"].starts_with("20") && !suite.attrs["time"].is_empty());
    assert!(xml.contains("<property name=\"candidate\" value=\"rest-run-2\"/>"));
    assert!(
        xml.contains("<property name=\"baseline.steady_start\" value=\"2025-06-27T08:10:00Z\"/>")
    );
    assert_eq!(suite.cases.len(), 14, "one testcase per metric");
    let count = |kind: &str| {
        suite
            .cases
            .iter()
            .filter(|c| c.1.as_ref().is_some_and(|(k, _)| k == kind))
            .count()
    };
    assert_eq!(suite.attrs["tests"], "14");
    assert_eq!(suite.attrs["failures"], count("failure").to_string());
    assert_eq!(suite.attrs["skipped"], count("skipped").to_string());
    assert_eq!(root["tests"], "14");
    for (case, outcome) in &suite.cases {
        assert!(!case["name"].is_empty() && case["classname"] == "benchcmp.zeebe");
        assert!(case["time"].parse::<f64>().is_ok(), "{case:?}");
        if let Some((kind, a)) = outcome {
            assert!(
                !a["message"].is_empty(),
                "{kind} of {} has a message",
                case["name"]
            );
        }
    }
    let case = |id: &str| suite.cases.iter().find(|c| c.0["name"] == id).unwrap();
    let (kind, a) = case("throughput").1.clone().unwrap();
    assert_eq!(
        (kind.as_str(), a["type"].as_str()),
        ("failure", "regression")
    );
    assert!(
        a["message"].contains("change -47.0% [-47.6%, -46.4%] beyond the budget of -10%"),
        "{a:?}"
    );
    // Inconclusive fails closed: a failure of its own type.
    assert_eq!(case("worker_memory").1.as_ref().unwrap().0, "failure");
    assert_eq!(
        case("worker_memory").1.as_ref().unwrap().1["type"],
        "inconclusive"
    );
    assert!(
        case("restarts").1.is_none(),
        "passing metrics are plain testcases"
    );
    assert!(xml.contains("baseline query: sum(rate(zeebe_element_instance_events_total"));

    // --accept-inconclusive: skipped, not failed.
    let out = run(
        &dir,
        "weekly",
        "rest-run-2",
        &[
            &["--format", "junit", "--accept-inconclusive"][..],
            &gate[..],
        ]
        .concat(),
    );
    let (_, suites) = parse_junit(&text(&out.stdout));
    let wm = suites[0]
        .cases
        .iter()
        .find(|c| c.0["name"] == "worker_memory")
        .unwrap();
    assert_eq!(wm.1.as_ref().unwrap().0, "skipped");
}

#[test]
fn csv_export_is_tidy() {
    let dir = temp_dir("csv");
    let out = run(&dir, "weekly", "rest-run", &["--export", "data", "--quiet"]);
    assert_eq!(out.status.code(), Some(1));
    let mut reader = csv::Reader::from_path(dir.join("data/series.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "run",
            "role",
            "metric",
            "offset_seconds",
            "timestamp",
            "value",
            "in_window"
        ]
    );
    let mut rows = 0;
    let mut per_run: BTreeMap<(String, String), usize> = BTreeMap::new();
    for record in reader.records() {
        let r = record.unwrap();
        rows += 1;
        *per_run
            .entry((r[0].to_string(), r[2].to_string()))
            .or_default() += 1;
        let offset: f64 = r[3].parse().unwrap();
        let _value: f64 = match &r[5] {
            "NaN" => f64::NAN,
            v => v.parse().unwrap(),
        };
        // warm-up is 10 min: samples before it are outside the window
        assert_eq!(&r[6] == "true", offset >= 600.0, "{:?}", r);
        assert!(r[4].starts_with("2025-06-"), "{:?}", r);
    }
    assert!(rows > 13_000, "{rows}");
    assert_eq!(
        per_run[&("weekly".to_string(), "throughput".to_string())],
        480
    );
    assert_eq!(
        per_run[&("rest-run".to_string(), "worker_memory".to_string())],
        481
    );
}

#[test]
fn colors_follow_the_flag_and_no_color() {
    let dir = temp_dir("color");
    let always = run(&dir, "weekly", "rest-run", &["--color", "always"]);
    assert!(
        text(&always.stdout).contains("\x1b["),
        "--color always colours"
    );
    let never = run(&dir, "weekly", "rest-run", &["--color", "never"]);
    assert!(!text(&never.stdout).contains("\x1b["));
    // auto on a pipe: no colour (and NO_COLOR is set by the harness as well)
    let auto = run(&dir, "weekly", "rest-run", &[]);
    assert!(!text(&auto.stdout).contains("\x1b["));
    assert!(
        auto.stderr.is_empty(),
        "no progress bar when stderr is not a terminal: {}",
        text(&auto.stderr)
    );
}
