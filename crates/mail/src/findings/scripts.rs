//! One finding per PHP script that sends mail, pointing at the file. Queued messages
//! name it in `X-PHP-Originating-Script` (owner uid and file name only) or
//! `X-PHP-Script` (site and URL path); PHP's `mail.log` names it with its full path
//! and line. A bare file name is found by looking through the web roots.

use super::examples;
use crate::model::Message;
use crate::phplog::ScriptCalls;
use crate::rules;
use breachkit_finding::{Finding, Severity, Warning};
use breachkit_host::Host;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A script sending this much (queued messages, queued recipients, mail.log calls in
/// a day) is bulk mailing.
const BULK_MESSAGES: usize = 20;
const BULK_RECIPIENTS: usize = 100;
const BULK_CALLS_PER_DAY: usize = 50;
const MAX_WEB_DEPTH: usize = 40;
/// Candidate files shown for a script name found in several places.
const MAX_CANDIDATES: usize = 3;

#[derive(Default)]
struct Script {
    /// Host path, when known or found.
    path: Option<String>,
    candidates: Vec<String>,
    owner_uid: Option<u32>,
    messages: Vec<String>,
    recipients: usize,
    log: Option<ScriptCalls>,
}

pub(crate) fn findings(
    host: &Host,
    web_roots: &[PathBuf],
    msgs: &[Message],
    log: Vec<ScriptCalls>,
    suspicious_place: &(dyn Fn(&str) -> bool + Sync),
    warnings: &mut Vec<Warning>,
) -> Vec<Finding> {
    // Key: the file name (what X-PHP-Originating-Script gives), or the URL path.
    let mut scripts: BTreeMap<String, Script> = BTreeMap::new();
    for m in msgs {
        let Some(p) = &m.headers.php_script else {
            continue;
        };
        let s = scripts.entry(p.name.clone()).or_default();
        s.owner_uid = s.owner_uid.or(p.uid);
        s.messages.push(m.path.clone());
        s.recipients += m.recipient_count;
    }
    for calls in log {
        let name = calls.path.rsplit('/').next().unwrap_or("").to_string();
        let key = if scripts.contains_key(&name) {
            name
        } else {
            calls.path.clone()
        };
        let s = scripts.entry(key).or_default();
        s.path = Some(calls.path.clone());
        s.log = Some(calls);
    }
    if scripts.is_empty() {
        return Vec::new();
    }
    locate(host, web_roots, &mut scripts, warnings);
    scripts
        .into_iter()
        .map(|(name, s)| finding(&name, s, suspicious_place))
        .collect()
}

/// The path part of a script key: `www.example.com/dir/x.php` (X-PHP-Script) →
/// `/dir/x.php`; a key without `/` is its own path.
fn url_path(key: &str) -> &str {
    key.find('/').and_then(|i| key.get(i..)).unwrap_or(key)
}

/// Finds the files of scripts known only by name (or URL path) in the web roots.
fn locate(
    host: &Host,
    web_roots: &[PathBuf],
    scripts: &mut BTreeMap<String, Script>,
    warnings: &mut Vec<Warning>,
) {
    let wanted: Vec<(String, String)> = scripts
        .iter()
        .filter(|(_, s)| s.path.is_none())
        .map(|(key, _)| {
            let base = url_path(key).rsplit('/').next().unwrap_or("").to_string();
            (key.clone(), base)
        })
        .filter(|(_, base)| !base.is_empty())
        .collect();
    if wanted.is_empty() {
        return;
    }
    for root in web_roots {
        for entry in host.walk(root, MAX_WEB_DEPTH, warnings) {
            if !entry.is_file() {
                continue;
            }
            let name = entry.file_name();
            for (key, base) in &wanted {
                if &name != base {
                    continue;
                }
                let path = entry.display();
                let s = scripts.entry(key.clone()).or_default();
                let tail_matches = key.contains('/') && path.ends_with(url_path(key));
                if tail_matches {
                    s.candidates.insert(0, path);
                } else if s.candidates.len() < 64 {
                    s.candidates.push(path);
                }
            }
        }
    }
    for s in scripts.values_mut() {
        if s.path.is_none() {
            s.path = s.candidates.first().cloned();
        }
    }
}

fn finding(name: &str, s: Script, suspicious_place: &(dyn Fn(&str) -> bool + Sync)) -> Finding {
    let queued = s.messages.len();
    let calls_day = s.log.as_ref().map_or(0, |l| l.calls_last_day);
    let bulk = queued >= BULK_MESSAGES
        || s.recipients >= BULK_RECIPIENTS
        || calls_day >= BULK_CALLS_PER_DAY;
    let odd_place = s.path.as_deref().is_some_and(suspicious_place);
    let severity = match (bulk, odd_place) {
        (true, true) => Severity::Critical,
        (true, false) => Severity::High,
        (false, true) => Severity::Medium,
        (false, false) => Severity::Low,
    };
    let mut parts = vec![match s.owner_uid {
        Some(uid) => format!("{name} (file owner uid {uid})"),
        None => name.to_string(),
    }];
    if queued > 0 {
        parts.push(format!(
            "{queued} queued messages to {} recipients, e.g. {}",
            s.recipients,
            examples(s.messages.iter())
        ));
    }
    let mut f = rules::SENDING_SCRIPT.finding().severity(severity);
    if let Some(log) = &s.log {
        let lines: Vec<String> = log
            .lines
            .iter()
            .map(|(l, n)| format!("line {l} ({n}×)"))
            .collect();
        parts.push(format!(
            "PHP mail.log {}: {} calls ({} in the last day) from {} to {} recipients",
            log.log,
            log.calls,
            log.calls_last_day,
            lines.join(", "),
            log.recipients
        ));
        if let Some(t) = log.last {
            f = f.unix_time(t);
        }
        if let Some((line, _)) = log.lines.iter().max_by_key(|(_, n)| **n) {
            f = f.line(*line);
        }
    }
    if s.candidates.len() > 1 {
        let shown: Vec<&str> = s
            .candidates
            .iter()
            .take(MAX_CANDIDATES)
            .map(String::as_str)
            .collect();
        parts.push(format!(
            "{} files of this name in the web roots: {}",
            s.candidates.len(),
            shown.join(", ")
        ));
    }
    if s.path.is_none() {
        parts
            .push("the file was not found in the web roots (deleted, or outside them)".to_string());
    }
    f = f.evidence(parts.join("; "));
    if odd_place {
        f = f.note("It lives in an upload, temp or hidden directory, where no mail code of a site belongs.");
    }
    match s.path {
        Some(p) => f.path(p),
        None => f,
    }
}
