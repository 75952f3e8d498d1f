//! On a live host, Postfix's own view of its queue (`postqueue -j`) compared with
//! the queue files read directly. `postqueue` is never the source of what is
//! reported: it is only checked against the files, so a tampered one that hides the
//! spam shows up as a finding. Messages that moved or left the queue meanwhile are
//! not counted (only a file still in place and missing from the listing is).
//! `postqueue` runs while the files are read ([`start`], then [`compare`]).

use crate::model::{Message, Mta, Queue};
use crate::rules;
use breachkit_finding::{Finding, Warning};
use breachkit_host::Host;
use std::collections::HashSet;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const POSTQUEUE: &[&str] = &["/usr/sbin/postqueue", "/usr/bin/postqueue"];
const TIMEOUT: Duration = Duration::from_secs(30);
/// The most of postqueue's output read (a 100,000-message queue is about 50 MB).
const MAX_OUTPUT: u64 = 512 << 20;

/// `postqueue -j` running on the live host.
pub(crate) struct Listing {
    bin: &'static str,
    output: std::thread::JoinHandle<Option<String>>,
}

/// One line of `postqueue -j` (the fields compared; the rest is skipped unparsed).
#[derive(serde::Deserialize)]
struct Listed {
    queue_id: String,
    #[serde(default)]
    arrival_time: i64,
}

/// Starts `postqueue -j` on a live host where it is installed.
pub(crate) fn start(host: &Host) -> Option<Listing> {
    if !host.is_live() {
        return None;
    }
    let bin: &'static str = POSTQUEUE
        .iter()
        .find(|p| std::path::Path::new(p).is_file())?;
    Some(Listing {
        bin,
        output: std::thread::spawn(move || run(bin)),
    })
}

/// Compares the default instance's queue (the first Postfix location read) with
/// the listing. Nothing happens when postqueue failed (Postfix down).
pub(crate) fn compare(
    listing: Option<Listing>,
    host: &Host,
    locations: &[(Mta, String)],
    messages: &[Message],
    started: i64,
) -> (Vec<Finding>, Vec<Warning>) {
    let none = (Vec::new(), Vec::new());
    let Some(Listing { bin, output }) = listing else {
        return none;
    };
    let Some(listed) = output.join().ok().flatten() else {
        return none;
    };
    let Some((_, spool)) = locations.iter().find(|(m, _)| *m == Mta::Postfix) else {
        return none;
    };
    let mut ids: HashSet<String> = HashSet::new();
    let mut unknown: Vec<String> = Vec::new();
    let native: HashSet<&str> = messages
        .iter()
        .filter(|m| &m.spool == spool)
        .map(|m| m.id.as_str())
        .collect();
    for line in listed.lines() {
        let Ok(m) = serde_json::from_str::<Listed>(line) else {
            continue;
        };
        if !native.contains(m.queue_id.as_str()) && m.arrival_time < started - 5 {
            unknown.push(m.queue_id.clone());
        }
        ids.insert(m.queue_id);
    }
    let hidden: Vec<&Message> = messages
        .iter()
        .filter(|m| &m.spool == spool)
        .filter(|m| !matches!(m.queue, Queue::Maildrop | Queue::Corrupt))
        // Queued just before or after postqueue started: it may not list it yet.
        .filter(|m| m.arrival.is_some_and(|t| t < started - 2))
        .filter(|m| !ids.contains(&m.id))
        .filter(|m| host.lstat(&m.path).is_ok())
        .collect();
    let mut findings = Vec::new();
    if !hidden.is_empty() {
        findings.push(
            rules::QUEUE_HIDDEN
                .finding()
                .path(bin.to_string())
                .evidence(format!(
                    "{} of {} queued messages in {spool} are missing from `{bin} -j`; e.g. {}",
                    hidden.len(),
                    native.len(),
                    hidden
                        .iter()
                        .take(3)
                        .map(|m| m.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
        );
    }
    let mut warnings = Vec::new();
    // Listed, then delivered before the files were read: not a discrepancy.
    if !unknown.is_empty() {
        let now = crate::postfix::queue_ids(host, spool);
        unknown.retain(|id| now.contains(id));
    }
    if !unknown.is_empty() {
        let unknown = unknown.len();
        warnings.push(Warning::new(
            spool.clone(),
            format!("`{bin} -j` lists {unknown} messages that were not found in the queue directories read"),
        ));
    }
    (findings, warnings)
}

/// Runs `postqueue -j` with a time limit; its output, or `None` if it failed.
fn run(bin: &str) -> Option<String> {
    let mut child = Command::new(bin)
        .arg("-j")
        .env_remove("MAIL_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdout = child.stdout.take()?;
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        let _ = (&mut stdout).take(MAX_OUTPUT).read_to_string(&mut out);
        out
    });
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let out = reader.join().ok()?;
    status.filter(|s| s.success()).map(|_| out)
}
