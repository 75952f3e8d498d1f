//! Planted for the `logs` check: a break-in told by the logs of day 3 (6 May 2024),
//! appended to the honest server's logs. 198.51.100.23 guesses root's SSH password
//! (40 failures, then a login), creates a UID 0 account, runs a webshell in the
//! uploads directory (POSTs answered 200, a `?cmd=id`), the web server's crontab is
//! replaced, a PHP mailer sends a spam burst, and ClamAV finds the shell.

use crate::clean_logs::{DAY0, access_line, ctime, pin_live, syslog_line};
use crate::{Expect, FakeHost};
use std::fmt::Write;

/// The intruder's address.
pub const ATTACKER: &str = "198.51.100.23";
/// The webshell's URL path.
pub const WEBSHELL: &str = "/wp-content/uploads/2024/05/wp-cache.php";

/// 2024-05-06T00:00:00Z, the day of the break-in.
const DAY2: i64 = DAY0 + 2 * 86_400;

pub fn plant(h: &FakeHost) -> Vec<Expect> {
    let mut auth = String::new();
    let start = DAY2 + 13 * 3600 + 50 * 60;
    for i in 0..40 {
        auth += &syslog_line(
            start + i * 11,
            "sshd[6100]",
            &format!(
                "Failed password for root from {ATTACKER} port {} ssh2",
                33_000 + i
            ),
        );
    }
    auth += &syslog_line(
        DAY2 + 14 * 3600 + 2,
        "sshd[6200]",
        &format!("Accepted password for root from {ATTACKER} port 33999 ssh2"),
    );
    auth += &syslog_line(
        DAY2 + 14 * 3600 + 2,
        "sshd[6200]",
        "pam_unix(sshd:session): session opened for user root(uid=0) by (uid=0)",
    );
    auth += &syslog_line(
        DAY2 + 14 * 3600 + 300,
        "useradd[6300]",
        "new user: name=sysupdate, UID=0, GID=0, home=/root, shell=/bin/bash, from=/dev/pts/1",
    );
    h.append("/var/log/auth.log", auth);
    pin_live(h, "/var/log/auth.log");

    let mut web = String::new();
    let t = DAY2 + 14 * 3600 + 600;
    let agent = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";
    web += &access_line(t, ATTACKER, &format!("GET {WEBSHELL} HTTP/1.1"), 200, agent);
    for i in 0..15 {
        web += &access_line(
            t + 30 + i * 40,
            ATTACKER,
            &format!("POST {WEBSHELL} HTTP/1.1"),
            200,
            agent,
        );
    }
    web += &access_line(
        t + 700,
        ATTACKER,
        &format!("GET {WEBSHELL}?cmd=id HTTP/1.1"),
        200,
        agent,
    );
    h.append("/var/log/nginx/access.log", web);
    pin_live(h, "/var/log/nginx/access.log");

    h.append(
        "/var/log/syslog",
        syslog_line(
            DAY2 + 14 * 3600 + 1200,
            "crontab[6400]",
            "(www-data) REPLACE (www-data)",
        ),
    );
    pin_live(h, "/var/log/syslog");

    let mut mail = String::new();
    let t = DAY2 + 15 * 3600;
    for i in 0..300 {
        let id = format!("5PAM{i:04}");
        let _ = write!(
            mail,
            "{}{}{}",
            syslog_line(
                t + i * 10,
                "postfix/pickup[6500]",
                &format!("{id}: uid=33 from=<www-data>")
            ),
            syslog_line(
                t + i * 10 + 2,
                "postfix/smtp[6501]",
                &format!(
                    "{id}: to=<victim{i}@example.com>, relay=mx{}.example.com[192.0.2.{}]:25, delay=1.2, dsn=2.0.0, status=sent (250 OK)",
                    i % 7,
                    30 + i % 7
                )
            ),
            if i % 5 == 0 {
                syslog_line(
                    t + i * 10 + 3,
                    "postfix/smtp[6501]",
                    &format!(
                        "{id}X: to=<gone{i}@example.org>, relay=none, delay=30, status=deferred (connect to example.org[192.0.2.26]:25: Connection refused)"
                    ),
                )
            } else {
                String::new()
            },
        );
    }
    h.append("/var/log/mail.log", mail);
    pin_live(h, "/var/log/mail.log");

    h.append(
        "/var/log/clamav/clamav.log",
        format!(
            "{} -> /var/www/html{WEBSHELL}: Php.Webshell.Generic-7 FOUND\n",
            ctime(DAY2 + 16 * 3600)
        ),
    );
    pin_live(h, "/var/log/clamav/clamav.log");

    vec![
        Expect::new("auth.ssh-login-after-failures", "/var/log/auth.log"),
        Expect::new("auth.uid-zero", "/var/log/auth.log"),
        Expect::new("web.php-in-uploads", "/var/log/nginx/access.log"),
        Expect::new("web.shell-command", "/var/log/nginx/access.log"),
        Expect::new("auth.crontab-replace", "/var/log/syslog"),
        Expect::new("mail.outbound-spike", "/var/log/mail.log"),
        Expect::new("mail.web-submissions", "/var/log/mail.log"),
        Expect::new("av.detection", "/var/log/clamav/clamav.log"),
    ]
}
