//! The honest server's logs: three days (4–6 May 2024, UTC) of auth, syslog, nginx,
//! postfix, ClamAV and maldet logs, rotated the Debian way (`auth.log`, `auth.log.1`,
//! `auth.log.2.gz`), with the ordinary noise of a server on the internet: bots whose
//! password guesses never succeed (SSH, wp-login.php, SMTP AUTH), scanners fetching
//! `/.env` and getting 404 or sending injections the front page answers, search engines fetching robots.txt, Jetpack calling
//! xmlrpc.php, the admin logging in with her key (once from another network),
//! sudo and su, `crontab -e`, a package creating its system account, cron,
//! certbot and logrotate runs, WordPress sending a few mails, a mailbox user sending
//! through SMTP AUTH, clean antivirus scans. Nothing in them is a sign of a breach.
//! The planted story (see `plant/logs.rs`) is appended on day 3.

use crate::FakeHost;
use std::fmt::Write;
use std::time::{Duration, UNIX_EPOCH};

/// 2024-05-04T00:00:00Z, the first day of the logs.
pub const DAY0: i64 = 1_714_780_800;
/// The admin's address and key.
pub const ADMIN_IP: &str = "203.0.113.10";
pub const ADMIN_KEY: &str = "SHA256:q3J4a9dminKeyFingerprint0000000000000000AA";
/// The backup server's address and key.
pub const BACKUP_IP: &str = "198.18.0.5";
pub const BACKUP_KEY: &str = "SHA256:bAckUpKeyFingerprint111111111111111111111BB";

/// Linux Malware Detect's event log.
pub const MALDET_LOG: &str = "/usr/local/maldetect/logs/event_log";

pub(crate) const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];

/// Civil date and time (UTC) of Unix seconds: (year, month, day, h, m, s, weekday).
pub(crate) fn civil(t: i64) -> (i64, usize, i64, i64, i64, i64, &'static str) {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let wd = WEEKDAYS[days.rem_euclid(7) as usize];
    (
        y,
        m as usize,
        d,
        secs / 3600,
        secs % 3600 / 60,
        secs % 60,
        wd,
    )
}

/// `May  6 14:00:01` (RFC 3164).
pub fn syslog_time(t: i64) -> String {
    let (_, m, d, h, mi, s, _) = civil(t);
    format!("{} {d:>2} {h:02}:{mi:02}:{s:02}", MONTHS[m - 1])
}

/// `May 06 14:00:01` (maldet's event log pads the day with a zero).
pub fn maldet_time(t: i64) -> String {
    let (_, m, d, h, mi, s, _) = civil(t);
    format!("{} {d:02} {h:02}:{mi:02}:{s:02}", MONTHS[m - 1])
}

/// A syslog line of host web01.
pub fn syslog_line(t: i64, tag: &str, msg: &str) -> String {
    format!("{} web01 {tag}: {msg}\n", syslog_time(t))
}

/// `06/May/2024:14:00:01 +0000` (web access logs).
pub fn web_time(t: i64) -> String {
    let (y, m, d, h, mi, s, _) = civil(t);
    format!("{d:02}/{}/{y}:{h:02}:{mi:02}:{s:02} +0000", MONTHS[m - 1])
}

/// A combined-format access log line.
pub fn access_line(t: i64, ip: &str, request: &str, status: u16, agent: &str) -> String {
    format!(
        "{ip} - - [{}] \"{request}\" {status} {} \"-\" \"{agent}\"\n",
        web_time(t),
        512 + u32::from(status)
    )
}

/// `Mon May  6 16:00:00 2024` (clamd's log).
pub fn ctime(t: i64) -> String {
    let (y, m, d, h, mi, s, wd) = civil(t);
    format!("{wd} {} {d:>2} {h:02}:{mi:02}:{s:02} {y}", MONTHS[m - 1])
}

/// Sets a file's modification time (Unix seconds).
pub fn pin(h: &FakeHost, host_path: &str, t: i64) {
    let f = std::fs::File::options()
        .write(true)
        .open(h.path(host_path))
        .expect("open to set mtime");
    f.set_modified(UNIX_EPOCH + Duration::from_secs(t as u64))
        .expect("set mtime");
}

