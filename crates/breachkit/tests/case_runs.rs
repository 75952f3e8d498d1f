//! Every command that reads the host records its run in the case (issue 18): `scan`,
//! `mail` and `logs check | timeline | grep` on an offline image, each listed by
//! `case show` with its command, root, verdict and counts; and a case that cannot be
//! written costs only the record: the command does its job, exits with its own code
//! and warns that the run was not recorded.

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use breachkit_testkit::FakeHost;
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The unprivileged user the read-only case is tested as (root writes anything).
const NOBODY: u32 = 65534;

fn breachkit(args: &[&str], uid: Option<u32>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_breachkit"));
    cmd.args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .current_dir("/");
    if let Some(uid) = uid {
        cmd.uid(uid).gid(uid);
    }
    cmd.output().expect("run breachkit")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            text(&out.stdout),
            text(&out.stderr)
        )
    })
}

/// The commands under test, on the image `root` (each with `--root`).
fn commands(root: &str) -> Vec<Vec<String>> {
    let c = |args: &[&str]| -> Vec<String> {
        args.iter()
            .map(|a| a.to_string())
            .chain(["--root".to_string(), root.to_string()])
            .collect()
    };
    vec![
        c(&["scan", "/var/www/html"]),
        c(&["mail"]),
        c(&["logs", "check"]),
    ]
}

fn with_case(cmd: &[String], case: &str, format: &str) -> Vec<String> {
    let mut args = cmd.to_vec();
    args.extend([
        "--case".into(),
        case.into(),
        "--format".into(),
        format.into(),
    ]);
    args
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

#[test]
fn scan_mail_and_logs_runs_are_listed_by_case_show() {
    let (h, _) = FakeHost::planted();
    let root = s(h.root());
    let case = tempfile::tempdir().unwrap();
    let c = s(case.path());

    let mut expected = Vec::new();
    for cmd in commands(root) {
        let args = with_case(&cmd, c, "json");
        let out = breachkit(&strs(&args), None);
        let doc = json(&out);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{cmd:?} on the planted image: {}",
            text(&out.stderr)
        );
        assert_eq!(doc["verdict"], "compromised", "{cmd:?}");
        assert!(
            !doc["warnings"].to_string().contains("not recorded"),
            "{cmd:?}: {}",
            doc["warnings"]
        );
        let run = doc["case"]["run"]
            .as_i64()
            .unwrap_or_else(|| panic!("{cmd:?} names no case run: {}", doc["case"]));
        let findings = doc["findings"].as_array().unwrap().len() as u64;
        // The command line as given, global options too.
        expected.push((run, args.join(" "), "compromised", findings));
    }
    // The runs that print no report: a timeline (the log rules' verdict) and a
    // search (counts, no verdict).
    let timeline = breachkit(&["logs", "timeline", "--root", root, "--case", c], None);
    assert_eq!(
        timeline.status.code(),
        Some(0),
        "{}",
        text(&timeline.stderr)
    );
    let grep = breachkit(
        &[
            "logs",
            "grep",
            "-e",
            "wp-cache.php",
            "--root",
            root,
            "--case",
            c,
        ],
        None,
    );
    assert_eq!(grep.status.code(), Some(1), "{}", text(&grep.stderr));

    let shown = breachkit(&["case", "show", "--case", c, "--format", "json"], None);
    assert_eq!(shown.status.code(), Some(0), "{}", text(&shown.stderr));
    let shown = json(&shown);
    let runs = shown["runs"].as_array().expect("runs listed");
    assert_eq!(runs.len(), 5, "{runs:#?}");
    for (run, (id, command, verdict, findings)) in runs.iter().zip(&expected) {
        assert_eq!(run["id"], *id);
        assert_eq!(run["command"], *command);
        assert_eq!(run["verdict"], *verdict);
        assert_eq!(run["findings"], *findings, "{run}");
        assert_eq!(run["root"], root, "the image is named: {run}");
        assert!(run["started_at"].as_str().unwrap() <= run["finished_at"].as_str().unwrap());
    }
    let count = |i: usize, what: &str| runs[i]["counts"][what].as_u64().unwrap_or(0);
    assert!(count(0, "files") > 0, "scan counts files: {}", runs[0]);
    assert!(
        count(1, "messages") > 0,
        "mail counts messages: {}",
        runs[1]
    );
    assert!(
        count(2, "lines") > 0,
        "logs check counts lines: {}",
        runs[2]
    );
    assert!(
        runs[3]["command"]
            .as_str()
            .unwrap()
            .starts_with("logs timeline")
    );
    assert_eq!(runs[3]["verdict"], "compromised");
    assert!(count(3, "events") > 0, "{}", runs[3]);
    assert!(
        runs[4]["command"]
            .as_str()
            .unwrap()
            .starts_with("logs grep")
    );
    assert_eq!(runs[4]["verdict"], "none", "a search judges nothing");
    assert!(count(4, "matches") > 0, "{}", runs[4]);
    // The report shown is the last run that gives a verdict: the timeline's.
    assert_eq!(shown["case"]["run"], runs[3]["id"]);
    assert_eq!(shown["verdict"], "compromised");

    let human = breachkit(&["case", "show", "--case", c], None);
    let human = text(&human.stdout);
    for line in [
        "]  breachkit scan /var/www/html --root",
        "]  breachkit mail --root",
        "[none]",
    ] {
        assert!(human.contains(line), "no {line:?} in:\n{human}");
    }
}

