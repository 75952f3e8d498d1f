//! Web server logs: access logs in the common, combined and vhost_combined formats
//! (nginx and apache write the same shapes; cPanel domlogs are combined), and the
//! error logs of nginx (`2024/05/06 10:00:00 [error] …, client: X`) and apache
//! (`[Mon May 06 10:00:00.123 2024] [php:error] [pid 1] [client X:port] …`).

use crate::event::{Kind, WebRequest};
use crate::time::{Clock, digits, month, offset};

/// An access log line: time and request.
pub fn access<'a>(line: &'a str) -> Option<(i64, WebRequest<'a>)> {
    let (head, rest) = line.split_once(" [")?;
    let mut head = head.split(' ').filter(|s| !s.is_empty());
    let (first, second, _third) = (head.next()?, head.next()?, head.next()?);
    let (vhost, source) = match (head.next(), head.next()) {
        (None, _) => (None, first),
        (Some(_), None) => (Some(first), second),
        _ => return None,
    };
    let (stamp, rest) = rest.split_once("] ")?;
    let time = apache_time(stamp)?;
    let rest = rest.strip_prefix('"')?;
    let (request, rest) = quoted(rest)?;
    let mut parts = rest.trim_start().splitn(3, ' ');
    let status: u16 = parts.next()?.parse().ok()?;
    let size = body_size(parts.next()?);
    let tail = parts.next().unwrap_or("");
    let agent = tail
        .strip_prefix('"')
        .and_then(quoted)
        .and_then(|(_referer, r)| r.trim_start().strip_prefix('"'))
        .and_then(quoted)
        .map(|(a, _)| a)
        .unwrap_or("");
    let mut req = request.splitn(3, ' ');
    let method = req.next().unwrap_or("");
    let target = req.next().unwrap_or("");
    Some((
        time,
        WebRequest {
            vhost,
            source,
            method,
            target,
            status,
            size,
            agent,
        },
    ))
}

/// The response size field (`%b`/`%B`/`%O`, nginx `$body_bytes_sent`): a number
/// of bytes, or `-` (apache's `%b` for an empty body) and anything else unknown.
fn body_size(field: &str) -> Option<u64> {
    if field.is_empty() || !field.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    field.parse().ok()
}

/// The text up to the closing quote (`\"` is an escaped quote) and what follows it.
fn quoted(s: &str) -> Option<(&str, &str)> {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(c) = b.get(i) {
        match c {
            b'\\' => i += 2,
            b'"' => return Some((s.get(..i)?, s.get(i + 1..)?)),
            _ => i += 1,
        }
    }
    None
}

/// `10/Oct/2000:13:55:36 -0700`.
fn apache_time(s: &str) -> Option<i64> {
    // A fixed-size head: its fields are read at constant offsets.
    let (b, _) = s.as_bytes().split_first_chunk::<26>()?;
    if b[2] != b'/' || b[6] != b'/' || b[11] != b':' || b[20] != b' ' {
        return None;
    }
    let d = digits(&b[..2])?;
    let mo = i32::from(month(&b[3..6])?);
    let y = digits(&b[7..11])?;
    let h = digits(&b[12..14])?;
    let mi = digits(&b[15..17])?;
    let sec = digits(&b[18..20])?;
    let off = offset(&b[21..26])?;
    Clock::at_offset(y, mo, d, h, mi, sec, off)
}

/// An nginx or apache error log line: its time and event.
pub fn error<'a>(line: &'a str, clock: &Clock) -> Option<(i64, Kind<'a>)> {
    if let Some((b, after)) = line.as_bytes().split_first_chunk::<19>()
        && !after.is_empty()
        && b[4] == b'/'
        && b[7] == b'/'
        && b[13] == b':'
    {
        // nginx: `2024/05/06 10:00:00 [error] 1#1: *5 msg, client: 1.2.3.4, …`
        let t = clock.local(
            digits(&b[..4])?,
            digits(&b[5..7])?,
            digits(&b[8..10])?,
            digits(&b[11..13])?,
            digits(&b[14..16])?,
            digits(&b[17..19])?,
        )?;
        let message = line.get(b.len()..).unwrap_or_default().trim_start();
        let client = message
            .split_once(", client: ")
            .map(|(_, c)| c.split(',').next().unwrap_or(""));
        return Some((t, Kind::WebError { client, message }));
    }
    // apache: `[Mon May 06 10:00:00.123456 2024] …`
    let rest = line.strip_prefix('[')?;
    let (stamp, message) = rest.split_once("] ")?;
    let t = ctime(stamp, clock)?;
    let client = message.split_once("[client ").map(|(_, c)| {
        let addr = c.split(']').next().unwrap_or("");
        // `1.2.3.4:5678` → the address (an IPv6 address has more colons).
        match addr.rsplit_once(':') {
            Some((a, port)) if port.bytes().all(|b| b.is_ascii_digit()) => a,
            _ => addr,
        }
    });
    Some((t, Kind::WebError { client, message }))
}

