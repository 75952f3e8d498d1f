//! Mail server logs: postfix messages (through syslog) and exim's own main log
//! (`2024-05-06 10:00:00 [pid] ID <= sender … U=www-data P=local …`).

use crate::event::{Kind, MailStatus};
use crate::time::{Clock, iso8601, offset};

/// The event of a postfix message (`program` is `postfix/smtpd`, `postfix/pickup`…).
pub fn postfix<'a>(program: &str, msg: &'a str) -> Option<Kind<'a>> {
    let daemon = program.rsplit('/').next().unwrap_or(program);
    if daemon == "smtpd" || daemon == "submission" || daemon == "smtps" {
        // `warning: unknown[203.0.113.4]: SASL LOGIN authentication failed: …`
        if msg.contains("SASL") && msg.contains("authentication failed") {
            let source = bracketed(msg)?;
            let user = msg
                .split_once("sasl_username=")
                .map(|(_, u)| u.split([',', ' ']).next().unwrap_or(""));
            return Some(Kind::SaslFailed { source, user });
        }
        if let Some((_, user)) = msg.split_once("sasl_username=") {
            return Some(Kind::SaslLogin {
                source: bracketed(msg)?,
                user: user.split([',', ' ']).next().unwrap_or(""),
            });
        }
        return None;
    }
    if daemon == "pickup" {
        // `ABC123: uid=33 from=<www-data>`
        let (_, rest) = msg.split_once("uid=")?;
        let uid = rest.split(' ').next()?.parse().ok()?;
        return Some(Kind::MailSubmitted {
            uid: Some(uid),
            user: None,
        });
    }
    let (_, status) = msg.split_once("status=")?;
    let status = match status.split(' ').next()? {
        "sent" => MailStatus::Sent,
        "deferred" => MailStatus::Deferred,
        "bounced" => MailStatus::Bounced,
        _ => return None,
    };
    let relay = msg
        .split_once("relay=")
        .map(|(_, r)| r.split([',', ' ']).next().unwrap_or(""))
        .unwrap_or("");
    let outbound = daemon == "smtp" && !is_local_relay(relay);
    Some(Kind::MailOutcome { status, outbound })
}

fn is_local_relay(relay: &str) -> bool {
    relay == "none"
        || relay == "local"
        || relay.contains("[127.")
        || relay.contains("[::1]")
        || relay.starts_with("private/")
        || relay.contains("dovecot")
}

/// The address in the first `[…]` (`unknown[203.0.113.4]` → `203.0.113.4`).
fn bracketed(s: &str) -> Option<&str> {
    let (_, rest) = s.split_once('[')?;
    let (inside, _) = rest.split_once(']')?;
    Some(inside)
}

/// An exim main log line: its time and event.
pub fn exim<'a>(line: &'a str, clock: &Clock) -> Option<(i64, Kind<'a>)> {
    let (mut time, n) = iso8601(line.as_bytes(), clock)?;
    let mut rest = line.get(n..)?.trim_start();
    // log_timezone: ` +0200` after the time.
    if let Some((tok, r)) = rest.split_once(' ')
        && let Some(off) = offset(tok.as_bytes())
        && n == 19
    {
        time = time + local_offset(clock, time) - i64::from(off);
        rest = r;
    }
    // `[pid]` when log_selector has +pid.
    if rest.starts_with('[')
        && let Some((_, r)) = rest.split_once("] ")
    {
        rest = r;
    }
    Some((time, exim_message(rest).unwrap_or(Kind::Other)))
}

/// The host's UTC offset at a time (exim's explicit offset replaces it).
fn local_offset(clock: &Clock, t: i64) -> i64 {
    jiff::Timestamp::from_second(t)
        .map(|ts| i64::from(clock.zone().to_offset(ts).seconds()))
        .unwrap_or(0)
}

fn exim_message(rest: &str) -> Option<Kind<'_>> {
    if rest.starts_with("authenticator failed") || rest.contains(" authenticator failed for ") {
        let source = bracketed(rest.split_once("failed for ")?.1)?;
        let user = rest
            .split_once("(set_id=")
            .map(|(_, u)| u.trim_end_matches(')'));
        return Some(Kind::SaslFailed { source, user });
    }
    let (_id, rest) = rest.split_once(' ')?;
    let (flag, detail) = rest.split_once(' ').unwrap_or((rest, ""));
    match flag {
        "<=" => {
            let fields = |key: &str| {
                detail
                    .split(' ')
                    .find_map(|f| f.strip_prefix(key))
                    .filter(|v| !v.is_empty())
            };
            if let Some(auth) = fields("A=") {
                let user = auth.split_once(':').map(|(_, u)| u).unwrap_or(auth);
                let source = detail
                    .split(' ')
                    .find(|f| f.starts_with('[') && f.contains(']'))
                    .map(|f| f.trim_start_matches('[').split(']').next().unwrap_or(""))
                    .unwrap_or("");
                return Some(Kind::SaslLogin { source, user });
            }
            if fields("P=") == Some("local") {
                return Some(Kind::MailSubmitted {
                    uid: None,
                    user: fields("U="),
                });
            }
            None
        }
        "=>" | "->" => {
            let remote = detail
                .split(' ')
                .any(|f| f.starts_with("T=") && f.contains("smtp") && !f.contains("lmtp"));
            Some(Kind::MailOutcome {
                status: MailStatus::Sent,
                outbound: remote,
            })
        }
        "**" => Some(Kind::MailOutcome {
            status: MailStatus::Bounced,
            outbound: true,
        }),
        "==" => Some(Kind::MailOutcome {
            status: MailStatus::Deferred,
            outbound: true,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::tz::TimeZone;

    #[test]
    fn postfix_and_exim() {
        assert_eq!(
            postfix("postfix/pickup", "4F1A2B: uid=33 from=<www-data>"),
            Some(Kind::MailSubmitted {
                uid: Some(33),
                user: None
            })
        );
        assert_eq!(
            postfix(
                "postfix/smtp",
                "4F1A2B: to=<a@example.net>, relay=mx.example.net[192.0.2.8]:25, delay=1, status=sent (250 ok)"
            ),
            Some(Kind::MailOutcome {
                status: MailStatus::Sent,
                outbound: true
            })
        );
        assert_eq!(
            postfix(
                "postfix/smtpd",
                "warning: unknown[203.0.113.4]: SASL LOGIN authentication failed: UGFzc3dvcmQ6"
            ),
            Some(Kind::SaslFailed {
                source: "203.0.113.4",
                user: None
            })
        );
        let clock = Clock::new(TimeZone::UTC);
        let (t, k) = exim(
            "2024-05-06 10:00:00 1s4Zk2-000Abc-Q1 <= www-data@web01 U=www-data P=local S=812",
            &clock,
        )
        .unwrap();
        assert_eq!(t, 1_714_989_600);
        assert_eq!(
            k,
            Kind::MailSubmitted {
                uid: None,
                user: Some("www-data")
            }
        );
        let (_, k) = exim(
            "2024-05-06 10:00:01 dovecot_login authenticator failed for (x) [203.0.113.4]:5512: 535 Incorrect authentication data (set_id=bob@example.com)",
            &clock,
        )
        .unwrap();
        assert_eq!(
            k,
            Kind::SaslFailed {
                source: "203.0.113.4",
                user: Some("bob@example.com")
            }
        );
        let (t, _) = exim(
            "2024-05-06 12:00:00 +0200 1s4Zk2-000Abc-Q1 Completed",
            &clock,
        )
        .unwrap();
        assert_eq!(t, 1_714_989_600);
    }
}
