//! `breachkit mail` on real Postfix queues: a spam storm sent the way a hacked PHP
//! site sends it (PHP's mail() as www-data, X-PHP-Originating-Script, many
//! recipients, refused as blacklisted) against an honest twin (a few deferred
//! messages of an ordinary site); then the hard cases: 10,000 recipients, a 50 MB
//! message, non-ASCII and encoded-word headers, corrupt queue files, files vanishing
//! while read, and a tampered `postqueue` on the live host. Nothing in the queue is
//! changed by reading it.

mod mta;

use mta::*;
use std::time::Duration;

const MAILER: &str = "var/www/html/wp-content/uploads/2024/05/wp-conf.php";
const STORM: usize = 60;
const PER: usize = 65;

#[test]
fn spam_storm_is_found_and_honest_mail_is_not() {
    let mx = RemoteMx::start();
    let pf = Postfix::start(mx.port);
    configure_php_mail_log(&pf.img);
    plant_mailer(&pf.img, MAILER, STORM, PER);
    pf.php(&format!("/{MAILER}"));
    pf.settle(STORM + 1);
    // Recipients the receiving server refused for good came back to www-data.
    wait_for_bounces(&pf.img, "www-data", STORM);
    let before = queue_files(&pf);

    let (doc, out) = mail_json(&pf.img);
    assert_eq!(out.status.code(), Some(1), "findings give exit 1");
    expect_storm_rules(&doc);
    let reason = expect(&doc, "mail.blacklisted", "high");
    assert!(reason.contains("zen.spamhaus.org"), "{reason}");
    let forged = expect(&doc, "mail.forged-from", "medium");
    assert!(forged.contains("paypal.com ×"), "{forged}");
    // The bounces Postfix delivered to www-data's mailbox.
    let bounces = findings(&doc)
        .into_iter()
        .find(|f| f.0 == "mail.backscatter" && f.2 == "/var/mail/www-data")
        .unwrap_or_else(|| panic!("no backscatter finding: {:#?}", findings(&doc)));
    assert!(rank(&bounces.1) >= rank("medium"), "{bounces:?}");
    assert!(
        bounces.3.starts_with(&format!("{STORM} bounces"))
            && bounces.3.contains("Undelivered Mail Returned to Sender"),
        "{}",
        bounces.3
    );
    // The script: found by its file name in the web root and by PHP's mail.log,
    // in an upload directory, sending in bulk.
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
    assert_eq!(script.1, "critical", "{script:?}");
    assert!(
        script.3.contains("wp-conf.php (file owner uid 33)"),
        "{}",
        script.3
    );
    assert!(
        script.3.contains("PHP mail.log /var/log/php/mail.log"),
        "{}",
        script.3
    );

    // The summary: the uid, the script, the recipients.
    let s = &doc["summary"];
    assert_eq!(s["messages"], STORM + 1);
    assert_eq!(s["by_uid"][0]["key"], "33 (www-data)");
    assert_eq!(s["by_script"][0]["key"], "wp-conf.php");
    assert_eq!(s["by_subject"][0]["key"], "Your account has been limited ⚠");
    // Recipients at the refusing domain are done (bounced); the folded "bcc:" stayed
    // in the Subject: the contact form message has one recipient.
    assert_eq!(
        s["recipients"].as_u64(),
        Some((STORM * (PER - PER / 5) + 1) as u64)
    );
    // Paths are host paths.
    let root = pf.img.root().to_string_lossy().into_owned();
    assert!(findings(&doc).iter().all(|f| !f.2.contains(&root)));

    // The human tables.
    let case = tempfile::tempdir().unwrap();
    let human = std::process::Command::new(bin())
        .args(["mail", "--root"])
        .arg(pf.img.root())
        .arg("--case")
        .arg(case.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.starts_with("breachkit mail"), "{text}");
    for line in [
        "By submitting uid",
        "By PHP script",
        "By recipient domain",
        "33 (www-data)",
    ] {
        assert!(text.contains(line), "missing {line:?}:\n{text}");
    }
    let jsonl = std::process::Command::new(bin())
        .args(["mail", "--format", "jsonl", "--root"])
        .arg(pf.img.root())
        .arg("--case")
        .arg(case.path())
        .output()
        .unwrap();
    for line in String::from_utf8_lossy(&jsonl.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("one finding per line");
        assert!(v["rule"].as_str().unwrap().starts_with("mail.") || v["rule"].is_string());
    }

    // The live view from inside the instance's namespace: the same findings, and
    // postqueue agrees with the files.
    let (live, _) = mail_json_live(&pf.img, POSTFIX_BINDS);
    expect(&live, "mail.blacklisted", "high");
    assert!(
        findings(&live).iter().all(|f| f.0 != "mail.queue-hidden"),
        "{:#?}",
        findings(&live)
    );

    // A tampered postqueue that hides the spam is caught by the cross-check.
    let real = pf.img.path("real-postqueue");
    std::fs::copy("/usr/sbin/postqueue", &real).unwrap();
    pf.img.write(
        "fake-postqueue",
        format!(
            "#!/bin/sh\n'{}' \"$@\" | grep -v '\"address\": \"user'\n",
            real.display()
        ),
    );
    std::fs::set_permissions(
        pf.img.path("fake-postqueue"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let (tampered, _) = mail_json_live(
        &pf.img,
        &[
            ("etc/postfix", "/etc/postfix"),
            ("fake-postqueue", "/usr/sbin/postqueue"),
        ],
    );
    let ev = expect(&tampered, "mail.queue-hidden", "high");
    assert!(ev.contains(&format!("{} of {}", STORM, STORM + 1)), "{ev}");

    // Nothing in the queue was changed by reading it.
    assert_eq!(before, queue_files(&pf));
}

#[test]
fn honest_twin_stays_quiet() {
    let pf = Postfix::start(closed_port());
    configure_php_mail_log(&pf.img);
    plant_honest_site(&pf.img, "var/www/html/wp-content/plugins/shop/mailer.php");
    pf.php("/var/www/html/wp-content/plugins/shop/mailer.php");
    pf.sendmail(0, &["-t", "-i"], CRON_MAIL);
    pf.settle(3);
    let (doc, out) = mail_json(&pf.img);
    assert_quiet(&doc);
    assert_eq!(out.status.code(), Some(0), "{:#?}", findings(&doc));
    assert_eq!(doc["summary"]["messages"], 3);
    assert!(
        doc["warnings"].as_array().unwrap().is_empty(),
        "{}",
        doc["warnings"]
    );
    let subjects: Vec<&str> = doc["summary"]["by_subject"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert!(
        subjects.contains(&"Your order № 1042 is complete"),
        "{subjects:?}"
    );
    let reasons = doc["queues"]["messages"][0]["delay_reasons"][0]
        .as_str()
        .unwrap_or("");
    assert!(
        reasons.contains("Connection refused"),
        "{}",
        doc["queues"]["messages"][0]
    );
    let (live, _) = mail_json_live(&pf.img, POSTFIX_BINDS);
    assert_quiet(&live);
}

#[test]
fn big_odd_and_broken_queue_files() {
    let pf = Postfix::start(closed_port());
    // 10,000 recipients on the command line, as a mailer script passes them.
    let rcpts: Vec<String> = (0..10_000).map(|i| format!("r{i}@example.net")).collect();
    let mut args = vec!["-i", "-f", "news@example.com"];
    args.extend(rcpts.iter().map(String::as_str));
    pf.sendmail(0, &args, b"From: news@example.com\nSubject: list\n\nhi\n");
    // A 50 MB message.
    let mut big =
        b"From: root@web01.example.com\nTo: big@example.org\nSubject: backup\n\n".to_vec();
    let line = [b'x'; 99];
    while big.len() < 50 << 20 {
        big.extend_from_slice(&line);
        big.push(b'\n');
    }
    pf.sendmail(0, &["-t", "-i"], &big);
    // Non-ASCII headers: raw UTF-8, Latin-1 encoded words, an encoded display name.
    pf.sendmail(
        0,
        &["-t", "-i"],
        "From: =?ISO-8859-1?Q?J=F6rg_M=FCller?= <joerg@example.com>\nTo: x@example.org\n\
         Subject: =?ISO-8859-1?Q?Caf=E9_cr=E8me?= und Grüße\n\n\u{e9}t\u{e9}\n"
            .as_bytes(),
    );
    pf.settle(3);
    pf.stop();

    // Broken files beside the real ones.
    let q = pf.img.path("var/spool/postfix");
    let real = walkdir(&q.join("deferred"));
    let one = std::fs::read(&real[0]).unwrap();
    std::fs::create_dir_all(q.join("deferred/0")).unwrap();
    std::fs::write(
        q.join("deferred/0/0BADBADBAD"),
        b"\x00\xffgarbage that is no queue file",
    )
    .unwrap();
    std::fs::write(q.join("deferred/0/0CUTCUTCUT"), &one[..one.len() / 2]).unwrap();
    std::fs::write(q.join("deferred/0/0EMPTYEMPT"), b"").unwrap();
    std::fs::write(q.join("corrupt/1A2B3C4D5E"), &one[..40]).unwrap();

    let started = std::time::Instant::now();
    let (doc, _) = mail_json(&pf.img);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "slow on a 50 MB message"
    );
    let msgs = doc["queues"]["messages"].as_array().unwrap();
    let count = |n: u64| {
        msgs.iter()
            .any(|m| m["recipient_count"].as_u64() == Some(n))
    };
    assert!(count(10_000), "the 10,000-recipient message");
    let big_one = msgs
        .iter()
        .find(|m| m["headers"]["subject"] == "backup")
        .expect("the 50 MB message");
    assert!(big_one["size"].as_u64().unwrap() >= 50 << 20);
    let odd = msgs
        .iter()
        .find(|m| m["headers"]["from"] == "joerg@example.com")
        .expect("non-ASCII message");
    assert_eq!(odd["headers"]["subject"], "Café crème und Grüße");
    expect(&doc, "mail.many-recipients", "high");
    let warnings = doc["warnings"].to_string();
    for name in ["0BADBADBAD", "0CUTCUTCUT", "0EMPTYEMPT", "1A2B3C4D5E"] {
        assert!(
            warnings.contains(name),
            "no warning names {name}: {warnings}"
        );
    }
    assert_eq!(doc["queues"]["unreadable"], 4);
}

#[test]
fn queue_files_vanishing_while_read() {
    let pf = Postfix::start(closed_port());
    for i in 0..40 {
        pf.sendmail(
            0,
            &["-i", &format!("u{i}@example.net")],
            b"Subject: s\n\nx\n",
        );
    }
    pf.settle(40);
    pf.stop();
    let files = walkdir(&pf.img.path("var/spool/postfix/deferred"));
    read_while_delivered(&pf.img, files, Duration::from_millis(2), 40, |_| {});
}

/// The queue files and delivery logs (not the running master's own pid and lock files).
fn queue_files(pf: &Postfix) -> Vec<(std::path::PathBuf, u64, std::time::SystemTime)> {
    [
        "maildrop", "incoming", "active", "deferred", "hold", "corrupt", "defer", "bounce",
    ]
    .iter()
    .flat_map(|d| snapshot(&pf.img.path(&format!("var/spool/postfix/{d}"))))
    .collect()
}
