//! The honest server's mail: Postfix configured for its own domain, a few ordinary
//! messages deferred because a receiving server was down (a WordPress password
//! reset, a shop order confirmation, a cron report), PHP logging its `mail()` calls
//! from the contact form, and root's mailbox with cron output and one bounce of a
//! mistyped address. Nothing here is worth more than a low finding.

use crate::FakeHost;
use crate::clean_logs::{MONTHS, civil};
use crate::mailqueue::{PostfixMessage, postfix_defer_log, postfix_queue_file};

/// The queue directories Postfix creates.
pub const POSTFIX_QUEUES: &[&str] = &[
    "active", "bounce", "corrupt", "defer", "deferred", "flush", "hold", "incoming", "maildrop",
    "private", "public", "saved", "trace",
];
/// Arrival times in the fixtures are around this instant (2026-09-21).
pub const EPOCH: i64 = 1_790_000_000;

pub fn build(h: &FakeHost) {
    h.write(
        "/etc/postfix/main.cf",
        "smtpd_banner = $myhostname ESMTP $mail_name (Debian/GNU)\nbiff = no\nappend_dot_mydomain = no\n\
         compatibility_level = 3.6\nmyhostname = web01.example.com\nmyorigin = /etc/mailname\n\
         mydestination = $myhostname, web01, localhost.localdomain, localhost\nrelayhost =\n\
         inet_interfaces = loopback-only\nalias_maps = hash:/etc/aliases\n",
    );
    h.write("/etc/mailname", "web01.example.com\n");
    for q in POSTFIX_QUEUES {
        h.mkdir(&format!("/var/spool/postfix/{q}"));
    }
    let reason = "connect to mx.example.org[198.51.100.7]:25: Connection timed out";
    let messages = [
        (
            "6A1F2C3D4E",
            33,
            "www-data@web01.example.com",
            "alice@example.org",
            vec![
                "From: WordPress <wordpress@example.com>".to_string(),
                "Subject: [Example Shop] Password Reset".to_string(),
                "X-PHP-Originating-Script: 33:PHPMailer.php".to_string(),
                "X-Mailer: PHPMailer 6.9.1 (https://github.com/PHPMailer/PHPMailer)".to_string(),
                "Message-ID: <Qk3v9Lz2@example.com>".to_string(),
            ],
        ),
        (
            "7B2E4F6A8C",
            33,
            "shop@example.com",
            "bob@example.net",
            vec![
                "From: Example Shop <shop@example.com>".to_string(),
                "Reply-To: orders@example.com".to_string(),
                "Subject: =?UTF-8?Q?Your_order_=E2=84=96_1042_is_complete?=".to_string(),
                "X-PHP-Originating-Script: 33:PHPMailer.php".to_string(),
                "Message-ID: <a8f2b9c1@example.com>".to_string(),
            ],
        ),
        (
            "8C3F5A7B9D",
            0,
            "root@web01.example.com",
            "admin@example.org",
            vec![
                "From: root@web01.example.com (Cron Daemon)".to_string(),
                "Subject: Cron <root@web01> /usr/local/bin/db-backup.sh".to_string(),
                "Message-Id: <20260921102000.8C3F5A7B9D@web01.example.com>".to_string(),
            ],
        ),
    ];
    for (i, (id, uid, sender, rcpt, mut headers)) in messages.into_iter().enumerate() {
        let arrival = EPOCH + i as i64 * 3_600;
        let date = rfc2822(arrival);
        headers.insert(
            0,
            format!(
                "Received: by web01.example.com (Postfix, from userid {uid})\n\tid {id}; {date}"
            ),
        );
        headers.push(format!("To: {rcpt}"));
        headers.push(format!("Date: {date}"));
        let m = PostfixMessage {
            arrival,
            sender: sender.to_string(),
            recipients: vec![rcpt.to_string()],
            headers,
            body: "Hello,\nthis is an ordinary message.\n".to_string(),
            local: true,
        };
        let hash = &id[..1];
        h.write(
            &format!("/var/spool/postfix/deferred/{hash}/{id}"),
            postfix_queue_file(&m),
        );
        h.write(
            &format!("/var/spool/postfix/defer/{hash}/{id}"),
            postfix_defer_log(&m.recipients, "4.4.1", reason),
        );
    }
    h.write(
        "/etc/php/8.2/fpm/conf.d/20-mail.ini",
        "; log mail() calls\nmail.add_x_header = On\nmail.log = /var/log/php/mail.log\n",
    );
    let mut log = String::new();
    for day in 0..10 {
        log.push_str(&format!(
            "[{:02}-Sep-2026 14:0{}:11 UTC] mail() on [/var/www/html/wp-content/plugins/contact-form/send.php:88]: To: info@example.com -- Headers: From: visitor@example.org -- Subject: Contact form message\n",
            10 + day,
            day % 10
        ));
    }
    h.write("/var/log/php/mail.log", log);
    h.write(
        "/var/www/html/wp-content/plugins/contact-form/send.php",
        "<?php\n// Sends the contact form to the site owner.\nfunction cf_send( $msg ) {\n\treturn wp_mail( 'info@example.com', 'Contact form message', $msg );\n}\n",
    );
    let mut mbox = String::new();
    for day in 0..6 {
        mbox.push_str(&format!(
            "From root@web01.example.com  Mon Sep {:2} 04:15:01 2026\nFrom: root@web01.example.com (Cron Daemon)\nTo: root@web01.example.com\n\
             Subject: Cron <root@web01> /usr/local/bin/db-backup.sh\nDate: Mon, {} Sep 2026 04:15:01 +0000\n\nbackup done\n\n",
            14 + day,
            14 + day
        ));
    }
    mbox.push_str(
        "From MAILER-DAEMON  Sun Sep 20 09:12:44 2026\nFrom: MAILER-DAEMON@web01.example.com (Mail Delivery System)\n\
         To: root@web01.example.com\nSubject: Undelivered Mail Returned to Sender\n\
         Content-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"4B1C2D3E.1790000000/web01.example.com\"\n\n\
         This is the mail system at host web01.example.com.\n\n<admin@exmaple.org>: Host or domain name not found\n\n",
    );
    h.write("/var/mail/root", mbox);
}

/// An RFC 2822 date in UTC.
pub fn rfc2822(secs: i64) -> String {
    let (y, m, d, h, mi, s, weekday) = civil(secs);
    format!(
        "{weekday}, {d} {} {y} {h:02}:{mi:02}:{s:02} +0000",
        MONTHS[m - 1]
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc2822_dates() {
        assert_eq!(super::rfc2822(0), "Thu, 1 Jan 1970 00:00:00 +0000");
        assert_eq!(
            super::rfc2822(1_730_000_000),
            "Sun, 27 Oct 2024 03:33:20 +0000"
        );
    }
}
