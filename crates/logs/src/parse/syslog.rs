//! The syslog line shapes files hold: RFC 3164 (`May  6 10:00:00 host prog[pid]: msg`,
//! no year, local time), RFC 5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG`)
//! and rsyslog's ISO 8601 file format (`2024-05-06T10:00:00.123+02:00 host prog[pid]: msg`).

use crate::time::{Clock, YearGuess, digits, iso8601, month};

/// The parts of a syslog line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'a> {
    pub time: Option<i64>,
    pub program: &'a str,
    pub pid: Option<u32>,
    pub message: &'a str,
}

/// Parses a syslog line; `None` when it has none of the three shapes.
pub fn parse<'a>(line: &'a str, clock: &Clock, years: &YearGuess) -> Option<Header<'a>> {
    let mut rest = line;
    // A `<PRI>` prefix (files written by some relays keep it).
    if let Some(r) = rest.strip_prefix('<')
        && let Some((pri, after)) = r.split_once('>')
        && pri.len() <= 3
        && pri.bytes().all(|b| b.is_ascii_digit())
    {
        rest = after;
        if let Some(r5424) = rest.strip_prefix("1 ") {
            return rfc5424(r5424, clock);
        }
    }
    let b = rest.as_bytes();
    let (time, after) = if b.first().is_some_and(u8::is_ascii_digit) {
        let (t, n) = iso8601(b, clock)?;
        (t, rest.get(n..)?)
    } else {
        rfc3164_time(rest, clock, years)?
    };
    let after = after.strip_prefix(' ')?;
    let (_host, tagged) = after.split_once(' ')?;
    let (program, pid, message) = tag(tagged);
    Some(Header {
        time: Some(time),
        program,
        pid,
        message,
    })
}

/// `Mmm dd hh:mm:ss` (day space-padded), the year from `years`.
fn rfc3164_time<'a>(s: &'a str, clock: &Clock, years: &YearGuess) -> Option<(i64, &'a str)> {
    // A fixed-size head: its fields are read at constant offsets.
    let (b, _) = s.as_bytes().split_first_chunk::<15>()?;
    if b[3] != b' ' || b[6] != b' ' || b[9] != b':' || b[12] != b':' {
        return None;
    }
    let mo = i32::from(month(&b[..3])?);
    let day_bytes = if b[4] == b' ' { &b[5..6] } else { &b[4..6] };
    let d = digits(day_bytes)?;
    let h = digits(&b[7..9])?;
    let mi = digits(&b[10..12])?;
    let sec = digits(&b[13..15])?;
    let y = years.year(mo, d);
    // 29 February of a year that has none: the line is from the leap year before.
    let t = clock
        .local(y, mo, d, h, mi, sec)
        .or_else(|| clock.local(y - 1, mo, d, h, mi, sec))?;
    Some((t, s.get(b.len()..)?))
}

fn rfc5424<'a>(s: &'a str, clock: &Clock) -> Option<Header<'a>> {
    let mut parts = s.splitn(6, ' ');
    let ts = parts.next()?;
    let time = match ts {
        "-" => None,
        _ => Some(iso8601(ts.as_bytes(), clock)?.0),
    };
    let _host = parts.next()?;
    let app = parts.next()?;
    let procid = parts.next()?;
    let _msgid = parts.next()?;
    let rest = parts.next().unwrap_or("");
    let message = skip_structured_data(rest);
    Some(Header {
        time,
        program: if app == "-" { "" } else { app },
        pid: procid.parse().ok(),
        message: message.strip_prefix('\u{feff}').unwrap_or(message),
    })
}

/// The message after RFC 5424 structured data (`-` or `[id k="v"]…`).
fn skip_structured_data(s: &str) -> &str {
    if let Some(r) = s.strip_prefix("- ") {
        return r;
    }
    if s == "-" {
        return "";
    }
    let b = s.as_bytes();
    let mut i = 0;
    while b.get(i) == Some(&b'[') {
        let (mut escaped, mut quoted) = (false, false);
        i += 1;
        while let Some(&c) = b.get(i) {
            i += 1;
            match c {
                b'\\' if !escaped => {
                    escaped = true;
                    continue;
                }
                b'"' if !escaped => quoted = !quoted,
                b']' if !escaped && !quoted => break,
                _ => {}
            }
            escaped = false;
        }
    }
    s.get(i..)
        .map(|r| r.strip_prefix(' ').unwrap_or(r))
        .unwrap_or("")
}

/// `prog[pid]: msg`, `prog(pid): msg` (maldet), `prog: msg`, or just a message.
fn tag(s: &str) -> (&str, Option<u32>, &str) {
    let Some((head, message)) = s
        .split_once(": ")
        .or_else(|| s.strip_suffix(':').map(|head| (head, "")))
    else {
        return ("", None, s);
    };
    if head.contains(' ') {
        return ("", None, s);
    }
    for (open, close) in [('[', ']'), ('(', ')')] {
        if let Some(tagged) = head.strip_suffix(close)
            && let Some((program, pid)) = tagged.split_once(open)
        {
            return (program, pid.parse().ok(), message);
        }
    }
    (head, None, message)
}

/// rsyslog's `message repeated N times: [ msg]`: the message and N.
pub fn repeated(message: &str) -> Option<(u32, &str)> {
    let rest = message.strip_prefix("message repeated ")?;
    let (n, rest) = rest.split_once(" times: [ ")?;
    let inner = rest.strip_suffix(']').unwrap_or(rest);
    Some((n.parse().ok()?, inner))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::tz::TimeZone;

    fn utc(s: &str) -> i64 {
        s.parse::<jiff::Timestamp>().unwrap().as_second()
    }

    #[test]
    fn three_shapes() {
        let clock = Clock::new(TimeZone::UTC);
        let years = YearGuess::new(utc("2025-01-03T00:00:00Z"), &TimeZone::UTC);
        let h = parse(
            "Dec 31 23:59:58 web01 sshd[812]: Failed password for root from 198.51.100.7 port 4242 ssh2",
            &clock,
            &years,
        )
        .unwrap();
        assert_eq!(h.time, Some(utc("2024-12-31T23:59:58Z")));
        assert_eq!((h.program, h.pid), ("sshd", Some(812)));
        assert!(h.message.starts_with("Failed password"));
        let h = parse("Jan  2 00:00:01 web01 CRON[9]: x", &clock, &years).unwrap();
        assert_eq!(h.time, Some(utc("2025-01-02T00:00:01Z")));
        let h = parse(
            "2024-05-06T10:00:00.123456+02:00 web01 postfix/smtpd[77]: connect from x",
            &clock,
            &years,
        )
        .unwrap();
        assert_eq!(h.time, Some(utc("2024-05-06T08:00:00Z")));
        assert_eq!(h.program, "postfix/smtpd");
        let h = parse(
            "<38>1 2024-05-06T08:00:00Z web01 sshd 812 - [meta x=\"]\\]\"] Accepted publickey for a",
            &clock,
            &years,
        )
        .unwrap();
        assert_eq!(h.time, Some(utc("2024-05-06T08:00:00Z")));
        assert_eq!((h.program, h.message), ("sshd", "Accepted publickey for a"));
        let h = parse(
            "Jul 07 10:51:25 web01 maldet(22633): {hit} malware hit",
            &clock,
            &years,
        )
        .unwrap();
        assert_eq!((h.program, h.pid), ("maldet", Some(22633)));
        assert!(parse("garbage line", &clock, &years).is_none());
        assert_eq!(
            repeated("message repeated 3 times: [ Failed password for root]"),
            Some((3, "Failed password for root"))
        );
    }
}
