//! The host's mailboxes (`/var/mail`, `/var/spool/mail`, each account's `Maildir`
//! and `mbox`, root's among them), counted for bounces: delivery failure reports
//! ("Undelivered Mail Returned to Sender", DSNs) that pile up when the host sends
//! spam, or when spammers forge its domain as their sender (backscatter). Each
//! message's header block is parsed with `mail-parser`; bodies are only scanned for
//! the bounced original's `X-PHP-Originating-Script`.

use crate::headers;
use breachkit_finding::{Warning, escape_bytes};
use breachkit_host::Host;
use regex::Regex;
use serde::Serialize;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::MetadataExt;
use std::sync::LazyLock;

const SPOOLS: &[&str] = &["/var/mail", "/var/spool/mail"];
/// The most of one mbox read.
const MAX_MBOX: u64 = 1 << 30;
/// The most of one Maildir message read (headers and the top of the body).
const MAX_MAILDIR_MESSAGE: u64 = 256 << 10;
const MAX_MAILDIR_FILES: usize = 200_000;
const MAX_LINE: u64 = 64 << 10;
/// Bounces count as recent within this many seconds of the mailbox's newest message.
pub const RECENT: i64 = 30 * 86_400;

/// What one mailbox holds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Mailbox {
    /// Host path of the mbox file or the Maildir.
    pub path: String,
    pub messages: usize,
    pub bounces: usize,
    /// Bounces within [`RECENT`] of the newest message.
    pub recent_bounces: usize,
    /// Bounces whose returned original names a PHP script.
    pub php_bounces: usize,
    pub newest: Option<i64>,
    /// A few bounce subjects, as examples.
    pub samples: Vec<String>,
}

/// Every mailbox with at least one message.
pub fn scan(host: &Host, warnings: &mut Vec<Warning>) -> Vec<Mailbox> {
    let mut out = Vec::new();
    let mut seen_spools = Vec::new();
    for spool in SPOOLS {
        let real = host.resolve(spool);
        if seen_spools.contains(&real) {
            continue;
        }
        seen_spools.push(real);
        for entry in host.walk(spool, 1, warnings) {
            if entry.is_file() {
                out.extend(mbox(host, &entry.display(), warnings));
            }
        }
    }
    for (home, _) in host.accounts().homes() {
        let maildir = home.join("Maildir");
        if host.resolve(&maildir).is_dir() {
            out.extend(maildir_box(host, &maildir, warnings));
        }
        let file = home.join("mbox");
        if host.entry(&file).is_ok_and(|e| e.is_file()) {
            out.extend(mbox(host, &breachkit_finding::escape_path(&file), warnings));
        }
    }
    out.retain(|m| m.messages > 0);
    out
}

/// One message's worth of evidence.
struct Seen {
    time: Option<i64>,
    bounce: bool,
    php: bool,
    subject: Option<String>,
}

fn tally(path: String, seen: Vec<Seen>) -> Mailbox {
    let newest = seen.iter().filter_map(|s| s.time).max();
    let mut m = Mailbox {
        path,
        messages: seen.len(),
        newest,
        ..Mailbox::default()
    };
    for s in seen.iter().filter(|s| s.bounce) {
        m.bounces += 1;
        if s.php {
            m.php_bounces += 1;
        }
        let recent = match (s.time, newest) {
            (Some(t), Some(n)) => t > n.saturating_sub(RECENT),
            _ => true,
        };
        if recent {
            m.recent_bounces += 1;
        }
        if let Some(subject) = &s.subject
            && m.samples.len() < 3
            && !m.samples.contains(subject)
        {
            m.samples.push(subject.clone());
        }
    }
    m
}

fn judge(envelope_sender: &str, block: &[u8], time: Option<i64>) -> Seen {
    static BOUNCE_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
        crate::pattern::literal(
            r"(?i)^(?:undeliver(?:ed|able)|mail delivery (?:failed|failure)|delivery (?:status notification|failure)|returned mail|failure notice|message not delivered|delayed mail|warning: could not send message|mail system error)",
        )
    });
    let h = headers::parse(block);
    let from_daemon = |a: &str| {
        let local = a.split('@').next().unwrap_or("").to_ascii_lowercase();
        local == "mailer-daemon" || local == "postmaster"
    };
    let report =
        memchr::memmem::find(&block.to_ascii_lowercase(), b"report-type=delivery-status").is_some();
    let subject_says = h
        .subject
        .as_deref()
        .is_some_and(|s| BOUNCE_SUBJECT.is_match(s.trim()));
    let bounce = report
        || subject_says
        || from_daemon(envelope_sender)
        || h.from.as_deref().is_some_and(from_daemon);
    Seen {
        time: time.or(h.date),
        bounce,
        php: false,
        subject: h.subject,
    }
}

