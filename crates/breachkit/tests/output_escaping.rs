//! Host strings in machine output, end to end (issue 18): a log line an attacker
//! wrote with a terminal escape sequence (`ESC [2J`), a spreadsheet formula, C1
//! controls (U+009B is a one-byte CSI on some terminals) and DEL goes through
//! `logs timeline --csv` (both layouts) and `--format json`/`jsonl`, and none of
//! those bytes reaches stdout raw, while the text stays readable: the CSV escapes
//! controls visibly and puts a `'` before a formula, the JSON writes `\uXXXX` and
//! decodes back to the same string.

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use breachkit_testkit::FakeHost;
use breachkit_testkit::clean_logs::{DAY0, syslog_line};
use serde_json::Value;
use std::process::{Command, Output};

/// The attacker's name, as `su` logged it: a formula, an escape sequence, the C1
/// CSI (as UTF-8, U+009B) and DEL.
const EVIL: &str = "=cmd|' /C calc'!A0\u{1b}[2J\u{9b}31m\u{7f}x";

fn host() -> FakeHost {
    let h = FakeHost::clean();
    let line = syslog_line(
        DAY0 + 3 * 3600,
        "su[4242]",
        &format!("pam_unix(su:session): session opened for user root(uid=0) by {EVIL}(uid=1000)"),
    );
    h.append("/var/log/auth.log", line);
    h
}

fn breachkit(args: &[&str], h: &FakeHost) -> Output {
    // A case of its own: runs are recorded, never in the machine's default case.
    let case = tempfile::tempdir().expect("case dir");
    Command::new(env!("CARGO_BIN_EXE_breachkit"))
        .args(args)
        .arg("--root")
        .arg(h.root())
        .arg("--case")
        .arg(case.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("run breachkit")
}

/// None of the dangerous characters, raw, in `out` (newlines end rows and lines).
fn assert_no_raw_controls(out: &[u8]) {
    let text = std::str::from_utf8(out).expect("UTF-8 output");
    let raw: Vec<char> = text
        .chars()
        .filter(|c| c.is_control() && *c != '\n')
        .collect();
    assert!(raw.is_empty(), "raw {raw:?} in {text}");
    assert!(!out.contains(&0x1b) && !out.contains(&0x7f), "{text}");
}

#[test]
fn the_timeline_csv_escapes_controls_and_neutralises_formulas() {
    let h = host();
    for layout in ["timesketch", "l2t"] {
        let out = breachkit(&["logs", "timeline", "--csv", layout], &h);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_no_raw_controls(&out.stdout);
        let csv = String::from_utf8(out.stdout).unwrap();
        let row = csv
            .lines()
            .find(|l| l.contains("calc") && l.contains("became root with su"))
            .unwrap_or_else(|| panic!("no su row in {csv}"));
        // Readable, visibly escaped, and a formula no spreadsheet runs.
        assert!(
            row.contains(r"'=cmd|' /C calc'!A0\e[2J\x9b31m\x7fx became root with su"),
            "{row}"
        );
        assert!(!row.contains(",=") && !row.starts_with('='), "{row}");
    }
}

#[test]
fn json_and_jsonl_escape_del_and_c1_and_decode_back() {
    let h = host();
    let out = breachkit(&["--format", "json", "logs", "timeline"], &h);
    assert_eq!(out.status.code(), Some(0));
    assert_no_raw_controls(&out.stdout);
    let raw = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(raw.contains(r"\u001b[2J\u009b31m\u007fx"), "{raw}");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let summaries: Vec<&str> = doc["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["summary"].as_str().unwrap())
        .collect();
    assert!(
        summaries.contains(&format!("{EVIL} became root with su").as_str()),
        "{summaries:?}"
    );

    let out = breachkit(&["--format", "jsonl", "logs", "timeline"], &h);
    assert_eq!(out.status.code(), Some(0));
    assert_no_raw_controls(&out.stdout);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().any(|l| {
        let e: Value = serde_json::from_str(l).unwrap();
        e["summary"] == format!("{EVIL} became root with su")
    }));

    // The findings document of `logs check` too (the su line is a finding there).
    for format in ["json", "jsonl"] {
        let out = breachkit(&["--format", format, "logs", "check"], &h);
        assert!(out.status.code().is_some_and(|c| c < 2));
        assert_no_raw_controls(&out.stdout);
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(r"\u009b31m\u007fx"),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}
