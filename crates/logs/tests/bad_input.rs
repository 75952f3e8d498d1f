//! Logs as they are on real, hacked servers: a year rollover between rotations,
//! mixed time zones, an unparseable line in the middle, invalid UTF-8, a truncated
//! gzip archive, files rotated or gone while being read, a FIFO where a log should
//! be. Each is read as far as it can be, and each problem is a warning naming the
//! file. (The 100 MB line has its own test binary, to measure memory alone.)

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use breachkit_finding::{Finding, Warning};
use breachkit_host::Host;
use breachkit_logs::{Analysis, Match, Options, Thresholds, Words, analyse, facts, grep, standard};
use breachkit_testkit::FakeHost;
use breachkit_testkit::clean_logs::pin;
use std::io::Write;
use std::sync::Mutex;

fn utc(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>().expect("time").as_second()
}

fn run(h: &FakeHost) -> Analysis {
    let host = Host::image(h.root()).expect("image");
    let mut warnings = Vec::new();
    let families = standard(&host, &mut warnings);
    let options = Options {
        thresholds: Thresholds::default(),
        facts: facts(&host),
    };
    let mut a = analyse(&host, &families, &options);
    a.warnings.extend(warnings);
    a
}

fn find<'a>(a: &'a Analysis, rule: &str) -> &'a Finding {
    a.findings
        .iter()
        .find(|f| f.rule == rule)
        .unwrap_or_else(|| panic!("no {rule} in {:#?}\nwarnings {:#?}", a.findings, a.warnings))
}

fn warning<'a>(a: &'a Analysis, path: &str, says: &str) -> &'a Warning {
    a.warnings
        .iter()
        .find(|w| w.path.as_deref() == Some(path) && w.message.contains(says))
        .unwrap_or_else(|| panic!("no warning {says:?} about {path}: {:#?}", a.warnings))
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip")
}

#[test]
fn year_rollover_between_rotations() {
    let h = FakeHost::empty();
    let mut old = String::new();
    for i in 0..10 {
        old += &format!(
            "Dec 31 23:59:{:02} web01 sshd[1]: Failed password for admin from 203.0.113.66 port {i} ssh2\n",
            40 + i
        );
    }
    h.write("/var/log/auth.log.1", old);
    pin(&h, "/var/log/auth.log.1", utc("2025-01-01T00:00:05Z"));
    h.write(
        "/var/log/auth.log",
        "Jan  1 00:00:10 web01 sshd[1]: Failed password for admin from 203.0.113.66 port 11 ssh2\n\
         Jan  1 00:01:00 web01 sshd[1]: Accepted password for admin from 203.0.113.66 port 12 ssh2\n",
    );
    pin(&h, "/var/log/auth.log", utc("2025-01-02T08:00:00Z"));
    let a = run(&h);
    assert!(a.warnings.is_empty(), "{:#?}", a.warnings);
    // Only if December was read as 2024 are its failures before the login.
    let f = find(&a, "auth.ssh-login-after-failures");
    assert_eq!(f.time.as_deref(), Some("2025-01-01T00:01:00Z"));
    assert!(
        f.explanation.contains("failed 11 times")
            && f.explanation.contains("/var/log/auth.log.1:1"),
        "{}",
        f.explanation
    );
    assert!(a.timeline.iter().all(|e| e.time >= utc("2024-12-31T23:59:00Z") && e.time <= utc("2025-01-01T00:01:00Z")));
}

#[test]
fn mixed_time_zones_are_normalised_to_utc() {
    let h = FakeHost::empty();
    // The host runs on Paris time: its RFC 3164 lines are local.
    let tz = std::fs::read("/usr/share/zoneinfo/Europe/Paris")
        .expect("tzdata's Europe/Paris (scripts/test installs tzdata)");
    h.write("/usr/share/zoneinfo/Europe/Paris", tz);
    h.symlink("/usr/share/zoneinfo/Europe/Paris", "/etc/localtime");
    // One instant, 14:00 UTC, written four ways.
    h.write(
        "/var/log/auth.log",
        "2024-05-06T16:00:01+02:00 web01 sshd[1]: Failed password for root from 203.0.113.7 port 1 ssh2\n\
         2024-05-06T14:00:02Z web01 sshd[1]: Failed password for root from 203.0.113.7 port 2 ssh2\n\
         2024-05-06T09:00:03-05:00 web01 sshd[1]: Failed password for root from 203.0.113.7 port 3 ssh2\n\
         May  6 16:00:04 web01 sshd[1]: Failed password for root from 203.0.113.7 port 4 ssh2\n\
         2024-05-06T16:00:05.5+02:00 web01 sshd[1]: Failed password for root from 203.0.113.7 port 5 ssh2\n\
         May  6 16:00:30 web01 sshd[1]: Accepted password for root from 203.0.113.7 port 6 ssh2\n",
    );
    pin(&h, "/var/log/auth.log", utc("2024-05-06T20:00:00Z"));
    h.write(
        "/var/log/nginx/access.log",
        "203.0.113.7 - - [06/May/2024:16:01:00 +0200] \"POST /wp-content/uploads/a.php HTTP/1.1\" 200 5 \"-\" \"x\"\n\
         203.0.113.7 - - [06/May/2024:07:01:30 -0700] \"POST /wp-content/uploads/a.php HTTP/1.1\" 200 5 \"-\" \"x\"\n",
    );
    let a = run(&h);
    assert!(a.warnings.is_empty(), "{:#?}", a.warnings);
    let f = find(&a, "auth.ssh-login-after-failures");
    assert_eq!(f.time.as_deref(), Some("2024-05-06T14:00:30Z"));
    assert_eq!(f.line, Some(6));
    let web: Vec<i64> = a
        .timeline
        .iter()
        .filter(|e| e.what == "webshell request")
        .map(|e| e.time)
        .collect();
    assert_eq!(
        web,
        [utc("2024-05-06T14:01:00Z"), utc("2024-05-06T14:01:30Z")]
    );
}