fn mbox(host: &Host, path: &str, warnings: &mut Vec<Warning>) -> Option<Mailbox> {
    let (file, meta) = match host.open(path) {
        Ok(x) => x,
        Err(e) if e.is_not_found() => return None,
        Err(e) => {
            warnings.push(e.warning());
            return None;
        }
    };
    if meta.len() > MAX_MBOX {
        warnings.push(Warning::new(
            path,
            format!(
                "mailbox is {} bytes; only the first {MAX_MBOX} were checked",
                meta.len()
            ),
        ));
    }
    let mut reader = BufReader::with_capacity(64 << 10, file.take(MAX_MBOX));
    let mut seen: Vec<Seen> = Vec::new();
    let mut line = Vec::new();
    let mut block: Vec<u8> = Vec::new();
    let mut in_headers = false;
    let mut previous_blank = true;
    let mut envelope = String::new();
    let mut envelope_time = None;
    loop {
        line.clear();
        let n = match (&mut reader).take(MAX_LINE).read_until(b'\n', &mut line) {
            Ok(n) => n,
            Err(e) => {
                warnings.push(Warning::new(path, format!("read error: {e}")));
                break;
            }
        };
        if n == 0 {
            break;
        }
        let starts_message = previous_blank && line.starts_with(b"From ");
        if starts_message {
            if in_headers {
                seen.push(judge(&envelope, &block, envelope_time));
            }
            (envelope, envelope_time) = from_line(&line);
            block.clear();
            in_headers = true;
        } else if in_headers {
            if line.trim_ascii().is_empty() {
                seen.push(judge(&envelope, &block, envelope_time));
                in_headers = false;
            } else if block.len() < headers::MAX_HEADER_BLOCK {
                block.extend_from_slice(&line);
            }
        } else if (line.starts_with(b"X-PHP-Originating-Script:")
            || line.starts_with(b"X-PHP-Script:"))
            && let Some(last) = seen.last_mut()
        {
            last.php = true;
        }
        previous_blank = line.trim_ascii().is_empty();
    }
    if in_headers {
        seen.push(judge(&envelope, &block, envelope_time));
    }
    Some(tally(path.to_string(), seen))
}

fn maildir_box(host: &Host, dir: &std::path::Path, warnings: &mut Vec<Warning>) -> Option<Mailbox> {
    let mut seen = Vec::new();
    for sub in ["new", "cur"] {
        for entry in host.walk(dir.join(sub), 1, warnings) {
            if !entry.is_file() {
                continue;
            }
            if seen.len() >= MAX_MAILDIR_FILES {
                warnings.push(Warning::new(
                    breachkit_finding::escape_path(dir),
                    format!("more than {MAX_MAILDIR_FILES} messages; the rest were not checked"),
                ));
                return Some(tally(breachkit_finding::escape_path(dir), seen));
            }
            let Ok(c) = host.read_entry(&entry, MAX_MAILDIR_MESSAGE) else {
                continue;
            };
            let (head, body) = split_headers(&c.bytes);
            let mut s = judge("", head, Some(entry.meta.mtime()));
            s.php = memchr::memmem::find(body, b"X-PHP-Originating-Script:").is_some()
                || memchr::memmem::find(body, b"X-PHP-Script:").is_some();
            seen.push(s);
        }
    }
    Some(tally(breachkit_finding::escape_path(dir), seen))
}

/// The envelope sender and date of an mbox `From ` line (`From sender  date`). A
/// line cut short (`From `, `From   `, a date cut off) gives what it has: an empty
/// sender, no date.
fn from_line(line: &[u8]) -> (String, Option<i64>) {
    let rest = line.strip_prefix(b"From ").unwrap_or_default();
    let rest = escape_bytes(rest.trim_ascii_end());
    let mut parts = rest.splitn(2, ' ');
    let sender = parts.next().unwrap_or("").to_string();
    (sender, parts.next().and_then(ctime))
}

/// A Maildir message split after the header block's last line (at the first blank
/// line); all of it is the header block when there is no blank line.
fn split_headers(message: &[u8]) -> (&[u8], &[u8]) {
    memchr::memmem::find(message, b"\n\n")
        .and_then(|i| message.split_at_checked(i + 1))
        .unwrap_or((message, &[]))
}

