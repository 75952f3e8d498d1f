//! The planted break-in told by the logs (brute force then root login, a UID 0
//! account, webshell POSTs, a crontab replaced, a spam burst, a ClamAV detection)
//! is found with the right lines and times and reads in order on the timeline; every
//! rule of the issue fires on its own planted line with its severity; the clean
//! twin's ordinary noise gives nothing at medium or above, and only the rules that
//! are meant to see noise fire on it at all.

// tests: a panic is a failed test
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use breachkit_finding::{Finding, Severity};
use breachkit_host::Host;
use breachkit_logs::{Analysis, Options, Thresholds, analyse, facts, standard};
use breachkit_testkit::FakeHost;
use breachkit_testkit::clean_logs::MALDET_LOG;
use breachkit_testkit::planted_logs::{
    ATTACKER, DROPPED, RETURN_IP, SASL_GUESSER, WEBSHELL, WP_GUESSER,
};

fn run(h: &FakeHost) -> Analysis {
    let host = Host::image(h.root()).expect("image");
    let mut warnings = Vec::new();
    let families = standard(&host, &mut warnings);
    assert!(warnings.is_empty(), "{warnings:#?}");
    let options = Options {
        thresholds: Thresholds::default(),
        facts: facts(&host),
    };
    analyse(&host, &families, &options)
}

/// The 1-based number of the first line of a plain file containing `needle`.
fn line_of(h: &FakeHost, path: &str, needle: &str) -> u64 {
    let text = std::fs::read_to_string(h.path(path)).expect("read log");
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i as u64 + 1)
        .unwrap_or_else(|| panic!("{needle:?} not in {path}"))
}

fn find<'a>(a: &'a Analysis, rule: &str) -> &'a Finding {
    a.findings
        .iter()
        .find(|f| f.rule == rule)
        .unwrap_or_else(|| panic!("no {rule} in {:#?}", a.findings))
}

#[test]
fn the_story_is_found_with_its_lines() {
    let (h, _) = FakeHost::planted();
    let a = run(&h);
    assert!(a.warnings.is_empty(), "{:#?}", a.warnings);

    let f = find(&a, "auth.ssh-login-after-failures");
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.path.as_deref(), Some("/var/log/auth.log"));
    let accepted = format!("Accepted password for root from {ATTACKER}");
    assert_eq!(f.line, Some(line_of(&h, "/var/log/auth.log", &accepted)));
    assert_eq!(f.time.as_deref(), Some("2024-05-06T14:00:02Z"));
    assert!(f.evidence.as_deref().unwrap_or("").contains(&accepted));
    // The events behind it: how many failures and where the first one is.
    let first_failure = line_of(
        &h,
        "/var/log/auth.log",
        &format!("Failed password for root from {ATTACKER}"),
    );
    assert!(
        f.explanation.contains("failed 40 times")
            && f.explanation
                .contains(&format!("/var/log/auth.log:{first_failure}")),
        "{}",
        f.explanation
    );

    let f = find(&a, "auth.uid-zero");
    assert_eq!(
        f.line,
        Some(line_of(&h, "/var/log/auth.log", "new user: name=sysupdate"))
    );

    let f = find(&a, "web.php-in-uploads");
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.path.as_deref(), Some("/var/log/nginx/access.log"));
    assert_eq!(
        f.line,
        Some(line_of(
            &h,
            "/var/log/nginx/access.log",
            &format!("POST {WEBSHELL}")
        ))
    );
    assert!(
        f.explanation.contains("17 requests, 17 answered"),
        "{}",
        f.explanation
    );

    let f = find(&a, "web.shell-command");
    assert_eq!(f.severity, Severity::High);
    assert_eq!(
        f.line,
        Some(line_of(&h, "/var/log/nginx/access.log", "?cmd=id"))
    );

    let f = find(&a, "auth.crontab-replace");
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.path.as_deref(), Some("/var/log/syslog"));
    assert_eq!(
        f.line,
        Some(line_of(
            &h,
            "/var/log/syslog",
            "(www-data) REPLACE (www-data)"
        ))
    );

    let f = find(&a, "mail.outbound-spike");
    assert_eq!(f.severity, Severity::High);
    assert_eq!(
        f.line,
        Some(line_of(&h, "/var/log/mail.log", "5PAM0000: to="))
    );
    assert!(f.explanation.contains("300 messages"), "{}", f.explanation);
    let web_mail: Vec<_> = a
        .findings
        .iter()
        .filter(|f| f.rule == "mail.web-submissions")
        .collect();
    assert!(web_mail.iter().any(|f| f.severity == Severity::High
        && f.line == Some(line_of(&h, "/var/log/mail.log", "5PAM0000: uid=33"))));
    assert_eq!(find(&a, "mail.bounce-storm").severity, Severity::Medium);

    let f = find(&a, "av.detection");
    assert_eq!(f.path.as_deref(), Some("/var/log/clamav/clamav.log"));
    assert_eq!(
        f.line,
        Some(line_of(&h, "/var/log/clamav/clamav.log", "FOUND"))
    );
    assert!(f.explanation.contains("Php.Webshell.Generic-7"));

    // The timeline reads first access → shell → persistence → spam → detection.
    let order = [
        ("ssh login", ATTACKER),
        ("account created", "sysupdate"),
        ("webshell request", WEBSHELL),
        ("crontab", "www-data"),
        ("mail burst", "messages"),
        ("malware found", WEBSHELL),
    ];
    let times: Vec<i64> = order
        .iter()
        .map(|(what, about)| {
            a.timeline
                .iter()
                .find(|e| e.what == *what && e.summary.contains(about))
                .unwrap_or_else(|| panic!("no {what} about {about} on the timeline"))
                .time
        })
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    assert!(a.timeline.windows(2).all(|w| w[0].time <= w[1].time));
}

