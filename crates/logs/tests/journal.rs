//! The systemd journal, real files written by systemd-journal-remote and read back
//! through journalctl: a brute force then login found in it, trigger words found in
//! it, and a clear warning when journalctl is absent. One test, as it sets the
//! environment.

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use breachkit_host::Host;
use breachkit_logs::{Format, Match, Options, Words, analyse, grep, standard};
use breachkit_testkit::FakeHost;
use std::process::Command;
use std::sync::Mutex;

const JOURNAL_REMOTE: &str = "/lib/systemd/systemd-journal-remote";
const MACHINE: &str = "0123456789abcdef0123456789abcdef";

/// A host whose journal holds six failed root logins and then a login.
fn host_with_journal() -> FakeHost {
    assert!(
        std::path::Path::new(JOURNAL_REMOTE).is_file() && breachkit_logs::journalctl().is_some(),
        "systemd-journal-remote and journalctl are missing: scripts/test installs them (packages systemd, systemd-journal-remote)"
    );
    let h = FakeHost::empty();
    let mut export = String::new();
    let base: i64 = 1_714_989_600_000_000;
    let mut record = |i: i64, offset: i64, msg: &str| {
        export += &format!(
            "__REALTIME_TIMESTAMP={}\n__MONOTONIC_TIMESTAMP={}\n_BOOT_ID={MACHINE}\n_HOSTNAME=web01\nSYSLOG_IDENTIFIER=sshd\n_PID=812\nMESSAGE={msg}\n\n",
            base + offset * 1_000_000,
            1000 + i
        );
    };
    for i in 0..6 {
        record(
            i,
            i,
            &format!("Failed password for root from 203.0.113.9 port {i} ssh2"),
        );
    }
    record(
        7,
        30,
        "Accepted password for root from 203.0.113.9 port 99 ssh2",
    );
    let export_file = h.path("/export");
    std::fs::write(&export_file, export).expect("export");
    h.mkdir(&format!("/var/log/journal/{MACHINE}"));
    let out = Command::new(JOURNAL_REMOTE)
        .arg(format!(
            "--output={}",
            h.path(&format!("/var/log/journal/{MACHINE}/system.journal"))
                .display()
        ))
        .arg(&export_file)
        .output()
        .expect("run systemd-journal-remote");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    h
}

#[test]
fn findings_and_words_come_out_of_the_journal() {
    let h = host_with_journal();
    let host = Host::image(h.root()).expect("image");
    let mut warnings = Vec::new();
    let families = standard(&host, &mut warnings);
    assert!(families.iter().any(|f| f.format == Format::Journal));
    let a = analyse(&host, &families, &Options::default());
    assert!(a.warnings.is_empty(), "{:#?}", a.warnings);
    let f = a
        .findings
        .iter()
        .find(|f| f.rule == "auth.ssh-login-after-failures")
        .unwrap_or_else(|| panic!("{:#?}", a.findings));
    assert_eq!(f.path.as_deref(), Some("/var/log/journal"));
    assert_eq!(f.time.as_deref(), Some("2024-05-06T10:00:30Z"));
    assert_eq!(
        f.evidence.as_deref(),
        Some("sshd[812]: Accepted password for root from 203.0.113.9 port 99 ssh2")
    );

    let words = Words::new(&["accepted password".to_string()], false).expect("words");
    let found = Mutex::new(Vec::new());
    let stats = grep(&host, &families, &words, &|m: &[Match]| {
        found.lock().expect("lock").extend_from_slice(m)
    });
    assert!(stats.warnings.is_empty(), "{:#?}", stats.warnings);
    let found = found.into_inner().expect("lock");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].path, "/var/log/journal");
    assert!(
        found[0]
            .text
            .ends_with("sshd[812]: Accepted password for root from 203.0.113.9 port 99 ssh2")
    );

    // Without journalctl the journal is not read, and the warning says why.
    // SAFETY: this binary's only test; no other thread reads the environment now.
    unsafe { std::env::set_var("BREACHKIT_JOURNALCTL", "/nonexistent/journalctl") };
    let a = analyse(&host, &families, &Options::default());
    assert!(a.findings.is_empty());
    assert!(
        a.warnings
            .iter()
            .any(|w| w.path.as_deref() == Some("/var/log/journal")
                && w.message.contains("journalctl is not installed")),
        "{:#?}",
        a.warnings
    );
}
