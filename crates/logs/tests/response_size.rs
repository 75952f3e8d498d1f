//! An attack answered 200 is judged by its size against the ordinary answers of the
//! same path: sqlmap's `UNION SELECT` on a shop's product page answered with a page
//! far bigger than the product pages is medium; the same attack answered with the
//! usual product page (the injection failed) is low; the ordinary answers logged
//! after the attack count as much as those before it; a path with too few ordinary
//! answers, or sizes logged as `-`, keeps the judgement of a bare 200.

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

const LOG: &str = "/var/log/nginx/access.log";
const SQLMAP: &str = "sqlmap/1.7.2#stable (https://sqlmap.org)";
const ATTACKER: &str = "203.0.113.77";
const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0";
const INJECTION: &str = "/product.php?id=7%27%20UNION%20ALL%20SELECT%20NULL,CONCAT(user,0x3a,password),NULL%20FROM%20mysql.user--%20-";
/// 2024-06-03T09:00:00Z.
const START: i64 = 1_717_405_200;

/// One combined-format line at `START + secs` (UTC); `size` as logged (`-` too).
fn line(secs: i64, ip: &str, request: &str, status: u16, size: &str, agent: &str) -> String {
    let t = jiff::Timestamp::from_second(START + secs).expect("time");
    let stamp = t.strftime("%d/%b/%Y:%H:%M:%S +0000");
    format!("{ip} - - [{stamp}] \"{request}\" {status} {size} \"-\" \"{agent}\"\n")
}

/// A visitor's view of a product page: 5,1xx–5,3xx bytes depending on the product.
fn product_view(i: i64) -> String {
    let size = 5_120 + (i * 53) % 230;
    line(
        i * 60,
        &format!("198.51.100.{}", 10 + i % 40),
        &format!("GET /product.php?id={} HTTP/1.1", 1 + i % 12),
        200,
        &size.to_string(),
        BROWSER,
    )
}

/// `before` product views, the attack answered with `size`, `after` more views,
/// and the site's other pages (which say nothing of product.php's sizes).
fn shop_log(before: i64, after: i64, size: &str) -> String {
    let mut log = String::new();
    for i in 0..before {
        log += &product_view(i);
        log += &line(
            i * 60 + 5,
            "198.51.100.3",
            "GET / HTTP/1.1",
            200,
            "31877",
            BROWSER,
        );
    }
    // sqlmap probing first: refused and errors say nothing.
    log += &line(
        before * 60,
        ATTACKER,
        "GET /product.php?id=7%27%20AND%20SLEEP(5)--%20- HTTP/1.1",
        500,
        "0",
        SQLMAP,
    );
    log += &line(
        before * 60 + 1,
        ATTACKER,
        &format!("GET {INJECTION} HTTP/1.1"),
        200,
        size,
        SQLMAP,
    );
    for i in before..before + after {
        log += &product_view(i + 1);
    }
    log
}

fn run(log: &str) -> Analysis {
    let h = FakeHost::empty();
    h.write(LOG, log);
    let host = Host::image(h.root()).expect("image");
    let mut warnings = Vec::new();
    let families = standard(&host, &mut warnings);
    assert!(warnings.is_empty(), "{warnings:#?}");
    let options = Options {
        thresholds: Thresholds::default(),
        facts: facts(&host),
    };
    let a = analyse(&host, &families, &options);
    assert!(a.warnings.is_empty(), "{:#?}", a.warnings);
    a
}

fn attack_of(a: &Analysis, source: &str) -> Finding {
    let found: Vec<&Finding> = a
        .findings
        .iter()
        .filter(|f| f.rule == "web.attack-patterns" && f.explanation.contains(source))
        .collect();
    assert_eq!(found.len(), 1, "{:#?}", a.findings);
    found[0].clone()
}

fn line_of(log: &str, needle: &str) -> u64 {
    log.lines()
        .position(|l| l.contains(needle))
        .map(|i| i as u64 + 1)
        .unwrap_or_else(|| panic!("{needle:?} not in the log"))
}

#[test]
fn an_injection_answered_with_an_unusual_size_is_medium() {
    let log = shop_log(20, 20, "14968");
    let f = attack_of(&run(&log), ATTACKER);
    assert_eq!(f.severity, Severity::Medium, "{f:#?}");
    assert_eq!(f.path.as_deref(), Some(LOG));
    assert_eq!(f.line, Some(line_of(&log, "UNION%20ALL%20SELECT")));
    let evidence = f.evidence.as_deref().unwrap_or("");
    assert!(evidence.contains("UNION%20ALL%20SELECT") && evidence.contains(" 200 14968 "));
    // The explanation names the size and the page's usual range.
    assert!(
        f.explanation.contains("/product.php answered one (")
            && f.explanation.contains("with 14968 bytes")
            && f.explanation
                .contains("its 40 ordinary answers are usually 51"),
        "{}",
        f.explanation
    );
}

#[test]
fn the_same_injection_answered_with_the_usual_size_is_low() {
    // The injection failed: product 7's ordinary page came back.
    let log = shop_log(20, 20, "5233");
    let f = attack_of(&run(&log), ATTACKER);
    assert_eq!(f.severity, Severity::Low, "{f:#?}");
    assert!(
        f.explanation
            .contains("1 answered with their page's usual size"),
        "{}",
        f.explanation
    );
    // A few hundred bytes more (a page that echoes the request): still usual.
    let log = shop_log(20, 20, "5470");
    assert_eq!(attack_of(&run(&log), ATTACKER).severity, Severity::Low);
}

