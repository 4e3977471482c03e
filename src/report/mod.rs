//! Renders a [`RunReport`] as text (for people), JSON (for tools) or JUnit XML (for CI
//! systems). Renders only: every verdict was decided by the runner.

use crate::runner::{RunReport, ScenarioResult, Status};
use crate::xml::Element;
use std::fmt::Write as _;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Human-readable.
    Text,
    /// The report as JSON.
    Json,
    /// JUnit XML.
    Junit,
}

/// Renders `report` in `format`.
pub fn render(report: &RunReport, format: Format) -> String {
    match format {
        Format::Text => text(report),
        Format::Json => serde_json::to_string_pretty(report).unwrap_or_default() + "\n",
        Format::Junit => junit(report),
    }
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Fail => "FAIL",
        Status::ExpectedFail => "xfail",
        Status::UnexpectedPass => "XPASS",
        Status::Skip => "skip",
        Status::Deviates => "DEVIATES",
        Status::NotExercised => "not-exercised",
    }
}

/// A caret line under byte `at` of `line` (escaped control characters count as shown).
fn caret_under(at: usize) -> String {
    format!("{}^", " ".repeat(at))
}

/// Shows `s` with control characters visible, one line.
fn visible(s: &str) -> String {
    s.replace('\r', "\\r").replace('\n', "\\n")
}

/// Seconds from microseconds, for display (precision loss past 2^52 µs is irrelevant).
#[allow(clippy::cast_precision_loss)]
fn seconds(micros: u64) -> f64 {
    micros as f64 / 1e6
}

fn text(report: &RunReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "amzsig run: {} {} ({:?} mode)", report.client.name, report.client.version, report.mode);
    for r in &report.results {
        if matches!(
            r.status,
            Status::Fail | Status::UnexpectedPass | Status::ExpectedFail | Status::Deviates | Status::NotExercised
        ) {
            failure_block(&mut out, r);
        }
    }
    let _ = writeln!(
        out,
        "\n{} scenarios: {} passed, {} failed, {} sent another request than asked, {} not exercised, \
         {} known deviations, {} skipped{} in {:.2} s",
        report.results.len(),
        report.count(Status::Pass),
        report.count(Status::Fail),
        report.count(Status::Deviates),
        report.count(Status::NotExercised),
        report.count(Status::ExpectedFail),
        report.count(Status::Skip),
        if report.count(Status::UnexpectedPass) > 0 {
            format!(", {} listed deviations now pass", report.count(Status::UnexpectedPass))
        } else {
            String::new()
        },
        seconds(report.micros)
    );
    out
}

fn failure_block(out: &mut String, r: &ScenarioResult) {
    let _ = writeln!(out, "\n{} {}/{}  (rule: {})", status_word(r.status), r.service, r.name, r.rule);
    let _ = writeln!(out, "  expected: {}; got: {}", r.expected, r.got);
    if let Some(m) = &r.message {
        let _ = writeln!(out, "  note: {m}");
    }
    if let Some(d) = &r.detail {
        if d.mistakes.is_empty() {
            let _ = writeln!(out, "  diagnosis: {}", d.explanation);
        } else {
            let _ = writeln!(out, "  diagnosis: {} — {}", d.mistakes.join(" + "), d.explanation);
        }
        if !d.also.is_empty() {
            let _ = writeln!(out, "  (also reproduced by: {})", d.also.join(", "));
        }
        let expected = visible(&d.expected_string_to_sign);
        match &d.client_string_to_sign {
            Some(client) => {
                let client = visible(client);
                let at = d.first_difference.unwrap_or(0);
                let shown_at = visible(&d.expected_string_to_sign[..at.min(d.expected_string_to_sign.len())]).len();
                let _ = writeln!(out, "  string to sign, first difference at byte {at}:");
                let _ = writeln!(out, "    expected: {expected}");
                let _ = writeln!(out, "    client:   {client}");
                let _ = writeln!(out, "              {}", caret_under(shown_at));
            }
            None => {
                let _ = writeln!(out, "  expected string to sign: {expected}");
            }
        }
        if let Some(creq) = &d.expected_canonical_request {
            let _ = writeln!(out, "  expected canonical request: {}", visible(creq));
        }
    }
}