#[test]
fn a_case_that_cannot_be_written_costs_only_the_record() {
    assert!(
        nix::unistd::geteuid().is_root(),
        "this test switches to an unprivileged user: run it as root"
    );
    let (h, _) = FakeHost::planted();
    let root = s(h.root());
    // Written by the unprivileged user first: the exit codes to expect.
    let case = tempfile::tempdir().unwrap();
    std::fs::set_permissions(case.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let c = s(case.path());
    let mut normal = Vec::new();
    for cmd in commands(root) {
        let out = breachkit(&strs(&with_case(&cmd, c, "json")), Some(NOBODY));
        let doc = json(&out);
        assert!(
            doc["case"]["run"].is_i64(),
            "{cmd:?} recorded: {}",
            doc["warnings"]
        );
        normal.push(out.status.code());
    }
    assert!(
        normal.iter().all(|c| matches!(c, Some(0 | 1))),
        "{normal:?}"
    );

    // Read-only media: the case and its database cannot be written.
    std::fs::set_permissions(
        case.path().join("case.db"),
        std::fs::Permissions::from_mode(0o444),
    )
    .unwrap();
    std::fs::set_permissions(case.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    // A case directory that cannot be created at all.
    let uncreatable = "/proc/breachkit-case";
    for c in [c, uncreatable] {
        for (cmd, code) in commands(root).iter().zip(&normal) {
            let out = breachkit(&strs(&with_case(cmd, c, "json")), Some(NOBODY));
            let doc = json(&out);
            assert_eq!(
                out.status.code(),
                *code,
                "{cmd:?} --case {c}: {}",
                text(&out.stderr)
            );
            assert!(doc["case"].is_null(), "{}", doc["case"]);
            let warnings = doc["warnings"].to_string();
            assert!(
                warnings.contains("not recorded") && warnings.contains(c),
                "{cmd:?} --case {c}: {warnings}"
            );
            // In human output the warning is on stderr.
            let out = breachkit(&strs(&with_case(cmd, c, "human")), Some(NOBODY));
            assert_eq!(out.status.code(), *code, "{cmd:?}");
            let stderr = text(&out.stderr);
            assert!(
                stderr.contains("this run is not recorded"),
                "{cmd:?}: {stderr}"
            );
            assert!(
                text(&out.stdout).contains("Verdict:"),
                "{cmd:?} did its job"
            );
        }
    }
    // The timeline and the search too.
    for args in [
        vec!["logs", "timeline", "--root", root, "--case", uncreatable],
        vec![
            "logs",
            "grep",
            "-e",
            "wp-cache.php",
            "--root",
            root,
            "--case",
            uncreatable,
        ],
    ] {
        let out = breachkit(&args, Some(NOBODY));
        assert!(matches!(out.status.code(), Some(0 | 1)), "{args:?}");
        assert!(!out.stdout.is_empty(), "{args:?} printed its results");
        assert!(
            text(&out.stderr).contains("this run is not recorded"),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    // Nothing was added to the read-only case.
    let shown = breachkit(&["case", "show", "--case", c, "--format", "json"], None);
    assert_eq!(json(&shown)["runs"].as_array().map(Vec::len), Some(3));
}