/// The date of an mbox `From ` line (`Tue Nov 24 18:49:25 2026`).
fn ctime(s: &str) -> Option<i64> {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    jiff::civil::DateTime::strptime("%a %b %d %H:%M:%S %Y", &s)
        .ok()
        .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
        .map(|z| z.timestamp().as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounces_are_counted_in_mbox_and_maildir() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        std::fs::create_dir_all(r.join("var/mail")).unwrap();
        std::fs::create_dir_all(r.join("etc")).unwrap();
        std::fs::create_dir_all(r.join("home/bob/Maildir/new")).unwrap();
        std::fs::write(
            r.join("etc/passwd"),
            "root:x:0:0::/root:/bin/bash\nbob:x:1000:1000::/home/bob:/bin/bash\n",
        )
        .unwrap();
        let mut mbox = String::new();
        mbox.push_str("From root@web01  Mon Nov 23 06:25:01 2026\nFrom: Cron Daemon <root@web01>\nSubject: Cron <root@web01> backup\n\nok\n\n");
        for i in 0..3 {
            mbox.push_str(&format!(
                "From MAILER-DAEMON  Tue Nov 24 1{i}:00:00 2026\nFrom: Mail Delivery System <MAILER-DAEMON@web01>\n\
                 Subject: Undelivered Mail Returned to Sender\nContent-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"b\"\n\n\
                 --b\nFrom someone in the body\nX-PHP-Originating-Script: 33:wp-conf.php\n\n"
            ));
        }
        std::fs::write(r.join("var/mail/www-data"), &mbox).unwrap();
        std::fs::write(
            r.join("home/bob/Maildir/new/1.host"),
            "From: postmaster@example.net\nSubject: failure notice\n\nbody\n",
        )
        .unwrap();
        let host = Host::image(r).unwrap();
        let mut w = Vec::new();
        let boxes = scan(&host, &mut w);
        let spool = boxes
            .iter()
            .find(|b| b.path == "/var/mail/www-data")
            .unwrap();
        assert_eq!(
            (
                spool.messages,
                spool.bounces,
                spool.recent_bounces,
                spool.php_bounces
            ),
            (4, 3, 3, 3)
        );
        let md = boxes
            .iter()
            .find(|b| b.path == "/home/bob/Maildir")
            .unwrap();
        assert_eq!((md.messages, md.bounces), (1, 1));
        assert!(w.is_empty(), "{w:?}");
    }

    /// The mailbox `/var/mail/x` holding `content`, as the scan reports it.
    fn spool_box(content: &[u8]) -> Option<Mailbox> {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(t.path().join("var/mail")).unwrap();
        std::fs::write(t.path().join("var/mail/x"), content).unwrap();
        let host = Host::image(t.path()).unwrap();
        let mut w = Vec::new();
        let boxes = scan(&host, &mut w);
        assert!(w.is_empty(), "{w:?}");
        boxes.into_iter().find(|b| b.path == "/var/mail/x")
    }

    /// Issue 18: a first line `From ` (trimmed to `From`, then sliced at 5) panicked.
    #[test]
    fn degenerate_from_lines_do_not_panic() {
        // An empty envelope: one message, nothing known about it.
        for content in [
            &b"From \n"[..],
            b"From ",
            b"From  \n",
            b"From    \r\n",
            b"From \xff\xfe\n",
        ] {
            let m = spool_box(content).unwrap();
            assert_eq!(
                (m.messages, m.bounces, m.newest),
                (1, 0, None),
                "{content:?}"
            );
        }
        // `From` alone does not start a message.
        assert!(spool_box(b"From\n").is_none());
        assert!(spool_box(b"From").is_none());
        // A date cut short: the sender still counts, the time falls back to Date:.
        let m = spool_box(b"From MAILER-DAEMON  Tue Nov 24 1\nSubject: hi\n\nbody\n").unwrap();
        assert_eq!((m.messages, m.bounces, m.newest), (1, 1, None));
        let m =
            spool_box(b"From MAILER-DAEMON  Tue Nov\nDate: Tue, 24 Nov 2026 18:49:25 +0000\n\n")
                .unwrap();
        assert_eq!((m.messages, m.bounces), (1, 1));
        assert!(m.newest.is_some());
        assert_eq!(from_line(b"From"), (String::new(), None));
        assert_eq!(from_line(b"From a@b  Tue"), ("a@b".to_string(), None));
        assert_eq!(
            from_line(b"From a@b  Tue Nov 24 18:49:25 2026\n").1,
            Some(1795546165)
        );
    }

    #[test]
    fn maildir_messages_split_at_the_blank_line() {
        assert_eq!(
            split_headers(b"A: 1\n\nbody"),
            (&b"A: 1\n"[..], &b"\nbody"[..])
        );
        assert_eq!(split_headers(b"A: 1\n"), (&b"A: 1\n"[..], &b""[..]));
        assert_eq!(split_headers(b"\n\n"), (&b"\n"[..], &b"\n"[..]));
        assert_eq!(split_headers(b""), (&b""[..], &b""[..]));
    }
}
