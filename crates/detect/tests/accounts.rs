//! The `accounts` check on the planted and clean fake hosts, and on small fixtures
//! for sudoers includes, sshd's key file settings and unreadable files.

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use breachkit_detect::{Check, all_checks, run};
use breachkit_finding::{Finding, Report, Severity};
use breachkit_host::Host;
use breachkit_testkit::FakeHost;

/// Every rule the check raises.
const RULES: &[&str] = &[
    "accounts.uid0-duplicate",
    "accounts.empty-password",
    "accounts.service-shell",
    "accounts.sudo-nopasswd-service",
    "ssh.service-account-key",
    "ssh.forced-command",
    "ssh.key-environment",
    "ssh.keys-recent",
    "ssh.keys-symlink",
];

const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHkKxLq0yFjRC4G2Qd2m4oYyq8v7ZP5dWq1pG3o3rT9a";

fn accounts_check() -> &'static dyn Check {
    *all_checks()
        .iter()
        .find(|c| c.name() == "accounts")
        .expect("the accounts check is registered")
}

fn check(h: &FakeHost) -> Report {
    let host = Host::image(h.root()).unwrap();
    let (report, failures) = run(&host, &[accounts_check()], &|_| {});
    assert!(failures.is_empty(), "{failures:?}");
    report
}

fn at<'r>(report: &'r Report, rule: &str, path: &str) -> Vec<&'r Finding> {
    report
        .findings
        .iter()
        .filter(|f| f.rule == rule && f.path.as_deref() == Some(path))
        .collect()
}

fn one<'r>(report: &'r Report, rule: &str, path: &str, line: u64) -> &'r Finding {
    let found: Vec<_> = at(report, rule, path)
        .into_iter()
        .filter(|f| f.line == Some(line))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{rule} at {path}:{line} in {:#?}",
        report.findings
    );
    found[0]
}

fn warned(report: &Report, path: &str, words: &str) -> bool {
    report
        .warnings
        .iter()
        .any(|w| w.path.as_deref() == Some(path) && w.message.contains(words))
}

#[test]
fn planted_host_shows_every_planted_artifact() {
    let (h, expects) = FakeHost::planted();
    let report = check(&h);
    let mine: Vec<_> = expects.iter().filter(|e| RULES.contains(&e.rule)).collect();
    assert!(mine.len() >= 8);
    for e in mine {
        assert!(
            !at(&report, e.rule, &e.path).is_empty(),
            "{} at {} not found in {:#?}",
            e.rule,
            e.path,
            report.findings
        );
    }
    let toor = one(&report, "accounts.uid0-duplicate", "/etc/passwd", 15);
    assert_eq!(toor.severity, Severity::Critical);
    assert_eq!(
        toor.evidence.as_deref(),
        Some("toor:x:0:0:root:/root:/bin/bash")
    );
    let empty = one(&report, "accounts.empty-password", "/etc/shadow", 15);
    assert_eq!(empty.evidence.as_deref(), Some("toor::19950:0:99999:7:::"));
    assert_eq!(
        one(&report, "accounts.service-shell", "/etc/passwd", 6).severity,
        Severity::High
    );
    assert_eq!(
        one(&report, "accounts.service-shell", "/etc/passwd", 12).severity,
        Severity::Low
    );
    assert_eq!(
        one(
            &report,
            "accounts.sudo-nopasswd-service",
            "/etc/sudoers.d/www-data",
            1
        )
        .severity,
        Severity::Critical
    );
    let forced = one(
        &report,
        "ssh.forced-command",
        "/root/.ssh/authorized_keys",
        2,
    );
    assert_eq!(forced.severity, Severity::High);
    assert!(
        forced.explanation.contains("background"),
        "{}",
        forced.explanation
    );
    let ev = forced.evidence.as_deref().unwrap_or_default();
    assert!(
        ev.starts_with("command=\"nohup /tmp/.x/agent") && ev.contains("AAAAC3NzaC1lZDI1…"),
        "{ev}"
    );
    let env = one(
        &report,
        "ssh.key-environment",
        "/home/admin/.ssh/authorized_keys",
        2,
    );
    assert_eq!(env.severity, Severity::High);
    let web = one(
        &report,
        "ssh.service-account-key",
        "/var/www/.ssh/authorized_keys",
        1,
    );
    assert_eq!(web.severity, Severity::High);
    // The key added today (low, so not among the expectations, which all reach medium).
    let recent = &at(
        &report,
        "ssh.keys-recent",
        "/home/deploy/.ssh/authorized_keys",
    )[0];
    assert!(
        recent
            .explanation
            .contains("days after the last package change")
    );
    assert!(recent.time.is_some());
    // What the clean base already had stays quiet on the planted host too.
    let backup = one(
        &report,
        "ssh.forced-command",
        "/home/deploy/.ssh/authorized_keys",
        1,
    );
    assert_eq!(backup.severity, Severity::Low);
    assert!(
        at(
            &report,
            "accounts.sudo-nopasswd-service",
            "/etc/sudoers.d/90-cloud-init-users"
        )
        .is_empty()
    );
    assert!(report.warnings.is_empty(), "{:#?}", report.warnings);
}

