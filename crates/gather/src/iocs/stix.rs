//! The indicators as a STIX 2.1 bundle: an `identity` for breachkit (the producer)
//! and one for the investigated host (where they were sighted), then per indicator
//! an `indicator` with its STIX pattern and a `sighting` with its first and last
//! time and count. Objects carry the run's end as their time and UUIDv5 ids of the
//! host, the run and the value, so exporting again gives the same objects.
//! Internal addresses are left out: a bundle is shared.

use super::{Indicator, Indicators, Kind, stix_time, uuid_of};
use serde_json::{Value, json};
use std::io::{self, Write};
use std::net::IpAddr;

/// breachkit's identity object never changes: its time is fixed.
const PRODUCER_CREATED: &str = "2024-01-01T00:00:00.000Z";
/// The most sightings one description lists.
const MAX_LISTED: usize = 20;

pub(super) fn write(ind: &Indicators, out: impl Write) -> io::Result<()> {
    let producer = format!("identity--{}", uuid_of(&["identity", "breachkit"]));
    // Ids are of the host, the run and the value: the same case exports the same
    // objects, and a later run (whose times differ) makes new ones.
    let run = ind.run_id.to_string();
    let host = format!("identity--{}", uuid_of(&["host", &ind.hostname, &run]));
    let as_of = stix_time(ind.as_of);
    let mut objects = vec![
        json!({
            "type": "identity",
            "spec_version": "2.1",
            "id": producer,
            "created": PRODUCER_CREATED,
            "modified": PRODUCER_CREATED,
            "name": "breachkit",
            "description": "Incident response for hacked Linux web servers; these indicators were read from the findings of its case.",
            "identity_class": "system",
        }),
        json!({
            "type": "identity",
            "spec_version": "2.1",
            "id": host,
            "created_by_ref": producer,
            "created": as_of,
            "modified": as_of,
            "name": ind.hostname,
            "description": "The compromised host the indicators were seen on.",
            "identity_class": "system",
        }),
    ];
    for i in ind.items.iter().filter(|i| !i.internal) {
        let (Some(first), Some(last)) = (i.first_seen(), i.last_seen()) else {
            continue;
        };
        let id = format!(
            "indicator--{}",
            uuid_of(&["indicator", &ind.hostname, &run, i.kind.name(), &i.value])
        );
        let description = describe(i);
        objects.push(json!({
            "type": "indicator",
            "spec_version": "2.1",
            "id": id,
            "created_by_ref": producer,
            "created": as_of,
            "modified": as_of,
            "name": format!("{}: {}", title(i.kind), i.value),
            "description": description,
            "indicator_types": ["malicious-activity"],
            "pattern": pattern(i.kind, &i.value),
            "pattern_type": "stix",
            "pattern_version": "2.1",
            "valid_from": stix_time(first),
        }));
        objects.push(json!({
            "type": "sighting",
            "spec_version": "2.1",
            "id": format!("sighting--{}", uuid_of(&["sighting", &id])),
            "created_by_ref": producer,
            "created": as_of,
            "modified": as_of,
            "description": description,
            "first_seen": stix_time(first),
            "last_seen": stix_time(last),
            "count": i.seen.len().min(999_999_999),
            "sighting_of_ref": id,
            "where_sighted_refs": [host],
        }));
    }
    let bundle: Value = json!({
        "type": "bundle",
        "id": format!("bundle--{}", uuid_of(&["bundle", &ind.hostname, &run])),
        "objects": objects,
    });
    let mut out = out;
    breachkit_finding::json::to_writer_pretty(&mut out, &bundle)?;
    out.write_all(b"\n")?;
    out.flush()
}

fn title(kind: Kind) -> &'static str {
    match kind {
        Kind::SourceIp => "Attacker address",
        Kind::DestinationIp => "Address malicious code connects to",
        Kind::Url => "URL malicious code fetches or reaches",
        Kind::Domain => "Domain malicious code reaches",
        Kind::Sha256 => "Malicious file",
        Kind::Email => "Mailbox a phishing kit sends stolen credentials to",
        Kind::BotToken => "Telegram bot a phishing kit sends stolen credentials through",
    }
}

/// Where and when it was seen, by which rule.
fn describe(i: &Indicator) -> String {
    let mut lines: Vec<String> = i
        .seen
        .iter()
        .take(MAX_LISTED)
        .map(|s| {
            let when = if s.run_time {
                "found by the run at "
            } else {
                ""
            };
            format!("{} at {} ({when}{})", s.rule, s.place, stix_time(s.time))
        })
        .collect();
    if i.seen.len() > MAX_LISTED {
        lines.push(format!("and {} more", i.seen.len() - MAX_LISTED));
    }
    format!("Seen by breachkit: {}.", lines.join("; "))
}

/// The STIX pattern that matches the value.
fn pattern(kind: Kind, value: &str) -> String {
    let v = quote(value);
    match kind {
        Kind::SourceIp | Kind::DestinationIp => match value.parse::<IpAddr>() {
            Ok(IpAddr::V6(_)) => format!("[ipv6-addr:value = {v}]"),
            _ => format!("[ipv4-addr:value = {v}]"),
        },
        Kind::Url => format!("[url:value = {v}]"),
        Kind::Domain => format!("[domain-name:value = {v}]"),
        Kind::Sha256 => format!("[file:hashes.'SHA-256' = {v}]"),
        Kind::Email => format!("[email-addr:value = {v}]"),
        Kind::BotToken => {
            format!("[user-account:account_type = 'telegram' AND user-account:credential = {v}]")
        }
    }
}

/// A string literal of the STIX patterning grammar: in single quotes, with `\`
/// and `'` escaped by a backslash.
fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_backslashes_are_escaped_in_patterns() {
        assert_eq!(
            pattern(Kind::Url, r"http://x.example/a'b\c"),
            r"[url:value = 'http://x.example/a\'b\\c']"
        );
        assert_eq!(
            pattern(Kind::SourceIp, "2001:db8::1"),
            "[ipv6-addr:value = '2001:db8::1']"
        );
    }
}
