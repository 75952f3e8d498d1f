//! Planted for the `logs` check: a break-in told by the logs of day 3 (6 May 2024),
//! appended to the honest server's logs. 198.51.100.23 sprays user names, then
//! guesses root's SSH password (40 failures, then a login), creates a UID 0 account
//! and a sudoer, changes root's password, runs a webshell in the uploads directory
//! (found with sqlmap; POSTs answered 200, a `?cmd=id`) and a second one dropped in
//! wp-includes, gets a root shell as www-data (sudo, su), logs in as mysql, starts a
//! new systemd unit, replaces the web server's crontab, sends a spam burst through
//! a PHP mailer, and comes back later with its own key from another address. Beside
//! it, a WordPress password is guessed through a wp-login.php flood (xmlrpc.php is
//! flooded too) and a mailbox password through SMTP AUTH. ClamAV and maldet find the
//! shells.

use crate::clean_logs::{DAY0, MALDET_LOG, access_line, ctime, maldet_time, pin_live, syslog_line};
use crate::{Expect, FakeHost};
use std::fmt::Write;

/// The intruder's address.
pub const ATTACKER: &str = "198.51.100.23";
/// The webshell's URL path.
pub const WEBSHELL: &str = "/wp-content/uploads/2024/05/wp-cache.php";

/// The address the intruder comes back from, with its own key.
pub const RETURN_IP: &str = "203.0.113.200";
pub const ATTACKER_KEY: &str = "SHA256:aTTackerKeyFingerprint22222222222222222222CC";
/// The second webshell, dropped among WordPress's own files.
pub const DROPPED: &str = "/wp-includes/class-wp-http-netfilter.php";
/// Who guesses a WordPress password, and a mailbox's.
pub const WP_GUESSER: &str = "203.0.113.151";
pub const SASL_GUESSER: &str = "203.0.113.45";

/// 2024-05-06T00:00:00Z, the day of the break-in.
const DAY2: i64 = DAY0 + 2 * 86_400;