#[test]
fn clean_host_is_quiet() {
    let h = FakeHost::clean();
    let report = check(&h);
    let loud: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Medium)
        .collect();
    assert!(loud.is_empty(), "{loud:#?}");
    // postgres's packaged shell and the backup forced command are seen, but low.
    assert_eq!(
        one(&report, "accounts.service-shell", "/etc/passwd", 12).severity,
        Severity::Low
    );
    assert!(report.findings.iter().all(|f| f.rule != "ssh.keys-recent"));
    assert!(report.warnings.is_empty(), "{:#?}", report.warnings);
}

#[test]
fn passwd_and_shadow_edge_cases() {
    let h = FakeHost::empty();
    h.write(
        "/etc/passwd",
        "root:x:0:0:root:/root:/bin/bash\n\
         daemon:x:1:1::/usr/sbin:/bin/sh\n\
         nginx:x:101:101::/var/lib/nginx:\n\
         admin2::0:0::/root:/bin/sh\n\
         root:x:0:0:root:/root:/bin/bash\n\
         alice:x:1000:1000::/home/alice:/bin/bash\n\
         this is not a passwd line\n",
    );
    h.write(
        "/etc/shadow",
        "root:!:19800::::::\ndaemon:*:1::::::\nnginx:!!:1::::::\nadmin2:!*:1::::::\nalice::19800:0:99999:7:::\n",
    );
    let report = check(&h);
    assert_eq!(
        at(&report, "accounts.uid0-duplicate", "/etc/passwd").len(),
        2
    );
    one(&report, "accounts.uid0-duplicate", "/etc/passwd", 4);
    one(&report, "accounts.uid0-duplicate", "/etc/passwd", 5);
    one(&report, "accounts.empty-password", "/etc/passwd", 4);
    assert_eq!(
        at(&report, "accounts.empty-password", "/etc/shadow").len(),
        1
    );
    one(&report, "accounts.empty-password", "/etc/shadow", 5);
    // An empty shell field is /bin/sh.
    assert_eq!(
        one(&report, "accounts.service-shell", "/etc/passwd", 3).severity,
        Severity::High
    );
    assert_eq!(
        one(&report, "accounts.service-shell", "/etc/passwd", 2).severity,
        Severity::Low
    );
    // The accounts warnings are forwarded, once.
    let bad_line: Vec<_> = report
        .warnings
        .iter()
        .filter(|w| w.message.contains("line 7"))
        .collect();
    assert_eq!(bad_line.len(), 1, "{:#?}", report.warnings);
}