/// The 1-based number of the `n`th (from 1) line of a plain file containing `needle`.
fn nth_line_of(h: &FakeHost, path: &str, needle: &str, n: usize) -> u64 {
    let text = std::fs::read_to_string(h.path(path)).expect("read log");
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .nth(n - 1)
        .map(|(i, _)| i as u64 + 1)
        .unwrap_or_else(|| panic!("{needle:?} not {n} times in {path}"))
}

const AUTH: &str = "/var/log/auth.log";
const SYSLOG: &str = "/var/log/syslog";
const ACCESS: &str = "/var/log/nginx/access.log";
const MAIL: &str = "/var/log/mail.log";
const CLAMAV: &str = "/var/log/clamav/clamav.log";

/// Every rule of the issue, each on its planted line: (rule, log, the line's
/// text, which occurrence of it, severity).
fn story() -> Vec<(&'static str, &'static str, String, usize, Severity)> {
    use Severity::*;
    let root_login = format!("Accepted password for root from {ATTACKER}");
    let comeback = format!("Accepted publickey for root from {RETURN_IP}");
    vec![
        (
            "auth.ssh-brute-force",
            AUTH,
            format!("Failed password for root from {ATTACKER}"),
            20,
            Low,
        ),
        (
            "auth.ssh-login-after-failures",
            AUTH,
            root_login.clone(),
            1,
            Critical,
        ),
        ("auth.ssh-root-login", AUTH, root_login.clone(), 1, Medium),
        ("auth.ssh-root-login", AUTH, comeback.clone(), 1, Low),
        ("auth.ssh-new-source", AUTH, root_login, 1, Medium),
        ("auth.ssh-new-source", AUTH, comeback.clone(), 1, Medium),
        ("auth.ssh-new-key", AUTH, comeback, 1, Medium),
        (
            "auth.ssh-service-login",
            AUTH,
            "Accepted password for mysql".into(),
            1,
            High,
        ),
        (
            "auth.ssh-invalid-user-spray",
            AUTH,
            format!("Invalid user git1 from {ATTACKER}"),
            1,
            Low,
        ),
        (
            "auth.uid-zero",
            AUTH,
            "new user: name=sysupdate".into(),
            1,
            Critical,
        ),
        (
            "auth.user-created",
            AUTH,
            "new user: name=support".into(),
            1,
            Medium,
        ),
        (
            "auth.admin-group",
            AUTH,
            "add 'support' to group 'sudo'".into(),
            1,
            High,
        ),
        (
            "auth.password-changed",
            AUTH,
            "password changed for root".into(),
            1,
            Medium,
        ),
        (
            "auth.service-sudo",
            AUTH,
            "www-data : TTY=unknown".into(),
            1,
            Critical,
        ),
        ("auth.su-root", AUTH, "by (uid=33)".into(), 1, High),
        (
            "auth.crontab-replace",
            SYSLOG,
            "(www-data) REPLACE (www-data)".into(),
            1,
            High,
        ),
        (
            "auth.systemd-new-unit",
            SYSLOG,
            "Started dbus-helper.service".into(),
            1,
            Low,
        ),
        (
            "web.php-in-uploads",
            ACCESS,
            format!("POST {WEBSHELL}"),
            1,
            Critical,
        ),
        ("web.shell-command", ACCESS, "?cmd=id".into(), 1, High),
        (
            "web.attack-patterns",
            ACCESS,
            "UNION%20SELECT".into(),
            1,
            Medium,
        ),
        ("web.scanner", ACCESS, "sqlmap/1.8.4".into(), 1, Low),
        ("web.login-flood", ACCESS, "203.0.113.150 ".into(), 30, Low),
        ("web.login-flood", ACCESS, format!("{WP_GUESSER} "), 30, Low),
        (
            "web.login-after-flood",
            ACCESS,
            "POST /wp-login.php HTTP/1.1\" 302".into(),
            1,
            High,
        ),
        (
            "web.new-php-burst",
            ACCESS,
            format!("POST {DROPPED}"),
            10,
            Medium,
        ),
        ("mail.outbound-spike", MAIL, "5PAM0000: to=".into(), 1, High),
        (
            "mail.web-submissions",
            MAIL,
            "5PAM0000: uid=33".into(),
            1,
            High,
        ),
        (
            "mail.bounce-storm",
            MAIL,
            "5PAM0000X: to=".into(),
            1,
            Medium,
        ),
        (
            "mail.sasl-brute-force",
            MAIL,
            format!("unknown[{SASL_GUESSER}]: SASL LOGIN"),
            10,
            Low,
        ),
        (
            "mail.sasl-login-after-failures",
            MAIL,
            "sasl_username=shop@example.com".into(),
            1,
            High,
        ),
        ("av.detection", CLAMAV, WEBSHELL.into(), 1, High),
        (
            "av.detection",
            CLAMAV,
            "mail.php: Php.Mailer.Spam-3 FOUND".into(),
            1,
            High,
        ),
        (
            "av.detection",
            MALDET_LOG,
            "{hit} malware hit".into(),
            1,
            High,
        ),
        (
            "av.detection",
            MALDET_LOG,
            "{quar} malware quarantined".into(),
            1,
            High,
        ),
    ]
}

