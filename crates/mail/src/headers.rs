//! A message's header block turned into [`HeaderInfo`]: `mail-parser` decodes
//! folding, encoded words (`=?UTF-8?B?…?=`) and addresses; the raw bytes are kept
//! where the decoding would hide what matters (a `Received:` stamp, a newline left
//! in a Subject by a header injection).

use crate::model::{HeaderInfo, Hop, PhpScript};
use breachkit_finding::escape_bytes;
use mail_parser::{Address, HeaderValue, MessageParser};
use regex::Regex;
use std::sync::LazyLock;

/// The most of a header block that is parsed; Postfix's own `header_size_limit` is
/// 100 KiB per header, so this only cuts deliberate floods.
pub const MAX_HEADER_BLOCK: usize = 4 << 20;

/// Parses a header block (the lines up to the blank line, `\n` line ends).
pub fn parse(block: &[u8]) -> HeaderInfo {
    let block = block.get(..MAX_HEADER_BLOCK).unwrap_or(block);
    let mut info = HeaderInfo::default();
    let Some(msg) = MessageParser::default().parse_headers(block) else {
        return info;
    };
    let mut subjects = 0;
    let mut froms = 0;
    for h in msg.headers() {
        let raw = block
            .get(h.offset_start as usize..h.offset_end as usize)
            .unwrap_or_default();
        let name = h.name();
        match name.to_ascii_lowercase().as_str() {
            "subject" => {
                subjects += 1;
                info.subject = text(h.value()).or_else(|| Some(unfold(raw)));
                if info.injection.is_none() {
                    info.injection = injection(raw);
                }
            }
            "from" => {
                froms += 1;
                info.from = first_address(h.value());
            }
            "reply-to" => info.reply_to = first_address(h.value()),
            "sender" => info.sender = first_address(h.value()),
            "return-path" => {
                info.return_path = first_address(h.value())
                    .or_else(|| text(h.value()).map(|t| t.trim_matches(['<', '>', ' ']).into()))
            }
            "message-id" => info.message_id = text(h.value()).or_else(|| Some(unfold(raw))),
            "date" => match h.value() {
                HeaderValue::DateTime(d) if d.is_valid() => info.date = Some(d.to_timestamp()),
                _ => info.date_invalid = true,
            },
            "x-mailer" => info.mailer = Some(unfold(raw)),
            "user-agent" if info.mailer.is_none() => info.mailer = Some(unfold(raw)),
            "x-php-originating-script" => info.php_script = originating_script(&unfold(raw)),
            "x-php-script" if info.php_script.is_none() => {
                let v = unfold(raw);
                let uri = v.split(" for ").next().unwrap_or("").trim().to_string();
                if !uri.is_empty() {
                    info.php_script = Some(PhpScript {
                        uid: None,
                        name: uri,
                    });
                }
            }
            "received" => {
                let date = match h.value() {
                    HeaderValue::Received(r) => r.date().filter(|d| d.is_valid()),
                    _ => None,
                };
                let text = unfold(raw);
                info.received.push(Hop {
                    local_stamp: is_local_stamp(&text),
                    date: date.map(|d| d.to_timestamp()),
                    text,
                });
            }
            _ => {}
        }
    }
    if info.injection.is_none() && subjects > 1 {
        info.injection = Some(format!("{subjects} Subject headers in one message"));
    } else if info.injection.is_none() && froms > 1 {
        info.injection = Some(format!("{froms} From headers in one message"));
    }
    info
}

/// A header value as one escaped line (folding removed: every `\n` goes, and the
/// `\r` of each `\r\n`; a bare `\r` stays).
fn unfold(raw: &[u8]) -> String {
    let line_break = |i: usize, c: u8| c == b'\n' || (c == b'\r' && raw.get(i + 1) == Some(&b'\n'));
    let out: Vec<u8> = raw
        .iter()
        .enumerate()
        .filter(|&(i, &c)| !line_break(i, c))
        .map(|(_, &c)| c)
        .collect();
    escape_bytes(out.trim_ascii()).replace('\t', " ")
}

fn text(v: &HeaderValue) -> Option<String> {
    match v {
        HeaderValue::Text(t) => Some(t.to_string()),
        HeaderValue::TextList(l) => l.first().map(|t| t.to_string()),
        _ => None,
    }
}

fn first_address(v: &HeaderValue) -> Option<String> {
    let addr = match v {
        HeaderValue::Address(Address::List(l)) => l.iter().find_map(|a| a.address()),
        HeaderValue::Address(Address::Group(g)) => g
            .iter()
            .flat_map(|g| g.addresses.iter())
            .find_map(|a| a.address()),
        _ => None,
    };
    addr.map(str::to_string)
}

/// `UID:NAME` as PHP writes it (`mail.add_x_header`).
fn originating_script(v: &str) -> Option<PhpScript> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    Some(match v.split_once(':') {
        Some((uid, name)) if uid.chars().all(|c| c.is_ascii_digit()) && !uid.is_empty() => {
            PhpScript {
                uid: uid.parse().ok(),
                name: name.trim().to_string(),
            }
        }
        _ => PhpScript {
            uid: None,
            name: v.to_string(),
        },
    })
}

