//! `breachkit gather` from the command line on a planted image: the bundle is
//! written, registered in the case (listed by `case show`, JSON carries the
//! manifest hash and findings), exit 1 for the findings; `gather verify` exits 0 on
//! the bundle and 1 with the file named after one byte of it changes.

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use breachkit_testkit::FakeHost;
use serde_json::Value;
use std::process::{Command, Output, Stdio};

fn breachkit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_breachkit"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .current_dir("/")
        .output()
        .expect("run breachkit")
}

#[test]
fn gather_writes_a_registered_bundle_that_verify_checks() {
    let (h, _) = FakeHost::planted();
    let t = tempfile::tempdir().unwrap();
    let case = t.path().join("case");
    let out = t.path().join("bundle");
    let (case_s, out_s) = (case.to_str().unwrap(), out.to_str().unwrap());
    let root = h.root().to_str().unwrap();
    let run = breachkit(&[
        "--case",
        case_s,
        "--format",
        "json",
        "-q",
        "gather",
        "--root",
        root,
        "--out",
        out_s,
        "--examiner",
        "ann",
        "--note",
        "ticket 42",
    ]);
    assert_eq!(
        run.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let doc: Value = serde_json::from_slice(&run.stdout).unwrap();
    let sha = doc["manifest_sha256"].as_str().unwrap().to_string();
    assert_eq!(sha.len(), 64);
    assert_eq!(doc["complete"], true);
    assert_eq!(doc["recorded_in_case"], true);
    assert_eq!(doc["acquisition"]["note"], "ticket 42");
    assert!(doc["findings"].as_array().is_some_and(|f| !f.is_empty()));

    let show = breachkit(&["--case", case_s, "case", "show"]);
    let text = String::from_utf8_lossy(&show.stdout);
    assert!(text.contains(&sha) && text.contains("gather"), "{text}");

    let ok = breachkit(&["--case", case_s, "gather", "verify", out_s]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("bundle intact"));

    // The report and the indicators of the case.
    let html = t.path().join("report.html");
    let iocs = t.path().join("iocs.csv");
    let (html_s, iocs_s) = (html.to_str().unwrap(), iocs.to_str().unwrap());
    let rep = breachkit(&[
        "--case",
        case_s,
        "report",
        "--out",
        html_s,
        "--iocs",
        iocs_s,
        "--iocs-format",
        "csv",
    ]);
    assert_eq!(
        rep.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&rep.stderr)
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("COMPROMISED"), "the verdict");
    assert!(page.contains(&sha), "the bundle's manifest hash");
    let csv = std::fs::read_to_string(&iocs).unwrap();
    assert!(
        csv.starts_with("type,value,") && csv.contains("sha256,"),
        "{csv}"
    );

    let findings = out.join("findings.json");
    let mut bytes = std::fs::read(&findings).unwrap();
    bytes[3] ^= 1;
    std::fs::write(&findings, bytes).unwrap();
    let bad = breachkit(&["--case", case_s, "gather", "verify", out_s]);
    assert_eq!(bad.status.code(), Some(1));
    let text = String::from_utf8_lossy(&bad.stdout);
    assert!(
        text.contains("DIFFERS") && text.contains("findings.json"),
        "{text}"
    );
}

#[test]
fn verify_of_something_that_is_no_bundle_is_an_error() {
    let t = tempfile::tempdir().unwrap();
    let r = breachkit(&[
        "--case",
        t.path().to_str().unwrap(),
        "gather",
        "verify",
        t.path().to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("MANIFEST.jsonl"));
}