#[test]
fn every_rule_fires_on_its_planted_line() {
    let (h, _) = FakeHost::planted();
    let a = run(&h);
    let mut missing = Vec::new();
    for (rule, path, needle, n, severity) in story() {
        let line = nth_line_of(&h, path, &needle, n);
        let found = a
            .findings
            .iter()
            .find(|f| f.rule == rule && f.path.as_deref() == Some(path) && f.line == Some(line));
        match found {
            Some(f) if f.severity == severity => {
                let ev = f.evidence.as_deref().unwrap_or("");
                assert!(ev.contains(needle.trim_end()), "{rule}: evidence {ev:?}");
            }
            Some(f) => missing.push(format!(
                "{rule} at {path}:{line} is {} not {severity}",
                f.severity
            )),
            None => missing.push(format!("{rule} not at {path}:{line} ({needle})")),
        }
    }
    let summary: Vec<String> = a
        .findings
        .iter()
        .map(|f| format!("{} {} {:?}:{:?}", f.rule, f.severity, f.path, f.line))
        .collect();
    assert!(missing.is_empty(), "{missing:#?}\nfound: {summary:#?}");
    // Each detection names its file.
    let av: Vec<_> = a
        .findings
        .iter()
        .filter(|f| f.rule == "av.detection")
        .collect();
    assert_eq!(av.len(), 4, "{av:#?}");
    for file in [
        format!("/var/www/html{WEBSHELL} (signature Php.Webshell.Generic-7)"),
        "/var/www/html/wp-content/uploads/2024/05/mail.php (signature Php.Mailer.Spam-3)".into(),
        format!("/var/www/html{DROPPED} (signature {{HEX}}php.cmdshell.unclassed.365)"),
        format!(
            "/var/www/html{DROPPED}, quarantined to /usr/local/maldetect/quarantine/class-wp-http-netfilter.php.2211"
        ),
    ] {
        assert!(
            av.iter()
                .any(|f| f.explanation.contains(&format!("The file: {file}"))),
            "{file}: {av:#?}"
        );
    }
}

