//! `breachkit logs check | timeline | grep` end to end on the planted fake host and
//! its clean twin: exit codes, the timeline's CSV layouts, trigger words found in
//! plain and gzipped rotations with their line numbers, escaped.

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use breachkit_testkit::FakeHost;
use std::process::{Command, Output};

fn breachkit(args: &[&str], root: &std::path::Path) -> Output {
    // A case of its own: runs are recorded, never in the machine's default case.
    let case = tempfile::tempdir().expect("case dir");
    Command::new(env!("CARGO_BIN_EXE_breachkit"))
        .args(args)
        .arg("--root")
        .arg(root)
        .arg("--case")
        .arg(case.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("run breachkit")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn logs_check_exit_codes_follow_the_findings() {
    let (planted, _) = FakeHost::planted();
    let out = breachkit(&["logs", "check"], planted.root());
    let stdout = text(&out.stdout);
    println!("{stdout}");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(stdout.contains("Verdict: COMPROMISED"));
    assert!(stdout.contains("auth.ssh-login-after-failures"));
    assert!(stdout.contains("/var/log/auth.log:"));

    let clean = FakeHost::clean();
    let out = breachkit(&["logs", "check"], clean.root());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));

    let out = breachkit(&["--format", "json", "logs", "check"], planted.root());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["verdict"], "compromised");
    assert!(doc["findings"].as_array().is_some_and(|f| {
        f.iter()
            .any(|f| f["rule"] == "web.php-in-uploads" && f["line"].is_u64())
    }));
}

#[test]
fn timeline_in_human_json_and_csv() {
    let (h, _) = FakeHost::planted();
    let out = breachkit(&["logs", "timeline"], h.root());
    assert_eq!(out.status.code(), Some(0));
    let human = text(&out.stdout);
    println!("{human}");
    assert!(human.starts_with("Timeline: "));
    let login = human
        .find("root logged in over SSH from 198.51.100.23")
        .expect("login");
    let shell = human
        .find("POST /wp-content/uploads/2024/05/wp-cache.php 200")
        .expect("shell");
    assert!(login < shell);

    let out = breachkit(&["logs", "timeline", "--csv"], h.root());
    let csv = text(&out.stdout);
    assert!(csv.starts_with("message,datetime,timestamp_desc,"));
    assert!(csv.lines().skip(1).all(|l| l.contains(",20")));
    let out = breachkit(&["logs", "timeline", "--csv", "l2t"], h.root());
    let csv = text(&out.stdout);
    assert!(csv.starts_with("date,time,timezone,MACB,source,sourcetype,type,user,host,short,desc,version,filename,inode,notes,format,extra\n"));
    assert!(csv.contains("05/06/2024,14:00:02,UTC,"));

    let out = breachkit(&["--format", "jsonl", "logs", "timeline"], h.root());
    let first = text(&out.stdout);
    let first: serde_json::Value =
        serde_json::from_str(first.lines().next().unwrap_or("")).expect("jsonl");
    assert!(first["time"].is_i64() && first["path"].is_string());
}

#[test]
fn grep_finds_words_in_plain_and_gzipped_rotations() {
    let h = FakeHost::clean();
    // A word in the oldest, gzipped rotation and one in the live log, escaped.
    h.append(
        "/var/log/nginx/access.log",
        b"evil \x1b[2J xmrig \xff line\n",
    );
    let words = h.path("/words.txt");
    std::fs::write(&words, "xmrig\nCERTBOT.service\n").expect("words");
    let out = breachkit(
        &[
            "logs",
            "grep",
            "--words",
            words.to_str().expect("utf-8 path"),
        ],
        h.root(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let n = text(&std::fs::read(h.path("/var/log/nginx/access.log")).expect("read"))
        .lines()
        .count();
    assert!(
        stdout.contains(&format!(
            "/var/log/nginx/access.log:{n}:evil \\e[2J xmrig \\xff line"
        )),
        "{stdout}"
    );
    // certbot lines in every rotation, the gzipped one too (case ignored).
    assert!(stdout.contains("/var/log/syslog.2.gz:"), "{stdout}");
    assert!(stdout.contains("/var/log/syslog.1:"));
    assert!(stdout.lines().all(|l| !l.contains('\u{1b}')));

    // -e words, case-sensitive: CERTBOT is not certbot.
    let out = breachkit(&["logs", "grep", "-s", "-e", "CERTBOT.service"], h.root());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));

    // The built-in list finds the scanner noise and nothing breaks.
    let out = breachkit(&["--format", "json", "logs", "grep"], h.root());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let matches = doc["matches"].as_array().expect("matches");
    assert!(!matches.is_empty());
    assert_eq!(doc["matching_lines"].as_u64(), Some(matches.len() as u64));
    assert!(doc["files"].as_u64() >= Some(13));
}

/// The summary line of `logs grep` went out with `eprintln!`, which panics when
/// stderr cannot be written (exit code 101): now it is an error, exit code 2.
#[test]
fn grep_with_an_unwritable_stderr_is_an_error_not_a_panic() {
    let (planted, _) = FakeHost::planted();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let case = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_breachkit"))
        .args(["logs", "grep", "-e", "root", "--root"])
        .arg(planted.root())
        .arg("--case")
        .arg(case.path())
        .stderr(full)
        .output()
        .expect("run breachkit");
    assert_eq!(out.status.code(), Some(2));
    assert!(!out.stdout.is_empty(), "the matches were printed first");
}