/// Writes `days` (oldest first) as a Debian rotation set: the oldest gzipped.
fn rotated(h: &FakeHost, base: &str, days: [String; 3]) {
    let [d0, d1, d2] = days;
    h.write(&format!("{base}.2.gz"), gzip(d0.as_bytes()));
    pin(h, &format!("{base}.2.gz"), DAY0 + 86_400 + 5);
    h.write(&format!("{base}.1"), d1);
    pin(h, &format!("{base}.1"), DAY0 + 2 * 86_400 + 5);
    h.write(base, d2);
    pin_live(h, base);
}

/// The live logs' mtime: the evening of the last day.
pub fn pin_live(h: &FakeHost, host_path: &str) {
    pin(h, host_path, DAY0 + 2 * 86_400 + 20 * 3600);
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use flate2::write::GzEncoder;
    use std::io::Write as _;
    let mut e = GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).expect("gzip in memory");
    e.finish().expect("gzip in memory")
}

pub fn build(h: &FakeHost) {
    rotated(h, "/var/log/auth.log", [0, 1, 2].map(auth_day));
    rotated(h, "/var/log/syslog", [0, 1, 2].map(syslog_day));
    rotated(h, "/var/log/nginx/access.log", [0, 1, 2].map(access_day));
    rotated(h, "/var/log/mail.log", [0, 1, 2].map(mail_day));
    h.write(
        "/var/log/nginx/error.log",
        "2024/05/05 03:12:44 [error] 812#812: *991 open() \"/var/www/html/.env\" failed (2: No such file or directory), client: 192.0.2.77, server: _, request: \"GET /.env HTTP/1.1\", host: \"web01\"\n\
         2024/05/06 09:30:01 [warn] 812#812: *1204 an upstream response is buffered to a temporary file /var/lib/nginx/fastcgi/2/00/0000000002 while reading upstream, client: 203.0.113.10, server: _, request: \"GET /wp-admin/ HTTP/2.0\"\n",
    );
    pin_live(h, "/var/log/nginx/error.log");
    let mut clam = String::new();
    for day in 0..3 {
        let t = DAY0 + day * 86_400;
        for hour in [0, 6, 12] {
            let _ = writeln!(
                clam,
                "{} -> SelfCheck: Database status OK.",
                ctime(t + hour * 3600)
            );
        }
        let _ = writeln!(
            clam,
            "{} -> /var/www/html/index.php: OK",
            ctime(t + 3 * 3600)
        );
    }
    h.write("/var/log/clamav/clamav.log", clam);
    pin_live(h, "/var/log/clamav/clamav.log");
    let mut maldet = String::new();
    for day in 0..3 {
        let t = DAY0 + day * 86_400 + 4 * 3600;
        let pid = 21_000 + day;
        let _ = write!(
            maldet,
            "{} web01 maldet({pid}): {{scan}} signature set update completed\n\
             {} web01 maldet({pid}): {{scan}} scan of /var/www/html (2451 files) in progress...\n\
             {} web01 maldet({pid}): {{scan}} scan completed on /var/www/html: files 2451, malware hits 0, cleaned hits 0, time 41s\n",
            maldet_time(t),
            maldet_time(t + 5),
            maldet_time(t + 46),
        );
    }
    h.write(MALDET_LOG, maldet);
    pin_live(h, MALDET_LOG);
}

