//! Postfix's queue, read natively: every queue file in `maildrop`, `incoming`,
//! `active`, `deferred`, `hold` and `corrupt` of every configured instance, with the
//! delay reasons from its `defer/` and `bounce/` logs. `postqueue` is not used for
//! this (on an image it is the image's binary; on a hacked host it may lie).
//!
//! Queue files come and go while Postfix runs: one that vanishes between listing and
//! reading is counted, not warned about; one still being written (`maildrop` and
//! `incoming` files lack the owner-execute bit until complete) is left alone.

mod config;
mod defer;
mod qfile;
mod record;

use config::instances;

use crate::collect::{Job, Outcome, QueueScan, logs_by_id, walk_queue};
use crate::domains::OwnDomains;
use crate::headers;
use crate::model::{Message, Mta, Origin, Queue};
use breachkit_host::Host;
use std::os::unix::fs::MetadataExt;

/// The queue directories of one instance, with their queue.
const QUEUES: &[(Queue, &str)] = &[
    (Queue::Maildrop, "maildrop"),
    (Queue::Incoming, "incoming"),
    (Queue::Active, "active"),
    (Queue::Deferred, "deferred"),
    (Queue::Hold, "hold"),
    (Queue::Corrupt, "corrupt"),
];
/// Hashed queues are at most `hash_queue_depth` (≤ 16) levels deep; real ones 1–2.
const MAX_DEPTH: usize = 4;
const MAX_LOG: u64 = 4 << 20;
/// Queue files up to this size are read in one go.
const READ_WHOLE: u64 = 256 << 10;

/// Lists the queue files of every instance (and learns the instances' domains).
pub(crate) fn list(host: &Host, own: &mut OwnDomains, scan: &mut QueueScan) -> Vec<Job> {
    let mut jobs = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for inst in instances(host, &mut scan.warnings) {
        inst.add_domains(host, own);
        if seen.contains(&inst.queue_dir) || !host.resolve(&inst.queue_dir).is_dir() {
            continue;
        }
        seen.push(inst.queue_dir.clone());
        scan.locations.push((Mta::Postfix, inst.queue_dir.clone()));
        let logs: Vec<_> = ["defer", "bounce"]
            .iter()
            .map(|d| logs_by_id(host, &format!("{}/{d}", inst.queue_dir), MAX_DEPTH, scan))
            .collect();
        for (queue, name) in QUEUES {
            let dir = format!("{}/{}", inst.queue_dir, name);
            for entry in walk_queue(host, &dir, MAX_DEPTH, |_| true, scan) {
                if entry.meta.file_type().is_dir() {
                    continue;
                }
                // Only messages that were tried have delivery logs worth reading.
                let tried = matches!(queue, Queue::Deferred | Queue::Active | Queue::Hold);
                let id = entry.file_name();
                jobs.push(Job {
                    mta: Mta::Postfix,
                    queue: *queue,
                    queue_dir: inst.queue_dir.clone(),
                    logs: logs
                        .iter()
                        .filter(|_| tried)
                        .filter_map(|l| l.get(&id))
                        .flatten()
                        .cloned()
                        .collect(),
                    data_size: None,
                    entry,
                });
            }
        }
    }
    jobs
}

/// The ids of the queue files now in a queue directory's queues.
pub(crate) fn queue_ids(host: &Host, queue_dir: &str) -> std::collections::HashSet<String> {
    let mut ignored = QueueScan::default();
    QUEUES
        .iter()
        .flat_map(|(_, name)| {
            let dir = format!("{queue_dir}/{name}");
            walk_queue(host, &dir, MAX_DEPTH, |_| false, &mut ignored)
        })
        .filter(|e| e.is_file())
        .map(|e| e.file_name())
        .collect()
}

/// Reads one queue file.
pub(crate) fn read(host: &Host, job: &Job) -> Outcome {
    let entry = &job.entry;
    if !entry.is_file() {
        return Outcome::Failed(breachkit_finding::Warning::new(
            entry.display(),
            "not a regular file in a Postfix queue directory; not read",
        ));
    }
    let in_progress =
        matches!(job.queue, Queue::Maildrop | Queue::Incoming) && entry.meta.mode() & 0o100 == 0;
    if in_progress {
        return Outcome::InProgress;
    }
    // Small files (nearly every message) are read whole; larger ones streamed, so
    // that the body is skipped rather than read.
    let content = match host.read_entry(entry, READ_WHOLE) {
        Ok(c) => c,
        Err(e) if e.is_not_found() => return Outcome::Vanished,
        Err(e) => return Outcome::Failed(e.warning()),
    };
    let meta = content.meta;
    let parsed = if content.truncated {
        match host.open(&entry.host) {
            Ok((file, meta)) => qfile::read(file, meta.len()),
            Err(e) if e.is_not_found() => return Outcome::Vanished,
            Err(e) => return Outcome::Failed(e.warning()),
        }
    } else {
        let len = content.bytes.len() as u64;
        qfile::read(std::io::Cursor::new(content.bytes), len)
    };
    let q = match parsed {
        Ok(q) => q,
        Err(e) => {
            if host.lstat(&entry.host).is_err() {
                return Outcome::Vanished;
            }
            return Outcome::Failed(breachkit_finding::Warning::new(
                entry.display(),
                format!("unreadable Postfix queue file: {e}"),
            ));
        }
    };
    let headers = headers::parse(&q.header_block);
    let id = entry.file_name();
    let uid = if job.queue == Queue::Maildrop {
        Some(meta.uid())
    } else {
        headers
            .received
            .first()
            .and_then(|h| headers::postfix_stamp_uid(&h.text))
    };
    let origin = if job.queue == Queue::Maildrop || q.local_submission || uid.is_some() {
        Origin::Local
    } else {
        match q.client_address.as_deref() {
            Some(a) if crate::collect::is_loopback(a) => Origin::Loopback,
            Some(_) => Origin::Remote,
            None => Origin::Unknown,
        }
    };
    let delay_reasons = delay_reasons(host, job);
    Outcome::Message(Box::new(Message {
        mta: Mta::Postfix,
        id,
        queue: job.queue,
        path: entry.display(),
        spool: job.queue_dir.clone(),
        arrival: q.arrival.or(Some(meta.mtime())),
        size: q.size.unwrap_or(meta.len()),
        sender: q.sender,
        recipient_count: q.recipients.len(),
        recipients: q.recipients,
        uid,
        user: None,
        origin,
        delay_reasons,
        headers,
    }))
}

/// The distinct reasons in the message's `defer/` and `bounce/` logs.
fn delay_reasons(host: &Host, job: &Job) -> Vec<String> {
    let mut out = Vec::new();
    for log in &job.logs {
        if let Ok(c) = host.read_entry(log, MAX_LOG) {
            for r in defer::reasons(&c.bytes) {
                if !out.contains(&r) {
                    out.push(r);
                }
            }
        }
    }
    out
}
