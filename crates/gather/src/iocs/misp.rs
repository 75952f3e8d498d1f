//! The indicators as a MISP event (the JSON `{"Event": …}` MISP imports): one
//! attribute per indicator, typed `ip-src`, `ip-dst`, `url`, `domain`, `sha256`,
//! `email-dst` (a kit's drop box receives the loot) or `text` (a bot token, not for
//! detection), with first and last seen and where in the comment. The event is
//! for the case's organisation only (distribution 0) until the admin shares it;
//! internal addresses are left out.

use super::{Indicators, Kind, stix_time, uuid_of};
use serde_json::json;
use std::io::{self, Write};

/// The most places one comment lists.
const MAX_LISTED: usize = 20;

pub(super) fn write(ind: &Indicators, mut out: impl Write) -> io::Result<()> {
    let run = ind.run_id.to_string();
    let event_uuid = uuid_of(&["misp-event", &ind.hostname, &run]);
    let timestamp = ind.as_of.as_second().to_string();
    let attributes: Vec<_> = ind
        .items
        .iter()
        .filter(|i| !i.internal)
        .map(|i| {
            let (kind, category, to_ids) = misp_type(i.kind);
            let mut places: Vec<String> = i
                .seen
                .iter()
                .take(MAX_LISTED)
                .map(|s| format!("{} at {}", s.rule, s.place))
                .collect();
            if i.seen.len() > MAX_LISTED {
                places.push(format!("and {} more", i.seen.len() - MAX_LISTED));
            }
            let comment = match i.kind {
                Kind::BotToken => format!("Telegram bot token. Seen: {}", places.join("; ")),
                _ => format!("Seen: {}", places.join("; ")),
            };
            let uuid = uuid_of(&[
                "misp-attribute",
                &ind.hostname,
                &run,
                i.kind.name(),
                &i.value,
            ]);
            json!({
                "uuid": uuid.to_string(),
                "type": kind,
                "category": category,
                "value": i.value,
                "to_ids": to_ids,
                "distribution": "5",
                "comment": comment,
                "first_seen": i.first_seen().map(stix_time),
                "last_seen": i.last_seen().map(stix_time),
                "timestamp": timestamp,
            })
        })
        .collect();
    let info = format!(
        "breachkit: indicators of the compromise of {} (run {}: {})",
        ind.hostname, ind.run_id, ind.command
    );
    let event = json!({
        "Event": {
            "uuid": event_uuid.to_string(),
            "info": info,
            "date": ind.as_of.strftime("%Y-%m-%d").to_string(),
            "timestamp": timestamp,
            "threat_level_id": "1",
            "analysis": "1",
            "distribution": "0",
            "published": false,
            "Attribute": attributes,
        }
    });
    breachkit_finding::json::to_writer_pretty(&mut out, &event)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// MISP's type, category and whether to use it for detection.
fn misp_type(kind: Kind) -> (&'static str, &'static str, bool) {
    match kind {
        Kind::SourceIp => ("ip-src", "Network activity", true),
        Kind::DestinationIp => ("ip-dst", "Network activity", true),
        Kind::Url => ("url", "Network activity", true),
        Kind::Domain => ("domain", "Network activity", true),
        Kind::Sha256 => ("sha256", "Payload delivery", true),
        Kind::Email => ("email-dst", "Network activity", true),
        Kind::BotToken => ("text", "Other", false),
    }
}