fn auth_day(day: i64) -> String {
    let t0 = DAY0 + day * 86_400;
    let mut s = String::new();
    let hours = if day == 2 { 12 } else { 24 };
    for hour in 0..hours {
        let t = t0 + hour * 3600;
        s += &syslog_line(
            t + 1,
            "CRON[2100]",
            "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
        );
        s += &syslog_line(
            t + 2,
            "CRON[2100]",
            "pam_unix(cron:session): session closed for user root",
        );
        // Bots guessing, a few tries each, never in.
        let bot = format!("192.0.2.{}", 10 + day * 24 + hour);
        for (i, user) in ["admin", "test", "oracle", "ubuntu"].iter().enumerate() {
            let i = i as i64;
            s += &syslog_line(
                t + 600 + i * 7,
                "sshd[3001]",
                &format!("Invalid user {user} from {bot} port {}", 40_000 + i),
            );
            s += &syslog_line(
                t + 602 + i * 7,
                "sshd[3001]",
                &format!(
                    "Failed password for invalid user {user} from {bot} port {} ssh2",
                    40_000 + i
                ),
            );
        }
        s += &syslog_line(
            t + 640,
            "sshd[3002]",
            &format!("Failed password for root from {bot} port 40100 ssh2"),
        );
    }
    // A brute force that never gets in.
    for i in 0..25 {
        s += &syslog_line(
            t0 + 2 * 3600 + 1200 + i * 9,
            "sshd[3100]",
            &format!(
                "Failed password for root from 192.0.2.250 port {} ssh2",
                50_000 + i
            ),
        );
    }
    let login = t0 + 8 * 3600;
    s += &syslog_line(
        login,
        "sshd[4001]",
        &format!(
            "Accepted publickey for admin from {ADMIN_IP} port 52214 ssh2: ED25519 {ADMIN_KEY}"
        ),
    );
    s += &syslog_line(
        login,
        "sshd[4001]",
        "pam_unix(sshd:session): session opened for user admin(uid=1000) by (uid=0)",
    );
    s += &syslog_line(
        login + 300,
        "sudo",
        "   admin : TTY=pts/0 ; PWD=/home/admin ; USER=root ; COMMAND=/usr/bin/systemctl reload nginx",
    );
    s += &syslog_line(
        login + 301,
        "sudo",
        "pam_unix(sudo:session): session opened for user root(uid=0) by admin(uid=1000)",
    );
    s += &syslog_line(
        login + 900,
        "su[4100]",
        "pam_unix(su:session): session opened for user root(uid=0) by admin(uid=1000)",
    );
    s += &syslog_line(
        login + 3000,
        "sshd[4001]",
        "pam_unix(sshd:session): session closed for user admin",
    );
    let backup = t0 + 9 * 3600;
    s += &syslog_line(
        backup,
        "sshd[4200]",
        &format!(
            "Accepted publickey for deploy from {BACKUP_IP} port 41000 ssh2: ED25519 {BACKUP_KEY}"
        ),
    );
    s += &syslog_line(
        login + 1500,
        "sudo",
        "   admin : TTY=pts/0 ; PWD=/var/www/html ; USER=www-data ; COMMAND=/usr/local/bin/wp plugin update --all",
    );
    if day == 1 {
        s += &syslog_line(
            login + 1200,
            "passwd[4300]",
            "pam_unix(passwd:chauthtok): password changed for admin",
        );
        // apt-get install mariadb-server: the package creates its account.
        s += &syslog_line(
            login + 2000,
            "groupadd[4500]",
            "group added to /etc/group: name=mysql, GID=105",
        );
        s += &syslog_line(
            login + 2000,
            "groupadd[4500]",
            "new group: name=mysql, GID=105",
        );
        s += &syslog_line(
            login + 2001,
            "useradd[4501]",
            "new user: name=mysql, UID=102, GID=105, home=/nonexistent, shell=/bin/false, from=none",
        );
    }
    if day == 2 {
        // The admin, travelling, logs in with her usual key from a hotel.
        s += &syslog_line(
            t0 + 11 * 3600,
            "sshd[4600]",
            &format!(
                "Accepted publickey for admin from 198.18.7.44 port 50110 ssh2: ED25519 {ADMIN_KEY}"
            ),
        );
    }
    s
}

