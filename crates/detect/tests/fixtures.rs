//! Every check on the planted fake host and on its clean twin: each planted artifact
//! is reported with its rule and host path, and the clean twin (a busy, honest
//! server) gets nothing at medium or above.

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use breachkit_detect::{Selection, run};
use breachkit_finding::{Finding, Report, Severity};
use breachkit_host::Host;
use breachkit_testkit::FakeHost;

fn check_image(h: &FakeHost) -> Report {
    let host = Host::image(h.root()).expect("image");
    let checks = Selection::default().resolve().expect("all checks");
    let (report, failures) = run(&host, &checks, &|_| {});
    assert!(failures.is_empty(), "{failures:?}");
    report
}

fn show(findings: &[&Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            format!(
                "  {} {} {:?}:{:?} {:?}",
                f.severity, f.rule, f.path, f.line, f.evidence
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn planted_host_shows_every_artifact() {
    let (h, expects) = FakeHost::planted();
    let report = check_image(&h);
    let missing: Vec<_> = expects
        .iter()
        .filter(|e| {
            !report
                .findings
                .iter()
                .any(|f| f.rule == e.rule && f.path.as_deref() == Some(e.path.as_str()))
        })
        .collect();
    let all: Vec<&Finding> = report.findings.iter().collect();
    assert!(
        missing.is_empty(),
        "not found: {missing:#?}\nfound:\n{}",
        show(&all)
    );
    // Planted artifacts are at medium or above, so the exit code reports them.
    for e in &expects {
        let worst = report
            .findings
            .iter()
            .filter(|f| f.rule == e.rule && f.path.as_deref() == Some(e.path.as_str()))
            .map(|f| f.severity)
            .max();
        assert!(
            worst >= Some(Severity::Medium),
            "{e:?} reported below medium"
        );
    }
    // Paths are host paths, never the image prefix.
    let prefix = h.root().to_string_lossy().into_owned();
    assert!(
        report
            .findings
            .iter()
            .all(|f| !f.path.as_deref().unwrap_or("").contains(&prefix))
    );
    assert_eq!(
        report.verdict().kind,
        breachkit_finding::VerdictKind::Compromised
    );
    let skipped: Vec<_> = report
        .checks
        .iter()
        .filter(|c| c.skipped.is_some())
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(
        skipped,
        ["processes"],
        "on an image only the live-only checks are skipped"
    );
}

#[test]
fn clean_twin_is_silent() {
    let h = FakeHost::clean();
    let report = check_image(&h);
    let loud: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Medium)
        .collect();
    assert!(
        loud.is_empty(),
        "false alarms on the clean twin:\n{}",
        show(&loud)
    );
    assert!(
        report.warnings.is_empty(),
        "warnings on the clean twin: {:#?}",
        report.warnings
    );
    assert_eq!(report.verdict().kind, breachkit_finding::VerdictKind::Clean);
}