/// The stamp a local submission gets: Postfix's pickup (`(Postfix, from userid 33)`)
/// or Exim's `with local` / `with local-esmtp`.
pub fn is_local_stamp(received: &str) -> bool {
    static STAMP: LazyLock<Regex> = LazyLock::new(|| {
        crate::pattern::literal(
            r"\(Postfix, from userid \d+\)|\bwith local(?:-e?smtp|-bsmtp)? \(Exim ",
        )
    });
    STAMP.is_match(received)
}

/// The uid in Postfix's local submission stamp.
pub fn postfix_stamp_uid(received: &str) -> Option<u32> {
    static UID: LazyLock<Regex> =
        LazyLock::new(|| crate::pattern::literal(r"\(Postfix, from userid (\d+)\)"));
    UID.captures(received)?.get(1)?.as_str().parse().ok()
}

/// Signs that a Subject carried a header injection: header lines folded into it, or
/// an encoded or bare line break left inside.
fn injection(raw: &[u8]) -> Option<String> {
    static FOLDED_FIELD: LazyLock<Regex> = LazyLock::new(|| {
        crate::pattern::literal(
            r"(?i)\n[ \t]*(bcc|cc|to|from|reply-to|content-type|mime-version|content-transfer-encoding|x-[a-z0-9-]+)\s*:",
        )
    });
    static ENCODED_BREAK: LazyLock<Regex> =
        LazyLock::new(|| crate::pattern::literal(r"(?i)%0[ad]|\\r\\n|\\n"));
    let text = String::from_utf8_lossy(raw);
    if let Some(m) = FOLDED_FIELD.captures(&text) {
        return Some(format!(
            "a {:?} header line is folded into the Subject",
            m.get(1).map_or("", |g| g.as_str())
        ));
    }
    if ENCODED_BREAK.is_match(&text) {
        return Some("an encoded line break (%0A, %0D, \\n) is left in the Subject".to_string());
    }
    let bare_cr = raw
        .iter()
        .enumerate()
        .any(|(i, b)| *b == b'\r' && raw.get(i + 1) != Some(&b'\n'));
    bare_cr.then(|| "a bare carriage return is left in the Subject".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOCK: &[u8] = b"Received: by web01.example.com (Postfix, from userid 33)\n\tid 3AD77EC63F; Tue, 24 Nov 2026 18:49:25 +0000 (UTC)\n\
Received: from mail.paypal.com (mail.paypal.com [66.211.168.1])\n\tby mx.paypal.com; Mon, 23 Nov 2026 10:00:00 +0000\n\
From: \"PayPal\" <service@paypal.com>\nReply-To: collect@evil.example\n\
Subject: =?UTF-8?B?Vm90cmUgY29tcHRlIGVzdCBzdXNwZW5kdSDinJM=?=\n\
X-PHP-Originating-Script: 33:wp-conf.php\nX-Mailer: Leaf PHPMailer 2.7\n\
Message-Id: <abc@paypal.com>\nDate: Thu, 19 Nov 2026 18:49:25 +0000\n";

    #[test]
    fn fields_are_decoded() {
        let h = parse(BLOCK);
        assert_eq!(h.subject.as_deref(), Some("Votre compte est suspendu ✓"));
        assert_eq!(h.from.as_deref(), Some("service@paypal.com"));
        assert_eq!(h.reply_to.as_deref(), Some("collect@evil.example"));
        assert_eq!(h.message_id.as_deref(), Some("abc@paypal.com"));
        assert_eq!(h.mailer.as_deref(), Some("Leaf PHPMailer 2.7"));
        assert_eq!(
            h.php_script,
            Some(PhpScript {
                uid: Some(33),
                name: "wp-conf.php".into()
            })
        );
        assert_eq!(h.received.len(), 2);
        assert!(h.received[0].local_stamp && !h.received[1].local_stamp);
        assert_eq!(postfix_stamp_uid(&h.received[0].text), Some(33));
        assert!(h.received[1].date.is_some());
        assert!(h.date.is_some());
        assert!(h.injection.is_none());
    }

    #[test]
    fn injection_remnants() {
        let h = parse(b"Subject: hello\n bcc: a@b.example, c@d.example\nFrom: x@y.example\n");
        assert!(h.injection.unwrap().contains("bcc"));
        let h = parse(b"Subject: hi%0ABcc: a@b.example\n");
        assert!(h.injection.is_some());
        let h = parse(b"Subject: one\nSubject: two\n");
        assert!(h.injection.is_some());
        let h = parse(b"Subject: Re: your order\n\tnumber 42\n");
        assert!(h.injection.is_none());
    }

    #[test]
    fn garbage_does_not_panic() {
        let _ = parse(b"\xff\xfe: \x00\n\n\n");
        let _ = parse(b"");
        let h = parse(b"Subject: \xe9t\xe9\nDate: yesterday\n");
        assert!(h.date_invalid);
        assert!(h.subject.is_some());
    }

    #[test]
    fn unfolding_drops_line_breaks_only() {
        assert_eq!(unfold(b"Subject: a\r\n b\n\tc\n"), "Subject: a b c");
        assert_eq!(unfold(b"a\rb\r"), "a\rb");
        assert_eq!(unfold(b"\r\n\n\r"), "");
        assert_eq!(unfold(b""), "");
    }
}