/// Rules the clean twin's noise may raise, at low severity: bots and scanners that
/// never get in (probing for shells that are not there), the admin's su and password change, a package's system account,
/// the admin's usual key from another network, WordPress mailing.
const NOISE: &[&str] = &[
    "auth.ssh-brute-force",
    "web.scanner",
    "web.attack-patterns",
    "web.php-in-uploads",
    "auth.su-root",
    "auth.password-changed",
    "auth.user-created",
    "auth.group-created",
    "auth.ssh-new-source",
    "mail.web-submissions",
];

#[test]
fn the_clean_twin_is_quiet() {
    let h = FakeHost::clean();
    let a = run(&h);
    let loud: Vec<_> = a
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Medium || !NOISE.contains(&f.rule.as_str()))
        .collect();
    assert!(loud.is_empty(), "{loud:#?}");
    assert!(a.warnings.is_empty(), "{:#?}", a.warnings);
    // The noise is seen for what it is: brute force that never got in, scanners,
    // the admin on another network with her usual key, mysql's package account.
    for rule in [
        "auth.ssh-brute-force",
        "web.scanner",
        "auth.ssh-new-source",
        "auth.user-created",
    ] {
        assert!(a.findings.iter().any(|f| f.rule == rule), "no {rule}");
    }
    assert!(
        a.lines > 1000 && a.files >= 14,
        "{} lines in {} files",
        a.lines,
        a.files
    );
}

#[test]
fn sudo_by_service_accounts_is_graded() {
    let h = FakeHost::empty();
    h.write(
        "/etc/passwd",
        "root:x:0:0:root:/root:/bin/bash\n\
         www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n\
         backup:x:34:34:backup:/var/backups:/usr/sbin/nologin\n\
         nagios:x:110:118::/var/lib/nagios:/usr/sbin/nologin\n",
    );
    let lines = [
        // A monitoring account that sudoers lets run one check: noted only.
        "nagios : TTY=unknown ; PWD=/ ; USER=root ; COMMAND=/usr/lib/nagios/plugins/check_apt",
        // The web server running anything through sudo.
        "www-data : TTY=unknown ; PWD=/tmp ; USER=root ; COMMAND=/usr/bin/id",
        // Refused: someone is trying.
        "www-data : user NOT in sudoers ; TTY=unknown ; PWD=/tmp ; USER=root ; COMMAND=/usr/bin/cat /etc/shadow",
        // A shell.
        "backup : TTY=pts/1 ; PWD=/var/backups ; USER=root ; COMMAND=/bin/sh",
    ];
    let log: String = lines
        .iter()
        .enumerate()
        .map(|(i, l)| format!("May  6 10:00:0{i} web01 sudo: {l}\n"))
        .collect();
    h.write("/var/log/auth.log", log);
    let a = run(&h);
    let got: Vec<(u64, Severity)> = a
        .findings
        .iter()
        .filter(|f| f.rule == "auth.service-sudo")
        .map(|f| (f.line.unwrap_or(0), f.severity))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(
        got,
        [
            (1, Severity::Low),
            (2, Severity::High),
            (3, Severity::High),
            (4, Severity::Critical)
        ]
    );
}