#[test]
fn sudoers_includes_groups_and_aliases() {
    let h = FakeHost::empty();
    h.write(
        "/etc/passwd",
        "root:x:0:0::/root:/bin/bash\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n\
         nginx:x:101:101::/var/lib/nginx:/usr/sbin/nologin\nalice:x:1000:1000::/home/alice:/bin/bash\n\
         bob:x:1001:1001::/home/bob:/bin/bash\n",
    );
    h.write(
        "/etc/group",
        "www-data:x:33:\nnginx:x:101:\nalice:x:1000:\nops:x:2000:alice\nweb:x:2001:bob,nginx\n",
    );
    h.write(
        "/etc/sudoers",
        "# sudoers\nUser_Alias WEBSTAFF = nginx, \\\n   bob\n\
         WEBSTAFF ALL = (root) \\\n    NOPASSWD: /usr/bin/systemctl # restart\n\
         alice ALL=(ALL) NOPASSWD:ALL\n%ops ALL=(ALL) NOPASSWD: ALL\nwww-data ALL=(ALL) ALL\n\
         @include sudoers.local\n#includedir /etc/sudoers.d\n",
    );
    // Including the main file again must neither loop nor count its rules twice.
    h.write(
        "/etc/sudoers.local",
        "%web ALL=NOPASSWD: ALL\n#include /etc/sudoers\n",
    );
    h.write(
        "/etc/sudoers.d/all",
        "ALL ALL=(ALL) NOPASSWD: /usr/bin/uptime\n",
    );
    h.write(
        "/etc/sudoers.d/www.bak",
        "www-data ALL=(ALL) NOPASSWD: ALL\n",
    );
    h.write("/etc/sudoers.d/www~", "www-data ALL=(ALL) NOPASSWD: ALL\n");
    h.write("/var/tmp/x", "www-data ALL=(ALL) NOPASSWD: ALL\n");
    h.symlink("/var/tmp/x", "/etc/sudoers.d/link");
    let report = check(&h);
    let rule = "accounts.sudo-nopasswd-service";
    let alias = one(&report, rule, "/etc/sudoers", 4);
    assert!(
        alias.explanation.contains("nginx (via WEBSTAFF)"),
        "{}",
        alias.explanation
    );
    assert_eq!(
        alias.evidence.as_deref(),
        Some("WEBSTAFF ALL = (root) NOPASSWD: /usr/bin/systemctl")
    );
    assert!(
        one(&report, rule, "/etc/sudoers.local", 1)
            .explanation
            .contains("nginx (via %web)")
    );
    assert!(
        one(&report, rule, "/etc/sudoers.d/all", 1)
            .explanation
            .contains("every account")
    );
    let found: Vec<_> = report.findings.iter().filter(|f| f.rule == rule).collect();
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(
        warned(&report, "/etc/sudoers.d/link", "symbolic link"),
        "{:#?}",
        report.warnings
    );
}

