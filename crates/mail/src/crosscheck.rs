//! On a live host, Postfix's own view of its queue (`postqueue -j`) compared with
//! the queue files read directly. `postqueue` is never the source of what is
//! reported: it is only checked against the files, so a tampered one that hides the
//! spam shows up as a finding. Messages that moved or left the queue meanwhile are
//! not counted (only a file still in place and missing from the listing is).

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

/// Compares the default instance's queue (the first Postfix location read) with
/// `postqueue -j`. Nothing happens when postqueue is absent or fails (Postfix down).
pub(crate) fn postqueue(
    host: &Host,
    locations: &[(Mta, String)],
    messages: &[Message],
    started: i64,
) -> (Vec<Finding>, Vec<Warning>) {
    let none = (Vec::new(), Vec::new());
    if !host.is_live() {
        return none;
    }
    let Some((_, spool)) = locations.iter().find(|(m, _)| *m == Mta::Postfix) else {
        return none;
    };
    let Some(bin) = POSTQUEUE.iter().find(|p| std::path::Path::new(p).is_file()) else {
        return none;
    };
    let Some(listed) = run(bin) else {
        return none;
    };
    let mut ids: HashSet<String> = HashSet::new();
    let mut unknown = 0;
    let native: HashSet<&str> = messages
        .iter()
        .filter(|m| &m.spool == spool)
        .map(|m| m.id.as_str())
        .collect();
    for line in listed.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let Some(id) = v.get("queue_id").and_then(|i| i.as_str()) else {
            continue;
        };
        let arrived = v.get("arrival_time").and_then(|t| t.as_i64()).unwrap_or(0);
        if !native.contains(id) && arrived < started - 5 {
            unknown += 1;
        }
        ids.insert(id.to_string());
    }
    let hidden: Vec<&Message> = messages
        .iter()
        .filter(|m| &m.spool == spool)
        .filter(|m| !matches!(m.queue, Queue::Maildrop | Queue::Corrupt))
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
    if unknown > 0 {
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