fn syslog_day(day: i64) -> String {
    let t0 = DAY0 + day * 86_400;
    let mut s = String::new();
    let hours = if day == 2 { 12 } else { 24 };
    for hour in 0..hours {
        let t = t0 + hour * 3600;
        s += &syslog_line(
            t + 1,
            "CRON[2100]",
            "(root) CMD (   cd / && run-parts --report /etc/cron.hourly)",
        );
        if hour % 12 == 0 {
            s += &syslog_line(
                t + 30,
                "systemd[1]",
                "Starting certbot.service - Certbot...",
            );
            s += &syslog_line(t + 31, "systemd[1]", "Started certbot.service - Certbot.");
        }
        if hour % 6 == 3 {
            s += &syslog_line(
                t + 90,
                "systemd[1]",
                "Started phpsessionclean.service - Clean php session files.",
            );
        }
    }
    s += &syslog_line(
        t0 + 60,
        "systemd[1]",
        "Started logrotate.service - Rotate log files.",
    );
    s += &syslog_line(
        t0 + 62,
        "systemd[1]",
        "Started man-db.service - Daily man-db regeneration.",
    );
    s += &syslog_line(
        t0 + 6 * 3600 + 5,
        "systemd[1]",
        "Started apt-daily-upgrade.service - Daily apt upgrade and clean activities.",
    );
    // The admin edits root's crontab with crontab -e.
    let edit = t0 + 8 * 3600 + 600;
    s += &syslog_line(edit, "crontab[4400]", "(root) BEGIN EDIT (root)");
    s += &syslog_line(edit + 40, "crontab[4400]", "(root) REPLACE (root)");
    s += &syslog_line(edit + 41, "crontab[4400]", "(root) END EDIT (root)");
    s
}

const BROWSER: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36";
const GOOGLEBOT: &str = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
const BINGBOT: &str = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)";

fn access_day(day: i64) -> String {
    let t0 = DAY0 + day * 86_400;
    let mut s = String::new();
    let hours = if day == 2 { 12 } else { 24 };
    for hour in 0..hours {
        let t = t0 + hour * 3600;
        let visitor = format!("198.51.100.{}", 100 + hour);
        for (i, path) in [
            "/",
            "/about/",
            "/wp-content/themes/twentyfour/style.css",
            "/blog/hello-world/",
        ]
        .iter()
        .enumerate()
        {
            s += &access_line(
                t + 60 + i as i64,
                &visitor,
                &format!("GET {path} HTTP/1.1"),
                200,
                BROWSER,
            );
        }
        s += &access_line(
            t + 120,
            "127.0.0.1",
            "POST /wp-cron.php?doing_wp_cron=1714800000.1234 HTTP/1.1",
            200,
            "WordPress/6.5.3; https://www.example.com",
        );
        if hour % 4 == 0 {
            s += &access_line(
                t + 300,
                "66.249.66.1",
                "GET /robots.txt HTTP/1.1",
                200,
                GOOGLEBOT,
            );
            s += &access_line(
                t + 301,
                "157.55.39.1",
                "GET /robots.txt HTTP/1.1",
                200,
                BINGBOT,
            );
        }
        if hour % 6 == 1 {
            // Scanners probing for leaked files and old shells: all refused.
            s += &access_line(
                t + 400,
                "192.0.2.77",
                "GET /.env HTTP/1.1",
                404,
                "Mozilla/5.0 zgrab/0.x",
            );
            s += &access_line(
                t + 401,
                "192.0.2.77",
                "GET /wp-content/uploads/shell.php HTTP/1.1",
                404,
                "Mozilla/5.0 zgrab/0.x",
            );
            s += &access_line(
                t + 402,
                "192.0.2.77",
                "GET /cgi-bin/../../etc/passwd HTTP/1.1",
                400,
                "Mozilla/5.0 zgrab/0.x",
            );
        }
    }
    // A scanner trying injections on the front page, which answers any query.
    if day == 1 {
        for (i, target) in [
            "/?id=1%20UNION%20SELECT%201,2,3--%20-",
            "/?page=../../../../etc/passwd",
            "/index.php?cat=1%27%20OR%20%271%27=%271",
        ]
        .iter()
        .enumerate()
        {
            s += &access_line(
                t0 + 4 * 3600 + i as i64,
                "192.0.2.33",
                &format!("GET {target} HTTP/1.1"),
                200,
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
            );
        }
    }
    // A bot guessing WordPress passwords slowly, never in.
    for i in 0..8 {
        s += &access_line(
            t0 + 5 * 3600 + i * 45,
            "192.0.2.90",
            "POST /wp-login.php HTTP/1.1",
            200,
            "Mozilla/5.0 (Windows NT 6.1; rv:60.0) Gecko/20100101 Firefox/60.0",
        );
    }
    // Jetpack talks to the site through xmlrpc.php.
    for i in 0..4 {
        s += &access_line(
            t0 + 7 * 3600 + i * 900,
            "192.0.66.2",
            "POST /xmlrpc.php?for=jetpack HTTP/1.1",
            200,
            "Jetpack by WordPress.com",
        );
    }
    let login = t0 + 8 * 3600 + 100;
    if day == 2 {
        // A page the admin opens for the first time: a few requests, not a burst.
        for i in 0..3 {
            s += &access_line(
                login + 200 + i * 30,
                ADMIN_IP,
                "GET /wp-admin/site-health.php HTTP/2.0",
                200,
                BROWSER,
            );
        }
    }
    s += &access_line(login, ADMIN_IP, "GET /wp-login.php HTTP/2.0", 200, BROWSER);
    s += &access_line(
        login + 20,
        ADMIN_IP,
        "POST /wp-login.php HTTP/2.0",
        302,
        BROWSER,
    );
    for i in 0..5 {
        s += &access_line(
            login + 60 + i,
            ADMIN_IP,
            "POST /wp-admin/admin-ajax.php HTTP/2.0",
            200,
            BROWSER,
        );
    }
    s += &access_line(
        login + 90,
        ADMIN_IP,
        "GET /wp-admin/index.php HTTP/2.0",
        200,
        BROWSER,
    );
    s
}