#[test]
fn sshd_config_decides_which_key_files_count() {
    let h = FakeHost::empty();
    h.write(
        "/etc/passwd",
        "root:x:0:0::/root:/bin/bash\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n\
         backup:x:34:34::/var/backups:/usr/sbin/nologin\nalice:x:1000:1000::/home/alice:/bin/bash\n",
    );
    h.write(
        "/etc/ssh/sshd_config",
        "Include sshd_config.d/*.conf\nPermitRootLogin no\nMatch User backup\n  AuthorizedKeysFile /srv/backup-keys\n",
    );
    h.write(
        "/etc/ssh/sshd_config.d/10-keys.conf",
        "AuthorizedKeysFile .ssh/authorized_keys /etc/ssh/keys/%u\n",
    );
    h.write(
        "/etc/ssh/sshd_config.d/20-later.conf",
        "AuthorizedKeysFile .ssh/ignored\n",
    );
    h.write("/etc/ssh/keys/www-data", format!("{KEY} w@x\n"));
    h.write(
        "/root/.ssh/authorized_keys2",
        format!("environment=\"LD_PRELOAD=/tmp/a.so\" {KEY}\n"),
    );
    h.write(
        "/home/alice/.ssh/ignored",
        format!("environment=\"LD_PRELOAD=/tmp/a.so\" {KEY}\n"),
    );
    h.write(
        "/srv/backup-keys",
        format!("environment=\"PATH=/tmp/.b:/usr/bin\" {KEY} b@nas\n"),
    );
    h.write(
        "/home/alice/.ssh/authorized_keys",
        format!(
            "not a key at all\n\ncommand=\"/usr/local/bin/backup-receive\",no-pty {KEY} alice\n"
        ),
    );
    h.mkdir("/var/www/.ssh");
    h.mkfifo("/var/www/.ssh/authorized_keys");
    h.symlink("/etc/shadow", "/root/.ssh/authorized_keys");
    let report = check(&h);

    let www = one(
        &report,
        "ssh.service-account-key",
        "/etc/ssh/keys/www-data",
        1,
    );
    assert!(www.explanation.contains("www-data (UID 33)"));
    let env = one(&report, "ssh.key-environment", "/srv/backup-keys", 1);
    assert_eq!(env.severity, Severity::High);
    // A file shared by every account is not one service account's key.
    assert!(at(&report, "ssh.service-account-key", "/srv/backup-keys").is_empty());
    assert!(
        at(
            &report,
            "ssh.key-environment",
            "/root/.ssh/authorized_keys2"
        )
        .is_empty()
    );
    assert!(at(&report, "ssh.key-environment", "/home/alice/.ssh/ignored").is_empty());
    assert_eq!(
        one(
            &report,
            "ssh.forced-command",
            "/home/alice/.ssh/authorized_keys",
            3
        )
        .severity,
        Severity::Low
    );
    assert!(
        warned(&report, "/home/alice/.ssh/authorized_keys", "line 1"),
        "{:#?}",
        report.warnings
    );
    assert!(
        warned(&report, "/var/www/.ssh/authorized_keys", "FIFO"),
        "{:#?}",
        report.warnings
    );
    let link = at(&report, "ssh.keys-symlink", "/root/.ssh/authorized_keys");
    assert_eq!(link.len(), 1);
    assert_eq!(link[0].severity, Severity::Medium);
    assert!(
        link[0]
            .evidence
            .as_deref()
            .unwrap_or_default()
            .ends_with("-> /etc/shadow")
    );
    // No package database: nothing to compare key dates with.
    assert!(report.findings.iter().all(|f| f.rule != "ssh.keys-recent"));
}

#[test]
fn unreadable_inputs_become_warnings() {
    let h = FakeHost::empty();
    h.write(
        "/etc/passwd",
        "root:x:0:0::/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n",
    );
    h.mkfifo("/etc/shadow");
    h.symlink("/etc/sudoers", "/etc/sudoers");
    h.mkdir("/home/alice");
    h.symlink(".ssh", "/home/alice/.ssh");
    h.write("/var/lib/rpm/rpmdb.sqlite", "");
    h.age("/var/lib/rpm/rpmdb.sqlite", 30);
    h.write("/root/.ssh/authorized_keys", format!("{KEY} root\n"));
    h.age("/root/.ssh/authorized_keys", 28);
    let report = check(&h);
    let shadow: Vec<_> = report
        .warnings
        .iter()
        .filter(|w| w.path.as_deref() == Some("/etc/shadow"))
        .collect();
    assert_eq!(shadow.len(), 1, "{:#?}", report.warnings);
    assert!(
        warned(&report, "/etc/sudoers", "symbolic link"),
        "{:#?}",
        report.warnings
    );
    assert!(
        report.warnings.iter().any(|w| w
            .path
            .as_deref()
            .is_some_and(|p| p.starts_with("/home/alice/.ssh"))),
        "{:#?}",
        report.warnings
    );
    // rpm's database is the baseline: a key a day newer than it is recent.
    let recent = at(&report, "ssh.keys-recent", "/root/.ssh/authorized_keys");
    assert_eq!(recent.len(), 1);
    assert!(recent[0].explanation.contains("rpmdb.sqlite"));
}
