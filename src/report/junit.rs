//! JUnit XML for CI test reporters: one `testsuite` per comparison, one `testcase` per
//! metric. Fail and no data are failures (reason as message, numbers as text); inconclusive
//! is a failure too (a pipeline fails closed), skipped only with `--accept-inconclusive`.

use quick_junit::{
    NonSuccessKind, Property, Report as JunitReport, TestCase, TestCaseStatus, TestSuite,
};

use super::text::{self, verdict_label};
use super::Report;
use crate::compare::Verdict;

fn details(m: &super::MetricReport, report: &Report) -> String {
    let r = &m.result;
    let mut text = format!(
        "baseline {}: {}\ncandidate {}: {}\nchange [{:.0}% CI]: {}\ngate: {}\nreason: {}\n",
        report.baseline.name,
        text::value(&r.metric, &r.baseline),
        report.candidate.name,
        text::value(&r.metric, &r.candidate),
        report.confidence * 100.0,
        text::change(r),
        r.gate.as_ref().map_or("-", |g| g.text.as_str()),
        text::reasons(r)
    );
    for (label, q) in [
        ("baseline query", &m.baseline_query),
        ("candidate query", &m.candidate_query),
    ] {
        if let Some(q) = q {
            text.push_str(&format!("{label}: {}\n", crate::source::one_line(q)));
        }
    }
    text
}

/// Renders the report as JUnit XML.
pub fn render(report: &Report) -> String {
    let suite_name = format!(
        "benchcmp: {} vs {}",
        report.candidate.name, report.baseline.name
    );
    let mut suite = TestSuite::new(suite_name.as_str());
    suite.add_property(Property::new("baseline", report.baseline.name.as_str()));
    suite.add_property(Property::new("candidate", report.candidate.name.as_str()));
    suite.add_property(Property::new("verdict", verdict_label(report.verdict())));
    suite.add_property(Property::new("confidence", report.confidence.to_string()));
    for m in &report.metrics {
        let r = &m.result;
        let text = details(m, report);
        let reason = text::reasons(r);
        let status = match r.verdict {
            None | Some(Verdict::Pass) => TestCaseStatus::success(),
            Some(Verdict::NoData) if r.metric.optional => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(format!("no data (optional metric): {reason}"));
                s.set_description(text.as_str());
                s
            }
            Some(Verdict::Inconclusive) if report.accept_inconclusive => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(format!("inconclusive: {reason}"));
                s.set_description(text.as_str());
                s
            }
            Some(v) => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(reason.as_str());
                s.set_type(match v {
                    Verdict::NoData => "no_data",
                    Verdict::Inconclusive => "inconclusive",
                    _ => "regression",
                });
                s.set_description(text.as_str());
                s
            }
        };
        let mut case = TestCase::new(r.metric.id.as_str(), status);
        case.set_classname(format!("benchcmp.{}", report.candidate.name));
        if matches!(r.verdict, None | Some(Verdict::Pass)) {
            case.set_system_out(text.as_str());
        }
        suite.add_test_case(case);
    }
    let mut junit = JunitReport::new("benchcmp");
    junit.add_test_suite(suite);
    junit
        .to_string()
        .unwrap_or_else(|e| format!("<!-- cannot serialize JUnit: {e} -->\n"))
}
