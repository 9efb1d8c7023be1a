//! Reports on the shipped example snapshots: PNG charts (decoded and inspected), Markdown,
//! JUnit XML (parsed and checked against the shape CI reporters read), CSV, colours.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use image::RgbImage;
use quick_xml::events::Event;
use support::*;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn snap(name: &str) -> String {
    repo()
        .join("baselines")
        .join(format!("{name}.json"))
        .to_string_lossy()
        .into_owned()
}

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
const FAIL: [u8; 3] = [213, 94, 0];
const PASS: [u8; 3] = [0, 158, 115];

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
            assert_eq!(img.dimensions(), (1100, 560), "{which}/{}", m.id);
            let ink = img.pixels().filter(|p| p.0 != [255, 255, 255]).count();
            assert!(
                ink > 5_000,
                "{which}/{}.png is nearly blank ({ink} pixels)",
                m.id
            );
        }
    }
    let overview = load(&dir.join("fail/overview.png"));
    assert_eq!(overview.dimensions(), (1500, 900));
    let summary = load(&dir.join("fail/summary.png"));
    assert_eq!(summary.dimensions(), (1100, 120 + 42 * 14));

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
    let title_band = image::imageops::crop_imm(&fail_tp, 0, 40, 1100, 50).to_image();
    assert!(
        count_color(&title_band, FAIL, 10) > 50,
        "the title is rendered in the FAIL colour (text needs the embedded font)"
    );
    let pass_tp = load(&dir.join("pass/throughput.png"));
    let title_band = image::imageops::crop_imm(&pass_tp, 0, 40, 1100, 50).to_image();
    assert!(
        count_color(&title_band, PASS, 10) > 50,
        "the title is rendered in the PASS colour"
    );

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
