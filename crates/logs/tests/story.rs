//! The planted break-in told by the logs (brute force then root login, a UID 0
//! account, webshell POSTs, a crontab replaced, a spam burst, a ClamAV detection)
//! is found with the right lines and times and reads in order on the timeline; the
//! clean twin's ordinary noise gives nothing at medium or above.

use breachkit_finding::{Finding, Severity};
use breachkit_host::Host;
use breachkit_logs::{Analysis, Options, Thresholds, analyse, facts, standard};
use breachkit_testkit::FakeHost;
use breachkit_testkit::planted_logs::{ATTACKER, WEBSHELL};

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

#[test]
fn the_clean_twin_is_quiet() {
    let h = FakeHost::clean();
    let a = run(&h);
    let loud: Vec<_> = a
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Medium)
        .collect();
    assert!(loud.is_empty(), "{loud:#?}");
    assert!(a.warnings.is_empty(), "{:#?}", a.warnings);
    // The noise is seen for what it is: brute force that never got in, scanners.
    assert!(a.findings.iter().any(|f| f.rule == "auth.ssh-brute-force"));
    assert!(a.findings.iter().any(|f| f.rule == "web.scanner"));
    assert!(
        a.lines > 1000 && a.files >= 13,
        "{} lines in {} files",
        a.lines,
        a.files
    );
}