#[test]
fn unparseable_and_invalid_utf8_lines_are_skipped_or_escaped() {
    let h = FakeHost::empty();
    let mut log = Vec::new();
    for i in 0..6 {
        log.extend(format!("May  6 10:00:0{i} web01 sshd[1]: Failed password for root from 198.51.100.9 port {i} ssh2\n").as_bytes());
    }
    log.extend(b"\x00\x01\x02 binary garbage \xff\xfe where a line should be\n");
    log.extend(b"May  6 10:00:30 web01 sshd[1]: Accepted password for root from 198.51.100.9 port 9 ssh2 \xfe\x1b[31m\n");
    h.write("/var/log/auth.log", log);
    pin(&h, "/var/log/auth.log", utc("2024-05-07T00:00:00Z"));
    // A FIFO where a web log should be: never opened, reported.
    h.mkdir("/var/log/nginx");
    h.mkfifo("/var/log/nginx/access.log");
    let a = run(&h);
    let f = find(&a, "auth.ssh-login-after-failures");
    assert_eq!(f.line, Some(8));
    let ev = f.evidence.as_deref().unwrap_or("");
    assert!(ev.ends_with("ssh2 \\xfe\u{1b}[31m"), "{ev}");
    warning(
        &a,
        "/var/log/auth.log",
        "1 line(s) are not in the syslog format and were skipped (the first is line 7)",
    );
    warning(&a, "/var/log/nginx/access.log", "not a regular file (FIFO)");
}

#[test]
fn truncated_gzip_is_read_up_to_the_damage() {
    let h = FakeHost::empty();
    let mut log = String::new();
    for i in 0..10 {
        log += &format!(
            "May  5 10:00:{i:02} web01 sshd[1]: Failed password for root from 198.51.100.9 port {i} ssh2\n"
        );
    }
    log += "May  5 10:00:30 web01 sshd[1]: Accepted password for root from 198.51.100.9 port 99 ssh2\n";
    for i in 0..50_000 {
        log += &format!(
            "May  5 11:{:02}:{:02} web01 CRON[{i}]: pam_unix(cron:session): session closed for user root {}\n",
            i / 1000 % 60,
            i % 60,
            i * 7919 % 10007
        );
    }
    let full = gzip(log.as_bytes());
    h.write("/var/log/auth.log.1.gz", &full[..full.len() * 6 / 10]);
    pin(&h, "/var/log/auth.log.1.gz", utc("2024-05-06T00:00:00Z"));
    h.write("/var/log/auth.log", "");
    let a = run(&h);
    let f = find(&a, "auth.ssh-login-after-failures");
    assert_eq!(
        (f.path.as_deref(), f.line),
        (Some("/var/log/auth.log.1.gz"), Some(11))
    );
    warning(
        &a,
        "/var/log/auth.log.1.gz",
        "truncated gzip archive: read up to the damage, after line",
    );

    // Trigger-word search reads the same archive up to the damage, and says so.
    let host = Host::image(h.root()).expect("image");
    let mut ignored = Vec::new();
    let families = standard(&host, &mut ignored);
    let words = Words::new(&["accepted password".to_string()], false).expect("words");
    let found = Mutex::new(Vec::new());
    let stats = grep(&host, &families, &words, &|m: &[Match]| {
        found.lock().expect("lock").extend_from_slice(m)
    });
    let found = found.into_inner().expect("lock");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].path.as_str(), found[0].line),
        ("/var/log/auth.log.1.gz", 11)
    );
    assert!(
        stats
            .warnings
            .iter()
            .any(|w| w.path.as_deref() == Some("/var/log/auth.log.1.gz")
                && w.message.contains("truncated gzip archive")),
        "{:#?}",
        stats.warnings
    );
}

#[test]
fn logs_rotated_or_gone_while_being_read() {
    let h = FakeHost::empty();
    h.write("/var/log/auth.log.1", "May  5 10:00:00 web01 sshd[1]: Accepted publickey for admin from 203.0.113.10 port 1 ssh2\n");
    h.write("/var/log/auth.log", "May  6 10:00:00 web01 sshd[1]: Accepted publickey for admin from 203.0.113.10 port 2 ssh2\n");
    h.write(
        "/var/log/mail.log",
        "May  6 10:00:00 web01 postfix/pickup[1]: A: uid=33 from=<www-data>\n",
    );
    let host = Host::image(h.root()).expect("image");
    let mut warnings = Vec::new();
    let families = standard(&host, &mut warnings);
    // logrotate runs between the listing and the reading; mail.log is deleted.
    std::fs::rename(h.path("/var/log/auth.log"), h.path("/var/log/auth.log.1")).expect("rotate");
    h.write("/var/log/auth.log", "");
    std::fs::remove_file(h.path("/var/log/mail.log")).expect("rm");
    let a = analyse(&host, &families, &Options::default());
    let a = Analysis {
        warnings: [warnings, a.warnings].concat(),
        ..a
    };
    warning(
        &a,
        "/var/log/auth.log.1",
        "was replaced while the logs were read",
    );
    warning(
        &a,
        "/var/log/auth.log",
        "was replaced while the logs were read",
    );
    warning(&a, "/var/log/mail.log", "vanished before it could be read");
}