#[test]
fn ordinary_answers_logged_after_the_attack_count() {
    // The attack is the first product.php line of the log.
    let log = shop_log(0, 30, "14968");
    let f = attack_of(&run(&log), ATTACKER);
    assert_eq!(f.severity, Severity::Medium, "{f:#?}");
    assert!(f.explanation.contains("its 30 ordinary answers"));
    let log = shop_log(0, 30, "5233");
    assert_eq!(attack_of(&run(&log), ATTACKER).severity, Severity::Low);
}

#[test]
fn too_little_history_keeps_the_judgement_of_a_bare_200() {
    // Three product views are not enough to know the page's sizes: an injection
    // answered 200 by a script stays worth a look, as it was before sizes were
    // kept, whatever its size; it is not called unusual.
    for size in ["14968", "5233"] {
        let log = shop_log(2, 1, size);
        let f = attack_of(&run(&log), ATTACKER);
        assert_eq!(f.severity, Severity::Medium, "{f:#?}");
        assert!(!f.explanation.contains("ordinary answers are usually"));
        assert!(
            f.explanation.contains(
                "1 of the answers (2xx from a page or script) could not be judged by size"
            ),
            "{}",
            f.explanation
        );
    }
    // The front page answers any query: with too little history it stays low.
    let mut log = String::new();
    for i in 0..3 {
        log += &line(i, "198.51.100.3", "GET / HTTP/1.1", 200, "31877", BROWSER);
    }
    log += &line(
        9,
        ATTACKER,
        "GET /?id=1%20UNION%20SELECT%201,2,3--%20- HTTP/1.1",
        200,
        "900",
        SQLMAP,
    );
    assert_eq!(attack_of(&run(&log), ATTACKER).severity, Severity::Low);
}

#[test]
fn the_front_page_is_judged_by_its_size() {
    let mut log = String::new();
    for i in 0..30 {
        let size = 31_877 + (i % 5) * 40;
        log += &line(
            i * 30,
            "198.51.100.3",
            "GET / HTTP/1.1",
            200,
            &size.to_string(),
            BROWSER,
        );
    }
    let attack = |size: &str| {
        line(
            2_000,
            ATTACKER,
            "GET /?cat=1%20UNION%20SELECT%20user_login,user_pass%20FROM%20wp_users HTTP/1.1",
            200,
            size,
            SQLMAP,
        )
    };
    // The home page again: the query was ignored.
    let f = attack_of(&run(&(log.clone() + &attack("31917"))), ATTACKER);
    assert_eq!(f.severity, Severity::Low, "{f:#?}");
    // Something else came back.
    let f = attack_of(&run(&(log + &attack("2210"))), ATTACKER);
    assert_eq!(f.severity, Severity::Medium, "{f:#?}");
    assert!(
        f.explanation.contains("with 2210 bytes"),
        "{}",
        f.explanation
    );
}

#[test]
fn traversal_answered_with_a_file_instead_of_the_page_is_medium() {
    let mut log = String::new();
    for i in 0..25 {
        let size = 8_400 + (i * 31) % 300;
        log += &line(
            i * 60,
            &format!("198.51.100.{}", 50 + i),
            &format!("GET /page.php?p=about{} HTTP/1.1", i % 3),
            200,
            &size.to_string(),
            BROWSER,
        );
    }
    log += &line(
        2_000,
        ATTACKER,
        "GET /page.php?p=....//....//....//etc/passwd HTTP/1.1",
        200,
        "1862",
        BROWSER,
    );
    let f = attack_of(&run(&log), ATTACKER);
    assert_eq!(f.severity, Severity::Medium, "{f:#?}");
    assert!(
        f.explanation.contains("with 1862 bytes"),
        "{}",
        f.explanation
    );
}

#[test]
fn sizes_logged_as_dash_are_not_compared() {
    // The attack's own size unknown: judged as a bare 200.
    let log = shop_log(20, 20, "-");
    let f = attack_of(&run(&log), ATTACKER);
    assert_eq!(f.severity, Severity::Medium, "{f:#?}");
    assert!(!f.explanation.contains("usually"));
    // Ordinary answers logged with `-` (apache's %b) are no history: judged as a
    // bare 200 even when the attack's size is known.
    let log: String = shop_log(20, 20, "14968")
        .lines()
        .map(|l| {
            if l.contains(ATTACKER) {
                return format!("{l}\n");
            }
            let (head, rest) = l.split_once("\" 200 ").expect("a 200");
            let (_, tail) = rest.split_once(' ').expect("a size");
            format!("{head}\" 200 - {tail}\n")
        })
        .collect();
    assert!(log.contains("\" 200 - \"-\""), "{log}");
    let f = attack_of(&run(&log), ATTACKER);
    assert_eq!(f.severity, Severity::Medium, "{f:#?}");
    assert!(f.explanation.contains("too few ordinary answers"));
}

#[test]
fn the_attackers_own_requests_are_not_the_usual() {
    // sqlmap's requests without an attack pattern (boolean probes) come with its
    // agent: they do not make a big answer usual.
    let mut log = shop_log(20, 0, "14968");
    for i in 0..40 {
        log += &line(
            3_000 + i,
            ATTACKER,
            "GET /product.php?id=7%20AND%204211=4211 HTTP/1.1",
            200,
            "14968",
            SQLMAP,
        );
    }
    assert_eq!(attack_of(&run(&log), ATTACKER).severity, Severity::Medium);
}
