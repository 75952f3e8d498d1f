//! The `breachkit quarantine` command line: backup and verify exit codes and JSON,
//! plans that change nothing, AWS credentials missing → a clear message and nothing
//! half-done.

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_breachkit")
}

fn run(case: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .arg("--case")
        .arg(case)
        .args(args)
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn backup_then_verify_and_a_tampered_archive_exits_1() {
    let t = tempfile::tempdir().unwrap();
    let tree = t.path().join("site");
    std::fs::create_dir(&tree).unwrap();
    std::fs::write(tree.join("index.php"), "<?php echo 1;\n").unwrap();
    std::os::unix::fs::symlink("/etc/shadow", tree.join("evil")).unwrap();
    let case = t.path().join("case");
    let out = run(
        &case,
        &[
            "--format",
            "json",
            "quarantine",
            "backup",
            tree.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["backup"]["files"], 1);
    assert_eq!(doc["backup"]["symlinks"], 1);
    let archive = doc["backup"]["archive"].as_str().unwrap().to_string();

    let out = run(&case, &["quarantine", "verify", &archive]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).starts_with("archive intact"), "{}", text(&out));

    let mut bytes = std::fs::read(&archive).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 0x55;
    std::fs::write(&archive, bytes).unwrap();
    let out = run(&case, &["quarantine", "verify", &archive]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("DIFFERS"), "{}", text(&out));

    let out = run(&case, &["quarantine", "status"]);
    assert!(text(&out).contains("backups (tainted)"), "{}", text(&out));
}

#[test]
fn maintenance_plan_changes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    std::fs::write(
        d.join("nginx.conf"),
        format!(
            "pid {0}/n.pid;\nerror_log {0}/e.log;\nevents {{}}\nhttp {{\n  access_log off;\n  server {{\n    listen 127.0.0.1:1;\n    server_name shop.example;\n  }}\n}}\n",
            d.display()
        ),
    )
    .unwrap();
    let before = std::fs::read(d.join("nginx.conf")).unwrap();
    let case = d.join("case");
    let conf = d.join("nginx.conf");
    let args = [
        "quarantine",
        "maintenance",
        "on",
        "--nginx-conf",
        conf.to_str().unwrap(),
        "--allow",
        "192.0.2.1",
    ];
    let out = run(&case, &args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let shown = text(&out);
    assert!(shown.starts_with("PLAN (nothing changed)"), "{shown}");
    assert!(
        shown.contains("shop.example") && shown.contains("192.0.2.1/32"),
        "{shown}"
    );
    assert_eq!(std::fs::read(d.join("nginx.conf")).unwrap(), before);
    assert!(!d.join("breachkit-maintenance.html").exists());
    let mut json_args = vec!["--format", "json"];
    json_args.extend(args);
    let doc: Value = serde_json::from_slice(&run(&case, &json_args).stdout).unwrap();
    assert_eq!(doc["applied"], false);
    assert_eq!(doc["plan"]["sites"][0]["names"][0], "shop.example");
    let out = run(&case, &["quarantine", "maintenance", "off", "--yes"]);
    assert!(text(&out).contains("not on"), "{}", text(&out));
}

#[test]
fn aws_without_credentials_is_a_clear_error_and_changes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let case = t.path().join("case");
    let out = Command::new(bin())
        .arg("--case")
        .arg(&case)
        .args([
            "quarantine",
            "isolate",
            "--aws",
            "--instance-id",
            "i-0abc",
            "--region",
            "us-east-1",
            "--endpoint-url",
            "http://127.0.0.1:9",
            "--yes",
        ])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", t.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("credentials are missing"), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    let status = run(&case, &["quarantine", "status"]);
    assert!(
        text(&status).contains("nothing is in force"),
        "{}",
        text(&status)
    );
}