pub fn plant(h: &FakeHost) -> Vec<Expect> {
    let mut auth = String::new();
    for (i, user) in [
        "admin1",
        "webmaster",
        "ftpuser",
        "guest",
        "support1",
        "oracle1",
        "postgres1",
        "pi",
        "ubnt",
        "git1",
        "jenkins",
        "hadoop",
    ]
    .iter()
    .enumerate()
    {
        auth += &syslog_line(
            DAY2 + 13 * 3600 + 40 * 60 + i as i64 * 5,
            "sshd[6000]",
            &format!("Invalid user {user} from {ATTACKER} port {}", 32_000 + i),
        );
    }
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
    let after =
        |minutes: i64, tag: &str, msg: &str| syslog_line(DAY2 + 14 * 3600 + minutes * 60, tag, msg);
    auth += &after(
        6,
        "useradd[6310]",
        "new user: name=support, UID=1002, GID=1002, home=/home/support, shell=/bin/bash, from=/dev/pts/1",
    );
    auth += &after(7, "usermod[6320]", "add 'support' to group 'sudo'");
    auth += &after(
        8,
        "passwd[6330]",
        "pam_unix(passwd:chauthtok): password changed for root",
    );
    auth += &after(
        30,
        "sudo",
        "www-data : TTY=unknown ; PWD=/var/www/html/wp-content/uploads/2024/05 ; USER=root ; COMMAND=/bin/bash -i",
    );
    auth += &after(
        31,
        "su[6400]",
        "pam_unix(su:session): session opened for user root(uid=0) by (uid=33)",
    );
    auth += &after(
        40,
        "sshd[6450]",
        &format!("Accepted password for mysql from {ATTACKER} port 34010 ssh2"),
    );
    auth += &after(
        180,
        "sshd[6600]",
        &format!(
            "Accepted publickey for root from {RETURN_IP} port 44100 ssh2: ED25519 {ATTACKER_KEY}"
        ),
    );
    h.append("/var/log/auth.log", auth);
    pin_live(h, "/var/log/auth.log");

    let mut web = String::new();
    let agent = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";
    // A WordPress password guessed through a wp-login.php flood; xmlrpc.php flooded.
    let t = DAY2 + 12 * 3600 + 30 * 60;
    for i in 0..40 {
        web += &access_line(
            t + i * 4,
            "203.0.113.150",
            "POST /xmlrpc.php HTTP/1.1",
            200,
            "Mozilla/5.0 (compatible; MSIE 9.0)",
        );
    }
    for i in 0..35 {
        web += &access_line(
            t + 200 + i * 5,
            WP_GUESSER,
            "POST /wp-login.php HTTP/1.1",
            200,
            agent,
        );
    }
    web += &access_line(
        t + 380,
        WP_GUESSER,
        "POST /wp-login.php HTTP/1.1",
        302,
        agent,
    );
    // sqlmap finds the way in: an injection answered 200.
    web += &access_line(
        DAY2 + 13 * 3600 + 30 * 60,
        ATTACKER,
        "GET /shop/?id=1%27%20UNION%20SELECT%20user_login,user_pass%20FROM%20wp_users--%20- HTTP/1.1",
        200,
        "sqlmap/1.8.4#stable (https://sqlmap.org)",
    );
    let t = DAY2 + 14 * 3600 + 600;
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
    for i in 0..12 {
        web += &access_line(
            DAY2 + 14 * 3600 + 3000 + i * 60,
            ATTACKER,
            &format!("POST {DROPPED} HTTP/1.1"),
            200,
            agent,
        );
    }
    h.append("/var/log/nginx/access.log", web);
    pin_live(h, "/var/log/nginx/access.log");

    h.append(
        "/var/log/syslog",
        syslog_line(
            DAY2 + 14 * 3600 + 1200,
            "crontab[6400]",
            "(www-data) REPLACE (www-data)",
        ) + &syslog_line(
            DAY2 + 14 * 3600 + 1500,
            "systemd[1]",
            "Started dbus-helper.service - D-Bus helper.",
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
    // A mailbox password guessed through SMTP AUTH.
    let t = DAY2 + 16 * 3600 + 30 * 60;
    for i in 0..15 {
        mail += &syslog_line(
            t + i * 30,
            "postfix/smtpd[6600]",
            &format!(
                "warning: unknown[{SASL_GUESSER}]: SASL LOGIN authentication failed: UGFzc3dvcmQ6"
            ),
        );
    }
    mail += &syslog_line(
        t + 500,
        "postfix/smtpd[6600]",
        &format!(
            "5A5L0001: client=unknown[{SASL_GUESSER}], sasl_method=LOGIN, sasl_username=shop@example.com"
        ),
    );
    h.append("/var/log/mail.log", mail);
    pin_live(h, "/var/log/mail.log");

    h.append(
        "/var/log/clamav/clamav.log",
        format!(
            "{} -> /var/www/html{WEBSHELL}: Php.Webshell.Generic-7 FOUND\n\
             {} -> /var/www/html/wp-content/uploads/2024/05/mail.php: Php.Mailer.Spam-3 FOUND\n",
            ctime(DAY2 + 16 * 3600),
            ctime(DAY2 + 16 * 3600 + 1),
        ),
    );
    pin_live(h, "/var/log/clamav/clamav.log");
    h.append(
        MALDET_LOG,
        format!(
            "{} web01 maldet(22633): {{hit}} malware hit {{HEX}}php.cmdshell.unclassed.365 found for /var/www/html{DROPPED}\n\
             {} web01 maldet(22633): {{quar}} malware quarantined /var/www/html{DROPPED} => /usr/local/maldetect/quarantine/class-wp-http-netfilter.php.2211\n",
            maldet_time(DAY2 + 17 * 3600),
            maldet_time(DAY2 + 17 * 3600 + 1),
        ),
    );
    pin_live(h, MALDET_LOG);

    vec![
        Expect::new("auth.ssh-login-after-failures", "/var/log/auth.log"),
        Expect::new("auth.uid-zero", "/var/log/auth.log"),
        Expect::new("web.php-in-uploads", "/var/log/nginx/access.log"),
        Expect::new("web.shell-command", "/var/log/nginx/access.log"),
        Expect::new("auth.crontab-replace", "/var/log/syslog"),
        Expect::new("mail.outbound-spike", "/var/log/mail.log"),
        Expect::new("mail.web-submissions", "/var/log/mail.log"),
        Expect::new("av.detection", "/var/log/clamav/clamav.log"),
        Expect::new("av.detection", MALDET_LOG),
        Expect::new("auth.ssh-root-login", "/var/log/auth.log"),
        Expect::new("auth.ssh-service-login", "/var/log/auth.log"),
        Expect::new("auth.ssh-new-source", "/var/log/auth.log"),
        Expect::new("auth.ssh-new-key", "/var/log/auth.log"),
        Expect::new("auth.user-created", "/var/log/auth.log"),
        Expect::new("auth.admin-group", "/var/log/auth.log"),
        Expect::new("auth.password-changed", "/var/log/auth.log"),
        Expect::new("auth.service-sudo", "/var/log/auth.log"),
        Expect::new("auth.su-root", "/var/log/auth.log"),
        Expect::new("web.attack-patterns", "/var/log/nginx/access.log"),
        Expect::new("web.login-after-flood", "/var/log/nginx/access.log"),
        Expect::new("web.new-php-burst", "/var/log/nginx/access.log"),
        Expect::new("mail.bounce-storm", "/var/log/mail.log"),
        Expect::new("mail.sasl-login-after-failures", "/var/log/mail.log"),
    ]
}
