//! Exim's spool, read natively: each message's `input/ID-H` (envelope and headers),
//! the size of its `input/ID-D` (the body, never read), and its `msglog/ID` (the
//! per-message log, where each deferral says why). `exim -bp` is not used.

mod config;
mod spool;

use crate::collect::{Job, Outcome, QueueScan, is_loopback, logs_by_id, walk_queue};
use crate::domains::OwnDomains;
use crate::headers;
use crate::model::{Message, Mta, Origin, Queue};
use breachkit_finding::{Warning, escape_bytes};
use breachkit_host::Host;
use std::collections::HashMap;

/// `split_spool_directory` puts messages one level down (`input/X/`).
const MAX_DEPTH: usize = 2;
/// The largest `-H` file read (10,000 recipients take about 300 KiB).
const MAX_HEADER_FILE: u64 = 64 << 20;
const MAX_MSGLOG: u64 = 4 << 20;

pub(crate) fn list(host: &Host, own: &mut OwnDomains, scan: &mut QueueScan) -> Vec<Job> {
    let mut jobs = Vec::new();
    for spool in config::spools(host, own, &mut scan.warnings) {
        let input = format!("{spool}/input");
        if !host.resolve(&input).is_dir() {
            continue;
        }
        scan.locations.push((Mta::Exim, spool.clone()));
        let logs = logs_by_id(host, &format!("{spool}/msglog"), MAX_DEPTH, scan);
        let mut headers = Vec::new();
        let mut data: HashMap<String, u64> = HashMap::new();
        for entry in walk_queue(host, &input, MAX_DEPTH, |p| p.ends_with("-H"), scan) {
            if entry.meta.file_type().is_dir() {
                continue;
            }
            let name = entry.file_name();
            if let Some(id) = name.strip_suffix("-D") {
                data.insert(id.to_string(), entry.meta.len());
            } else if name.ends_with("-H") {
                headers.push(entry);
            }
        }
        for entry in headers {
            let name = entry.file_name();
            let id = name.trim_end_matches("-H");
            jobs.push(Job {
                mta: Mta::Exim,
                queue: Queue::Queued,
                queue_dir: spool.clone(),
                logs: logs.get(id).cloned().unwrap_or_default(),
                data_size: data.get(id).copied(),
                entry,
            });
        }
    }
    jobs
}

pub(crate) fn read(host: &Host, job: &Job) -> Outcome {
    let entry = &job.entry;
    if !entry.is_file() {
        return Outcome::Failed(Warning::new(
            entry.display(),
            "not a regular file in Exim's spool; not read",
        ));
    }
    let content = match host.read_entry(entry, MAX_HEADER_FILE) {
        Ok(c) => c,
        Err(e) if e.is_not_found() => return Outcome::Vanished,
        Err(e) => return Outcome::Failed(e.warning()),
    };
    if content.truncated {
        return Outcome::Failed(Warning::new(
            entry.display(),
            format!("Exim header file larger than {MAX_HEADER_FILE} bytes; not read"),
        ));
    }
    let h = match spool::parse(&content.bytes) {
        Ok(h) => h,
        Err(_) if content.bytes.is_empty() => return Outcome::InProgress,
        Err(e) => {
            return Outcome::Failed(Warning::new(
                entry.display(),
                format!("unreadable Exim spool header file: {e}"),
            ));
        }
    };
    let name = entry.file_name();
    let id = name.trim_end_matches("-H").to_string();
    // The body: the -D file beside it, less its first line (its own name).
    let body = job
        .data_size
        .map_or(0, |len| len.saturating_sub(id.len() as u64 + 3));
    let reasons = msglog_reasons(host, job);
    let queue = if h.frozen {
        Queue::Frozen
    } else if !h.first_time || !reasons.is_empty() {
        Queue::Deferred
    } else {
        Queue::Queued
    };
    let local = h.received_protocol.starts_with("local");
    let origin = if local {
        Origin::Local
    } else {
        match &h.host_address {
            Some(a) if is_loopback(a) => Origin::Loopback,
            Some(_) => Origin::Remote,
            None => Origin::Unknown,
        }
    };
    let (uid, user) = if local {
        (h.uid, Some(h.login.clone()))
    } else {
        (None, h.auth_id.clone())
    };
    Outcome::Message(Box::new(Message {
        mta: Mta::Exim,
        id,
        queue,
        path: entry.display(),
        spool: job.queue_dir.clone(),
        arrival: h.arrival,
        size: h.header_bytes + body,
        sender: h.sender,
        recipient_count: h.recipients.len(),
        recipients: h.recipients,
        uid,
        user,
        origin,
        delay_reasons: reasons,
        headers: headers::parse(&h.header_block),
    }))
}

/// `line` from the first `needle` on, if it holds one.
fn tail_from<'a>(needle: &str, line: &'a str) -> Option<&'a str> {
    line.find(needle).and_then(|i| line.get(i..))
}

/// Reasons from the message's `msglog/ID` (beside `input/`, split the same way): the
/// text after `defer (N):` and the remote server's own words.
fn msglog_reasons(host: &Host, job: &Job) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let Some(c) = job
        .logs
        .iter()
        .find_map(|log| host.read_entry(log, MAX_MSGLOG).ok())
    else {
        return out;
    };
    for line in c.bytes.split(|b| *b == b'\n') {
        let line = escape_bytes(line);
        let reason = match tail_from("SMTP error from remote mail server", &line) {
            Some(remote) => Some(remote),
            None => tail_from(" defer (", &line)
                .and_then(|d| d.split_once("): "))
                .map(|(_, r)| r),
        };
        if let Some(r) = reason.map(str::trim).filter(|r| !r.is_empty())
            && !out.iter().any(|o| o == r)
        {
            out.push(r.to_string());
        }
    }
    out
}
