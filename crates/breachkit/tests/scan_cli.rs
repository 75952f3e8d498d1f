//! `breachkit scan PATH…` end to end: formats and exit codes as `check`, the
//! user's `--rules` and `--hashes`, and errors in them (exit 2), `--root` (an
//! offline copy, host paths in findings), the progress bar on a terminal only. The
//! trees are made under the target directory, not /tmp: PHP in a temp folder is
//! itself a finding.

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn scan(args: &[&str]) -> Output {
    // A case of its own: runs are recorded, never in the machine's default case.
    let case = tempfile::tempdir().expect("case dir");
    Command::new(env!("CARGO_BIN_EXE_breachkit"))
        .arg("scan")
        .args(args)
        .arg("--case")
        .arg(case.path())
        .stdin(Stdio::null())
        .output()
        .expect("run breachkit scan")
}

/// Runs a scan that must find something (exit 1) with `--format json` among its
/// arguments, and parses its report.
fn findings_json(args: &[&str]) -> Value {
    let out = scan(args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("a JSON report")
}

fn sample(rel: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scan/tests/samples")
        .join(rel);
    std::fs::read(p).expect("sample")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

#[test]
fn findings_exit_codes_and_formats() {
    let t = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let up = t.path().join("wp-content/uploads/2024");
    std::fs::create_dir_all(&up).unwrap();
    std::fs::write(up.join("thumb.php"), sample("webshell/cmd.php")).unwrap();
    std::fs::write(
        t.path().join("index.php"),
        b"<?php require 'wp-blog-header.php';\n",
    )
    .unwrap();

    let doc = findings_json(&[s(t.path()), "--format", "json"]);
    assert_eq!(doc["verdict"], "compromised");
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1);
    let f = &findings[0];
    assert_eq!(f["rule"], "scan.webshell");
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["line"], 5);
    let shell = up.join("thumb.php");
    assert_eq!(f["path"], s(&shell));
    assert!(
        f["evidence"]
            .as_str()
            .unwrap()
            .contains("php_request_to_exec +90")
    );
    assert!(
        f["evidence"]
            .as_str()
            .unwrap()
            .contains("system($_REQUEST['cmd']);")
    );

    let out = scan(&[s(t.path()), "--format", "jsonl"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);

    let human = scan(&[s(t.path())]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("Verdict: COMPROMISED"), "{text}");
    assert!(text.contains("thumb.php:5"), "{text}");

    std::fs::remove_file(up.join("thumb.php")).unwrap();
    let out = scan(&[s(t.path())]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let out = scan(&["/nonexistent/breachkit-scan-test"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("cannot scan /nonexistent/breachkit-scan-test")
    );
}

#[test]
fn user_rules_and_hashes() {
    let t = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let site = t.path().join("site");
    std::fs::create_dir(&site).unwrap();
    std::fs::write(
        site.join("a.txt"),
        b"nothing here but ACME-IMPLANT-7 marker\n",
    )
    .unwrap();
    std::fs::write(site.join("b.bin"), b"harmless looking bytes\n").unwrap();
    let rules = t.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(
        rules.join("mine.yar"),
        "rule acme_implant { meta: description = \"ACME implant marker\" strings: $a = \"ACME-IMPLANT-7\" condition: $a }",
    )
    .unwrap();
    // sha256 of "harmless looking bytes\n"
    let hash = {
        let out = Command::new("sha256sum")
            .arg(site.join("b.bin"))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .next()
            .unwrap()
            .to_string()
    };
    let list = t.path().join("bad.sha256");
    std::fs::write(&list, format!("# incident 42\n{hash}  dropper-v2\n")).unwrap();

    let doc = findings_json(&[
        s(&site),
        "--rules",
        s(&rules),
        "--hashes",
        s(&list),
        "--format",
        "json",
    ]);
    let by_rule = |r: &str| -> Vec<Value> {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == r)
            .cloned()
            .collect()
    };
    let user = by_rule("scan.user-rule");
    assert_eq!(user.len(), 1);
    assert_eq!(user[0]["severity"], "high");
    assert!(
        user[0]["evidence"]
            .as_str()
            .unwrap()
            .contains("acme_implant +75")
    );
    let bad = by_rule("scan.known-bad-hash");
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0]["severity"], "critical");
    assert!(
        bad[0]["explanation"]
            .as_str()
            .unwrap()
            .contains("dropper-v2")
    );

    let broken = t.path().join("broken.yar");
    std::fs::write(&broken, "rule x { condition: $missing }").unwrap();
    let out = scan(&[s(&site), "--rules", s(&broken)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.yar"));

    std::fs::write(&list, "not-a-hash name\n").unwrap();
    let out = scan(&[s(&site), "--hashes", s(&list)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 1"));
}

#[test]
fn root_scans_an_offline_copy_with_host_paths() {
    let t = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let up = t.path().join("var/www/html/wp-content/uploads/2024");
    std::fs::create_dir_all(&up).unwrap();
    std::fs::write(up.join("thumb.php"), sample("webshell/cmd.php")).unwrap();
    let tmp = t.path().join("tmp/.x");
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::write(tmp.join("sess.php"), b"<?php echo date('c');\n").unwrap();

    let doc = findings_json(&[
        "--root",
        s(t.path()),
        "/var/www",
        "/tmp",
        "--format",
        "json",
    ]);
    let mut got: Vec<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    // Host paths: the PHP file counts as in a temp folder because it is in the
    // copy's /tmp, and no path names the copy's directory.
    assert_eq!(
        got,
        [
            ("/tmp/.x/sess.php".to_string(), "scan.misplaced".to_string()),
            (
                "/var/www/html/wp-content/uploads/2024/thumb.php".to_string(),
                "scan.webshell".to_string()
            ),
        ]
    );

    let out = scan(&["--root", s(t.path()), "var/www"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("as the host sees them"));
    let out = scan(&["--root", s(t.path()), "/srv/www"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not found in"));
}

/// On a terminal a progress bar (files, bytes, hits) is drawn on stderr; piped,
/// stderr stays empty. `script` (util-linux) gives the run a pseudo-terminal.
#[test]
fn progress_bar_on_a_terminal_only() {
    let t = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    for i in 0..3000 {
        std::fs::write(t.path().join(format!("p{i}.html")), b"<p>cached</p>\n").unwrap();
    }
    std::fs::write(t.path().join("shell.php"), sample("webshell/cmd.php")).unwrap();

    let piped = scan(&[s(t.path()), "--format", "jsonl"]);
    assert_eq!(piped.status.code(), Some(1));
    assert!(
        piped.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&piped.stderr)
    );

    let case = tempfile::tempdir().unwrap();
    let command = format!(
        "{} scan {} --format jsonl --case {}",
        env!("CARGO_BIN_EXE_breachkit"),
        s(t.path()),
        s(case.path())
    );
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .expect("script (util-linux, essential on Debian) runs a command on a pseudo-terminal");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("scanning") && text.contains(" files, ") && text.contains(" hits"),
        "{text}"
    );
}