/// C `ctime` shape `Mon May  6 10:00:00[.frac] 2024` (apache errors, clamd), local.
pub fn ctime(s: &str, clock: &Clock) -> Option<i64> {
    let mut parts = s.split(' ').filter(|p| !p.is_empty());
    let _weekday = parts.next()?;
    let mo = i32::from(month(parts.next()?.as_bytes())?);
    let d = digits(parts.next()?.as_bytes())?;
    let hms = parts.next()?.as_bytes();
    let y = digits(parts.next()?.as_bytes())?;
    // `hh:mm:ss`, a fraction after it ignored.
    let [h0, h1, b':', m0, m1, b':', s0, s1, ..] = *hms else {
        return None;
    };
    clock.local(
        y,
        mo,
        d,
        digits(&[h0, h1])?,
        digits(&[m0, m1])?,
        digits(&[s0, s1])?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::tz::TimeZone;

    #[test]
    fn access_formats() {
        let (t, r) = access(
            r#"203.0.113.9 - - [06/May/2024:10:00:00 +0200] "POST /wp-content/uploads/x.php?c=id HTTP/1.1" 200 12 "-" "Mozilla/5.0 (\"x\")""#,
        )
        .unwrap();
        assert_eq!(t, 1_714_982_400);
        assert_eq!(
            (r.source, r.method, r.target, r.status, r.size, r.agent),
            (
                "203.0.113.9",
                "POST",
                "/wp-content/uploads/x.php?c=id",
                200,
                Some(12),
                r#"Mozilla/5.0 (\"x\")"#
            )
        );
        let (_, r) = access(
            r#"www.example.com:443 198.51.100.2 - bob [06/May/2024:08:00:00 +0000] "GET / HTTP/2.0" 304 0 "https://x/" "curl/8""#,
        )
        .unwrap();
        assert_eq!(
            (r.vhost, r.source, r.size, r.agent),
            (
                Some("www.example.com:443"),
                "198.51.100.2",
                Some(0),
                "curl/8"
            )
        );
        // common: no referer, no agent.
        let (_, r) = access(
            r#"10.0.0.1 - - [06/May/2024:08:00:00 +0000] "GET /robots.txt HTTP/1.0" 404 153"#,
        )
        .unwrap();
        assert_eq!((r.status, r.size, r.agent), (404, Some(153), ""));
        // apache's %b writes `-` for an empty body: no size to judge.
        let (_, r) = access(
            r#"10.0.0.1 - - [06/May/2024:08:00:00 +0000] "HEAD /product.php?id=1 HTTP/1.1" 200 - "-" "curl/8""#,
        )
        .unwrap();
        assert_eq!((r.status, r.size, r.agent), (200, None, "curl/8"));
        let (_, r) =
            access(r#"10.0.0.1 - - [06/May/2024:08:00:00 +0000] "GET / HTTP/1.1" 200 -"#).unwrap();
        assert_eq!(r.size, None);
        // nginx's $body_bytes_sent is large on downloads; a junk field is unknown.
        let (_, r) = access(
            r#"10.0.0.1 - - [06/May/2024:08:00:00 +0000] "GET /backup.tar HTTP/1.1" 200 5368709120 "-" "curl/8""#,
        )
        .unwrap();
        assert_eq!(r.size, Some(5_368_709_120));
        let (_, r) = access(
            r#"10.0.0.1 - - [06/May/2024:08:00:00 +0000] "GET / HTTP/1.1" 200 12x "-" "curl/8""#,
        )
        .unwrap();
        assert_eq!((r.size, r.agent), (None, "curl/8"));
        assert!(access("nonsense").is_none());
    }

    #[test]
    fn error_formats() {
        let clock = Clock::new(TimeZone::UTC);
        let (t, k) = error(
            "2024/05/06 08:00:00 [error] 12#12: *3 open() \"/x\" failed, client: 203.0.113.9, server: _",
            &clock,
        )
        .unwrap();
        assert_eq!(t, 1_714_982_400);
        assert!(matches!(
            k,
            Kind::WebError {
                client: Some("203.0.113.9"),
                ..
            }
        ));
        let (t, k) = error(
            "[Mon May 06 08:00:00.123456 2024] [php:error] [pid 9] [client 203.0.113.9:5123] PHP Parse error",
            &clock,
        )
        .unwrap();
        assert_eq!(t, 1_714_982_400);
        assert!(matches!(
            k,
            Kind::WebError {
                client: Some("203.0.113.9"),
                ..
            }
        ));
    }
}
