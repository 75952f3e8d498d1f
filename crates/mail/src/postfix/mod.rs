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

use crate::collect::{Job, Outcome, QueueScan, walk_queue};
use crate::domains::OwnDomains;
use crate::headers;
use crate::model::{Message, Mta, Origin, Queue};
use breachkit_host::Host;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

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
        for (queue, name) in QUEUES {
            let dir = format!("{}/{}", inst.queue_dir, name);
            for entry in walk_queue(host, &dir, MAX_DEPTH, scan) {
                if entry.meta.file_type().is_dir() {
                    continue;
                }
                jobs.push(Job {
                    mta: Mta::Postfix,
                    queue: *queue,
                    queue_dir: inst.queue_dir.clone(),
                    entry,
                });
            }
        }
    }
    jobs
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
    let (file, meta) = match host.open(&entry.host) {
        Ok(x) => x,
        Err(e) if e.is_not_found() => return Outcome::Vanished,
        Err(e) => return Outcome::Failed(e.warning()),
    };
    let q = match qfile::read(file, meta.len()) {
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
    let delay_reasons = delay_reasons(host, job, &id);
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

/// The reasons in the message's `defer/` and `bounce/` logs, found at the same
/// hashed place as the queue file (or hashed by the id's first character).
fn delay_reasons(host: &Host, job: &Job, id: &str) -> Vec<String> {
    if !matches!(job.queue, Queue::Deferred | Queue::Active | Queue::Hold) {
        return Vec::new();
    }
    let queue_name = QUEUES
        .iter()
        .find(|(q, _)| *q == job.queue)
        .map_or("", |(_, n)| n);
    let rel = job
        .entry
        .host
        .strip_prefix(Path::new(&job.queue_dir).join(queue_name))
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| id.into());
    let first: String = id.chars().take(1).collect();
    let mut out = Vec::new();
    for log_dir in ["defer", "bounce"] {
        let base = Path::new(&job.queue_dir).join(log_dir);
        // A deferred file's log sits at the same hashed place; others are hashed by id.
        let candidates = if job.queue == Queue::Deferred {
            vec![base.join(&rel)]
        } else {
            vec![base.join(&first).join(id), base.join(id)]
        };
        for candidate in candidates {
            if let Ok(c) = host.read(&candidate, MAX_LOG) {
                for r in defer::reasons(&c.bytes) {
                    if !out.contains(&r) {
                        out.push(r);
                    }
                }
                break;
            }
        }
    }
    out
}