fn mail_day(day: i64) -> String {
    let t0 = DAY0 + day * 86_400;
    let mut s = String::new();
    let hours = if day == 2 { 12 } else { 24 };
    for hour in 0..hours {
        let t = t0 + hour * 3600;
        for i in 0..3 {
            let id = format!("{:X}{hour:02}{i}", 0xA1B2C + day);
            s += &syslog_line(
                t + 100 + i * 60,
                "postfix/smtp[5100]",
                &format!(
                    "{id}: to=<client{i}@example.net>, relay=mx.example.net[192.0.2.25]:25, delay=0.4, delays=0.1/0/0.2/0.1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued)"
                ),
            );
            s += &syslog_line(
                t + 101 + i * 60,
                "postfix/qmgr[900]",
                &format!("{id}: removed"),
            );
        }
        s += &syslog_line(
            t + 400,
            "postfix/local[5200]",
            &format!(
                "B{hour:02}{day}: to=<root@web01>, orig_to=<root>, relay=local, delay=0.01, dsn=2.0.0, status=sent (delivered to mailbox)"
            ),
        );
        if hour % 5 == 2 {
            // WordPress: a password reset or a contact form.
            s += &syslog_line(
                t + 700,
                "postfix/pickup[5300]",
                &format!("C{hour:02}{day}: uid=33 from=<www-data>"),
            );
        }
        if hour == 9 {
            // A shop mailbox sends through SMTP AUTH; a bot tries a few passwords.
            s += &syslog_line(
                t + 300,
                "postfix/smtpd[5400]",
                &format!(
                    "E{hour:02}{day}: client=unknown[{ADMIN_IP}], sasl_method=PLAIN, sasl_username=orders@example.com"
                ),
            );
            for i in 0..3 {
                s += &syslog_line(
                    t + 900 + i * 20,
                    "postfix/smtpd[5401]",
                    "warning: unknown[192.0.2.140]: SASL LOGIN authentication failed: UGFzc3dvcmQ6",
                );
            }
        }
        if hour == 7 {
            s += &syslog_line(
                t + 800,
                "postfix/smtp[5100]",
                "D7: to=<old@example.org>, relay=none, delay=30, status=deferred (connect to example.org[192.0.2.26]:25: Connection timed out)",
            );
        }
    }
    s
}
