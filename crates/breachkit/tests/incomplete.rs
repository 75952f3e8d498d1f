//! A verdict never hides a failure (issue 18), end to end: a real failure forced
//! from outside as in `contained.rs` (breachkit runs as an unused uid allowed one
//! process, so the engines' thread pools panic) makes the verdict `incomplete` in
//! the human output (named first) and in the JSON document (with what failed),
//! and the exit code is 2, or 1 when findings already give 1.

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use breachkit_testkit::FakeHost;
use serde_json::Value;
use std::process::{Command, Output};

mod forced;

use forced::text;

/// A uid no process runs as (each test file its own: they run at once).
const UNUSED_UID: u32 = 64_998;

fn without_threads(args: &[&str]) -> Output {
    forced::without_threads(UNUSED_UID, args)
}

/// The host's own image, readable by the unused uid.
fn readable(h: &FakeHost) -> &str {
    h.root().to_str().unwrap()
}

#[test]
fn check_with_findings_is_incomplete_and_exits_1() {
    let (h, _) = FakeHost::planted();
    let root = readable(&h);

    let out = without_threads(&["--format", "json", "check", "--root", root]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["verdict"], "incomplete", "{doc}");
    assert_eq!(doc["findings_verdict"], "compromised", "{doc}");
    let failed: Vec<&str> = doc["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    for name in ["check files", "check logs", "check mail"] {
        assert!(failed.contains(&name), "{failed:?}");
    }
    assert!(!doc["findings"].as_array().unwrap().is_empty(), "{doc}");

    let out = without_threads(&["check", "--root", root]);
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    let verdict = stdout
        .lines()
        .find(|l| l.starts_with("Verdict:"))
        .expect("a verdict line");
    assert!(
        verdict.starts_with("Verdict: INCOMPLETE (check files failed; check logs failed; check mail failed) — what ran reads COMPROMISED, "),
        "{verdict}"
    );
    assert!(
        stdout.contains("INCOMPLETE: check files failed internally"),
        "{stdout}"
    );
}

#[test]
fn check_without_findings_is_incomplete_and_exits_2() {
    let h = FakeHost::clean();
    let root = readable(&h);

    let out = without_threads(&["--format", "json", "check", "--root", root]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["verdict"], "incomplete", "{doc}");
    assert_eq!(doc["findings_verdict"], "clean", "{doc}");
    assert!(
        doc["failed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "check files"),
        "{doc}"
    );

    let out = without_threads(&["check", "--root", root]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains("Verdict: INCOMPLETE (check files failed;"),
        "{stdout}"
    );
    assert!(!stdout.contains("Verdict: CLEAN"), "{stdout}");
}

#[test]
fn logs_check_and_mail_follow_the_same_rule() {
    let h = FakeHost::clean();
    let root = readable(&h);

    let out = without_threads(&["--format", "json", "logs", "check", "--root", root]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["verdict"], "incomplete", "{doc}");
    assert_eq!(doc["failed"][0], "reading the logs", "{doc}");

    let out = without_threads(&["logs", "check", "--root", root]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains("Verdict: INCOMPLETE (reading the logs failed) — what ran reads CLEAN, 0 finding(s) at or above"),
        "{stdout}"
    );

    let out = without_threads(&["--format", "json", "mail", "--root", root]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["verdict"], "incomplete", "{doc}");
    assert_eq!(doc["failed"][0], "reading the host's mail", "{doc}");

    let out = without_threads(&["mail", "--root", root]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains("Verdict: INCOMPLETE (reading the host's mail failed)"),
        "{stdout}"
    );
}

#[test]
fn the_timeline_says_what_is_missing() {
    let h = FakeHost::clean();
    let root = readable(&h);
    let out = without_threads(&["--format", "json", "logs", "timeline", "--root", root]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["failed"][0], "reading the logs", "{doc}");
    let out = without_threads(&["logs", "timeline", "--root", root]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stdout).contains("INCOMPLETE: reading the logs failed internally"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn scan_follows_the_same_rule() {
    let h = FakeHost::clean();
    let root = readable(&h);
    let out = without_threads(&["--format", "json", "scan", "--root", root, "/var/www"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["verdict"], "incomplete", "{doc}");
    assert!(!doc["failed"].as_array().unwrap().is_empty(), "{doc}");
}

#[test]
fn a_run_without_failures_keeps_its_verdict() {
    let h = FakeHost::clean();
    let case = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_breachkit"))
        .args(["--format", "json", "logs", "check", "--root", readable(&h)])
        .arg("--case")
        .arg(case.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["verdict"], "clean", "{doc}");
    assert_eq!(doc["failed"], serde_json::json!([]), "{doc}");
}
