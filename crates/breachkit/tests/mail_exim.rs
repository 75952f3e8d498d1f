//! `breachkit mail` on real Exim spools: the same PHP spam storm as for Postfix
//! (www-data's mail() through Exim's sendmail interface, one delivery attempt
//! refused as blacklisted, some recipients for good, so bounces come back to
//! www-data's mailbox) against an honest twin; then 10,000 recipients, a 50 MB
//! message, non-ASCII headers, broken spool files and spool files vanishing while
//! read. Nothing in the spool is changed by reading it.

mod mta;

use mta::*;
use std::time::Duration;

const MAILER: &str = "var/www/html/wp-content/uploads/2024/05/wp-conf.php";
const STORM: usize = 60;
const PER: usize = 65;

#[test]
fn spam_storm_is_found_and_honest_mail_is_not() {
    let mx = RemoteMx::start();
    let ex = Exim::new(mx.port);
    configure_php_mail_log(&ex.img);
    plant_mailer(&ex.img, MAILER, STORM, PER);
    ex.php(&format!("/{MAILER}"));
    ex.deliver();
    wait_for_bounces(&ex.img, "www-data", STORM);
    let before = snapshot(&ex.img.path("var/spool/exim4/input"));

    let (doc, out) = mail_json(&ex.img);
    assert_eq!(out.status.code(), Some(1));
    expect_storm_rules(&doc);
    assert!(expect(&doc, "mail.blacklisted", "high").contains("spamhaus"));
    let bounces = expect(&doc, "mail.backscatter", "medium");
    assert!(
        bounces.starts_with(&format!("{STORM} bounces"))
            && bounces.contains("Mail delivery failed"),
        "{bounces}"
    );
    let script = findings(&doc)
        .into_iter()
        .find(|f| f.0 == "mail.sending-script" && f.2 == format!("/{MAILER}"))
        .unwrap_or_else(|| panic!("no finding points at the script: {:#?}", findings(&doc)));
    // The script was run through the content scanner (a PHP file in an upload folder).
    assert!(
        findings(&doc)
            .iter()
            .any(|f| f.0.starts_with("scan.") && f.2 == format!("/{MAILER}")),
        "the sending script was not scanned: {:#?}",
        findings(&doc)
    );
    assert_eq!(script.1, "critical");
    let s = &doc["summary"];
    assert_eq!(s["messages"], STORM + 1);
    assert_eq!(s["by_uid"][0]["key"], "33 (www-data)");
    assert_eq!(s["queues"][0]["mta"], "exim");
    assert_eq!(s["queues"][0]["queue"], "deferred");
    let (live, _) = mail_json_live(&ex.img, &[]);
    expect(&live, "mail.web-uid", "high");
    assert_eq!(before, snapshot(&ex.img.path("var/spool/exim4/input")));
}

#[test]
fn honest_twin_stays_quiet() {
    let ex = Exim::new(closed_port());
    configure_php_mail_log(&ex.img);
    plant_honest_site(&ex.img, "var/www/html/wp-content/plugins/shop/mailer.php");
    ex.php("/var/www/html/wp-content/plugins/shop/mailer.php");
    ex.sendmail(0, &["-t", "-i"], CRON_MAIL);
    ex.deliver();
    let (doc, out) = mail_json(&ex.img);
    assert_quiet(&doc);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(doc["summary"]["messages"], 3);
    assert!(
        doc["warnings"].as_array().unwrap().is_empty(),
        "{}",
        doc["warnings"]
    );
    let m = &doc["queues"]["messages"][0];
    assert_eq!(m["queue"], "deferred", "{m}");
    assert!(
        m["delay_reasons"][0]
            .as_str()
            .unwrap_or("")
            .contains("Connection refused"),
        "{m}"
    );
}

#[test]
fn big_odd_and_broken_spool_files() {
    let ex = Exim::new(closed_port());
    let rcpts: Vec<String> = (0..10_000).map(|i| format!("r{i}@example.net")).collect();
    let mut args = vec!["-i"];
    args.extend(rcpts.iter().map(String::as_str));
    ex.sendmail(0, &args, b"From: news@example.com\nSubject: list\n\nhi\n");
    let mut big =
        b"From: root@web01.example.com\nTo: big@example.org\nSubject: backup\n\n".to_vec();
    while big.len() < 50 << 20 {
        big.extend_from_slice(&[b'x'; 99]);
        big.push(b'\n');
    }
    ex.sendmail(0, &["-t", "-i"], &big);
    ex.sendmail(
        0,
        &["-t", "-i"],
        "From: =?ISO-8859-1?Q?J=F6rg_M=FCller?= <joerg@example.com>\nTo: x@example.org\n\
         Subject: =?ISO-8859-1?Q?Caf=E9_cr=E8me?= und Grüße\n\n\u{e9}t\u{e9}\n"
            .as_bytes(),
    );
    let input = ex.img.path("var/spool/exim4/input");
    std::fs::write(
        input.join("1aBcDe-000Bad-00-H"),
        b"1aBcDe-000Bad-00-H\nno uid here\n",
    )
    .unwrap();
    std::fs::write(
        input.join("1aBcDe-000Cut-00-H"),
        b"1aBcDe-000Cut-00-H\nroot 0 0\n<root@x>\n17",
    )
    .unwrap();
    let before = snapshot(&input);
    let started = std::time::Instant::now();
    let (doc, _) = mail_json(&ex.img);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "slow on a 50 MB message"
    );
    assert_eq!(before, snapshot(&input), "the spool was changed");
    let msgs = doc["queues"]["messages"].as_array().unwrap();
    assert!(msgs.iter().any(|m| m["recipient_count"] == 10_000));
    let big_one = msgs
        .iter()
        .find(|m| m["headers"]["subject"] == "backup")
        .expect("the 50 MB message");
    assert!(big_one["size"].as_u64().unwrap() >= 50 << 20, "{big_one}");
    let odd = msgs
        .iter()
        .find(|m| m["headers"]["from"] == "joerg@example.com")
        .unwrap();
    assert_eq!(odd["headers"]["subject"], "Café crème und Grüße");
    assert_eq!(odd["queue"], "queued");
    let warnings = doc["warnings"].to_string();
    assert!(
        warnings.contains("1aBcDe-000Bad-00-H") && warnings.contains("1aBcDe-000Cut-00-H"),
        "{warnings}"
    );
    expect(&doc, "mail.many-recipients", "high");
}

#[test]
fn spool_files_vanishing_while_read() {
    let ex = Exim::new(closed_port());
    for i in 0..40 {
        ex.sendmail(
            0,
            &["-i", &format!("u{i}@example.net")],
            b"Subject: s\n\nx\n",
        );
    }
    let input = ex.img.path("var/spool/exim4/input");
    let mut files = walkdir(&input);
    assert_eq!(files.len(), 80, "40 -H and 40 -D files");
    // Delete them one by one while breachkit reads the spool, as delivery does
    // (the -D file first, as Exim does when a message is done).
    files.sort_by_key(|f| !f.to_string_lossy().ends_with("-D"));
    read_while_delivered(&ex.img, files, Duration::from_millis(1), 40, |doc| {
        assert!(
            doc["warnings"].as_array().unwrap().is_empty(),
            "{}",
            doc["warnings"]
        );
    });
}