fn junit(report: &RunReport) -> String {
    let secs = |micros: u64| format!("{:.6}", seconds(micros));
    let mut suite = Element::new("testsuite")
        .attr("name", format!("amzsig {} ({:?})", report.client.name, report.mode).to_lowercase())
        .attr("tests", report.results.len().to_string())
        .attr(
            "failures",
            (report.count(Status::Fail) + report.count(Status::UnexpectedPass) + report.count(Status::Deviates))
                .to_string(),
        )
        .attr(
            "skipped",
            (report.count(Status::Skip) + report.count(Status::ExpectedFail) + report.count(Status::NotExercised))
                .to_string(),
        )
        .attr("errors", "0")
        .attr("time", secs(report.micros));
    for r in &report.results {
        let mut case = Element::new("testcase")
            .attr("classname", format!("amzsig.{}", r.service))
            .attr("name", r.name.as_str())
            .attr("time", secs(r.micros));
        let mut details = String::new();
        failure_block(&mut details, r);
        match r.status {
            Status::Pass => {}
            Status::Fail | Status::UnexpectedPass => {
                case.push(
                    Element::new("failure")
                        .attr("message", format!("expected {}, got {}", r.expected, r.got))
                        .attr("type", r.detail.as_ref().map_or("outcome".to_owned(), |d| d.mistakes.join("+")))
                        .text(details.trim_start()),
                );
            }
            Status::Deviates => {
                case.push(
                    Element::new("failure")
                        .attr("message", r.message.clone().unwrap_or_default())
                        .attr("type", "deviates")
                        .text(details.trim_start()),
                );
            }
            Status::NotExercised => {
                case.push(
                    Element::new("skipped")
                        .attr("message", format!("not exercised: {}", r.message.clone().unwrap_or_default())),
                );
            }
            Status::ExpectedFail => {
                case.push(Element::new("skipped").attr("message", r.message.clone().unwrap_or_default()));
            }
            Status::Skip => case.push(Element::new("skipped").attr("message", r.message.clone().unwrap_or_default())),
        }
        suite.push(case);
    }
    let doc = Element::new("testsuites").child(suite).to_document();
    doc + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapter::Hello;
    use crate::runner::{Detail, Mode};

    fn sample() -> RunReport {
        let base = ScenarioResult {
            name: "paapi-space-in-keywords".into(),
            service: "paapi".into(),
            rule: "a space is encoded as %20, never +".into(),
            tags: vec!["encoding".into()],
            status: Status::Pass,
            expected: "accepted".into(),
            got: "accepted".into(),
            detail: None,
            deviations: vec![],
            message: None,
            micros: 120,
        };
        let failed = ScenarioResult {
            status: Status::Fail,
            got: "SignatureDoesNotMatch (403)".into(),
            detail: Some(Detail {
                mistakes: vec!["space-as-plus".into()],
                also: vec![],
                explanation: "spaces were encoded as '+' instead of '%20'".into(),
                expected_string_to_sign: "GET\nh\n/\nKeywords=a%20b".into(),
                client_string_to_sign: Some("GET\nh\n/\nKeywords=a+b".into()),
                first_difference: Some(19),
                expected_canonical_request: None,
            }),
            ..base.clone()
        };
        let skipped = ScenarioResult {
            name: "mws-post".into(),
            service: "mws".into(),
            status: Status::Skip,
            message: Some("the adapter lacks 'post-form'".into()),
            ..base.clone()
        };
        let deviates = ScenarioResult {
            name: "paapi-repeated-name-sorted-by-value".into(),
            status: Status::Deviates,
            deviations: vec!["dropped the second of 2 values of ItemId".into()],
            message: Some("not the request asked for: dropped the second of 2 values of ItemId".into()),
            ..base.clone()
        };
        let not_exercised = ScenarioResult {
            name: "paapi-signature-plus-encoded".into(),
            status: Status::NotExercised,
            message: Some("the client's signature has no '+'".into()),
            ..base.clone()
        };
        RunReport {
            client: Hello { protocol: 1, name: "demo".into(), version: "1.0".into(), capabilities: vec![] },
            mode: Mode::Offline,
            results: vec![base, failed, skipped, deviates, not_exercised],
            micros: 5000,
        }
    }

    #[test]
    fn text_report() {
        insta::assert_snapshot!(render(&sample(), Format::Text));
    }

    #[test]
    fn junit_report_parses_back() {
        let doc = render(&sample(), Format::Junit);
        let root = crate::xml::parse(&doc).unwrap();
        let suite = root.find("testsuite").unwrap();
        assert_eq!(suite.attr_value("tests"), Some("5"));
        assert_eq!(suite.attr_value("failures"), Some("2")); // the signature failure and the deviation
        assert_eq!(suite.attr_value("skipped"), Some("2")); // the skip and the rule not exercised
        let deviates = suite.children.iter().find_map(|c| match c {
            crate::xml::Node::Element(e) if e.attr_value("name") == Some("paapi-repeated-name-sorted-by-value") => {
                Some(e)
            }
            _ => None,
        });
        let failure = deviates.and_then(|c| c.find("failure")).expect("a deviation is a failure");
        assert_eq!(failure.attr_value("type"), Some("deviates"));
        insta::assert_snapshot!(doc);
    }

    #[test]
    fn json_report_parses_back() {
        let v: serde_json::Value = serde_json::from_str(&render(&sample(), Format::Json)).unwrap();
        assert_eq!(v["results"][1]["detail"]["mistakes"][0], "space-as-plus");
        assert_eq!(v["results"][3]["status"], "deviates");
        assert_eq!(v["results"][3]["deviations"][0], "dropped the second of 2 values of ItemId");
        assert_eq!(v["results"][4]["status"], "not-exercised");
    }
}
