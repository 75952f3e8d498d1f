//! A panic in library code costs the part of the command that met it, not the
//! command, end to end. The panic is real and forced from outside, with no test
//! hook in the binary: breachkit runs as an unused uid allowed one process, so no
//! thread can be started, and the engines' thread pools panic (rayon's global pool
//! `expect`s its threads; `std::thread::scope` panics when a spawn fails). Every
//! command then names what failed in an error, exits with code 2 (1 when findings
//! already give 1), and still prints the report of what it could read; `check` runs its checks without threads and
//! the checks that need none still report their findings.

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use breachkit_testkit::FakeHost;
use serde_json::Value;
use std::process::Output;

mod forced;

use forced::text;

/// A uid no process runs as (each test file its own: they run at once).
const UNUSED_UID: u32 = 64_999;

fn without_threads(args: &[&str]) -> Output {
    forced::without_threads(UNUSED_UID, args)
}

#[test]
fn mail_names_what_failed_exits_2_and_still_prints_its_report() {
    let (h, _) = FakeHost::planted();
    let out = without_threads(&["mail", "--root", h.root().to_str().unwrap()]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("breachkit: error: reading the host's mail failed internally"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Resource temporarily unavailable"),
        "{stderr}"
    );
    // The report is printed, and says it is incomplete right under the verdict.
    assert!(stdout.contains("Verdict:"), "{stdout}");
    assert!(
        stdout.contains("INCOMPLETE: reading the host's mail failed internally"),
        "{stdout}"
    );
    assert!(stdout.contains("Mail queues:"), "{stdout}");
}

#[test]
fn logs_name_what_failed_exit_2_and_still_print_the_document() {
    let (h, _) = FakeHost::planted();
    let root = h.root().to_str().unwrap();
    let out = without_threads(&["--format", "json", "logs", "check", "--root", root]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("breachkit: error: reading the logs failed internally"),
        "{}",
        text(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let warnings = doc["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| w["message"]
            .as_str()
            .unwrap()
            .starts_with("reading the logs failed internally")),
        "{warnings:?}"
    );
}

#[test]
fn check_reports_the_checks_that_ran_and_names_those_that_failed() {
    let (h, expects) = FakeHost::planted();
    let root = h.root().to_str().unwrap();
    let out = without_threads(&["--format", "json", "check", "--root", root]);
    let stderr = text(&out.stderr);
    // Exit code 1, not 2: the checks that ran found what was planted, and findings
    // give 1 even when part of the run failed (issue 18); the verdict says
    // `incomplete` (tests/incomplete.rs).
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["verdict"], "incomplete", "{doc}");
    let status = |name: &str| {
        doc["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no status for {name}: {doc}"))
            .clone()
    };
    // The checks that start threads failed, each named in an error.
    for name in ["files", "logs", "mail"] {
        assert_eq!(status(name)["skipped"], "failed internally", "{doc}");
        assert!(
            stderr.contains(&format!("breachkit: error: check {name} failed internally")),
            "{stderr}"
        );
    }
    // The others ran and found what was planted for them.
    for name in ["history", "persistence", "accounts"] {
        assert!(status(name)["skipped"].is_null(), "{doc}");
    }
    let found: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    for rule in ["accounts.uid0-duplicate", "history."] {
        assert!(
            expects.iter().any(|e| e.rule.starts_with(rule)),
            "the planted host has no {rule}"
        );
        assert!(found.iter().any(|r| r.starts_with(rule)), "{found:?}");
    }
}
