//! Reading every queue of every MTA on the host into one list of messages, the files
//! read in parallel (a spam storm leaves tens of thousands), with a count of what
//! could not be read and why.

use crate::domains::OwnDomains;
use crate::model::{Message, Mta, Queue};
use crate::{exim, postfix};
use breachkit_finding::Warning;
use breachkit_host::{Entry, Host};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;

/// One file to read.
pub(crate) struct Job {
    pub mta: Mta,
    pub queue: Queue,
    /// The queue (spool) directory it was found under, as a host path.
    pub queue_dir: String,
    pub entry: Entry,
    /// The message's delivery logs (Postfix `defer/` and `bounce/`, Exim `msglog/`),
    /// found by walking those directories once rather than probing per message.
    pub logs: Vec<Entry>,
    /// Exim: the size of the message's `-D` (body) file, seen by the same walk.
    pub data_size: Option<u64>,
}

/// What reading one file gave.
pub(crate) enum Outcome {
    Message(Box<Message>),
    /// Gone between listing and reading: delivered or moved, as queues do.
    Vanished,
    /// Still being written by the MTA.
    InProgress,
    Failed(Warning),
}

/// Every message found, and what the reading met.
#[derive(Debug, Default, Serialize)]
pub struct QueueScan {
    pub messages: Vec<Message>,
    #[serde(skip)]
    pub warnings: Vec<Warning>,
    /// Queue directories read: (MTA, host path).
    pub locations: Vec<(Mta, String)>,
    /// Files that vanished while the queue was read (delivered or moved).
    pub vanished: usize,
    /// Files still being written.
    pub in_progress: usize,
    /// Files that could not be read (each has a warning).
    pub unreadable: usize,
}

/// Reads the Postfix and Exim queues of `host`; learns the MTAs' own domains.
pub fn read_queues(host: &Host, own: &mut OwnDomains) -> QueueScan {
    let mut scan = QueueScan::default();
    let mut jobs = postfix::list(host, own, &mut scan);
    jobs.extend(exim::list(host, own, &mut scan));
    let outcomes: Vec<Outcome> = jobs
        .par_iter()
        .map(|job| match job.mta {
            Mta::Postfix => postfix::read(host, job),
            Mta::Exim => exim::read(host, job),
        })
        .collect();
    let accounts = host.accounts();
    for outcome in outcomes {
        match outcome {
            Outcome::Message(mut m) => {
                if let Some(uid) = m.uid
                    && let Some(u) = accounts.by_uid(uid)
                {
                    m.user = Some(u.name.clone());
                }
                scan.messages.push(*m);
            }
            Outcome::Vanished => scan.vanished += 1,
            Outcome::InProgress => scan.in_progress += 1,
            Outcome::Failed(w) => {
                scan.unreadable += 1;
                scan.warnings.push(w);
            }
        }
    }
    scan.messages
        .sort_by(|a, b| a.arrival.cmp(&b.arrival).then_with(|| a.id.cmp(&b.id)));
    scan
}

/// Walks a queue directory. A file that vanishes during the walk (delivered, moved
/// to another queue) is not warned about; it is counted when `is_message` says its
/// path is a message's (not a delivery log or a body file that goes with one).
pub(crate) fn walk_queue(
    host: &Host,
    dir: &str,
    depth: usize,
    is_message: fn(&str) -> bool,
    scan: &mut QueueScan,
) -> Vec<Entry> {
    let mut warnings = Vec::new();
    let entries = host.walk(dir, depth, &mut warnings);
    for w in warnings {
        let gone = w
            .path
            .as_deref()
            .filter(|p| host.lstat(p).is_err_and(|e| e.is_not_found()));
        match gone {
            Some(p) => scan.vanished += usize::from(is_message(p)),
            None => scan.warnings.push(w),
        }
    }
    entries
}

/// The regular files below a log directory by file name (the queue id), for
/// [`Job::logs`].
pub(crate) fn logs_by_id(
    host: &Host,
    dir: &str,
    depth: usize,
    scan: &mut QueueScan,
) -> HashMap<String, Vec<Entry>> {
    let mut out: HashMap<String, Vec<Entry>> = HashMap::new();
    for entry in walk_queue(host, dir, depth, |_| false, scan) {
        if entry.is_file() {
            out.entry(entry.file_name()).or_default().push(entry);
        }
    }
    out
}

/// True for 127.0.0.0/8 and ::1 (an address as an MTA records it, maybe with a port).
pub(crate) fn is_loopback(address: &str) -> bool {
    let a = address.trim().trim_start_matches('[');
    a.starts_with("127.") || a.starts_with("::1") || a.starts_with("::ffff:127.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_addresses() {
        assert!(is_loopback("127.0.0.1.45022"));
        assert!(is_loopback("::1.25"));
        assert!(!is_loopback("203.0.113.9"));
    }
}
