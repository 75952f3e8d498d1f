//! Mail on a hacked web server: the queues of Postfix and Exim read natively (never
//! through `postqueue` or `exim -bp`, which on an image are the image's binaries and
//! on a hacked host may lie), PHP's `mail.log`, and the host's mailboxes; summed up
//! by sender, uid, script, subject and recipient domain, and turned into findings:
//! queue pile-ups, the account and the script that send, forged headers, a
//! blacklisted host, bounces flooding a mailbox.
//!
//! Nothing is changed: queue files are only read (purging the queue is a later,
//! undoable action). Every string taken from a message or a file is lossless-escaped.
//!
//! Formats: Postfix's queue file records (`rec_type.h`, `record.c`) and its
//! `defer/` logs; Exim's `-H` spool files ("Format of spool files" in the Exim
//! specification) and `msglog/`; PHP's `mail.log` lines.

mod collect;
mod crosscheck;
pub mod domains;
mod exim;
mod findings;
pub mod headers;
pub mod mailbox;
pub mod model;
mod pattern;
pub mod phplog;
mod postfix;
pub mod rules;
pub mod summary;

pub use collect::{QueueScan, read_queues};
pub use model::{HeaderInfo, Hop, Message, Mta, Origin, PhpScript, Queue};
pub use summary::Summary;

use breachkit_finding::{Finding, Warning};
use breachkit_host::Host;
use serde::Serialize;

/// How to judge what is found.
pub struct Options<'a> {
    /// True for a path where no site's code belongs (upload, temp, hidden
    /// directories): a mail-sending script there is worse.
    pub suspicious_place: &'a (dyn Fn(&str) -> bool + Sync),
}

/// Everything `breachkit mail` shows.
#[derive(Debug, Serialize)]
pub struct MailReport {
    pub summary: Summary,
    /// Queue directories read, what vanished or was being written meanwhile.
    pub queues: QueueScan,
    pub mailboxes: Vec<mailbox::Mailbox>,
    /// Scripts named in PHP's mail log.
    pub php_mail_log: Vec<phplog::ScriptCalls>,
    /// The host's own domains, as learned from its configuration.
    pub own_domains: Vec<String>,
    pub findings: Vec<Finding>,
    pub warnings: Vec<Warning>,
}

/// Reads the host's mail and judges it.
pub fn inspect(host: &Host, options: &Options) -> MailReport {
    let started = jiff::Timestamp::now().as_second();
    let mut warnings = Vec::new();
    let mut own = domains::OwnDomains::default();
    own.load_system(host, &mut warnings);
    let listing = crosscheck::start(host);
    let mut queues = read_queues(host, &mut own);
    warnings.append(&mut queues.warnings);
    let summary = Summary::of(&queues.messages);
    let web_roots = host.web_roots(&mut warnings);
    let logs = phplog::configured_logs(host, &web_roots, &mut warnings);
    let php_mail_log = phplog::read(host, &logs, &mut warnings);
    let mailboxes = mailbox::scan(host, &mut warnings);
    let mut findings = findings::all(
        findings::Inputs {
            host,
            messages: &queues.messages,
            own: &own,
            web_roots: &web_roots,
            php_log: php_mail_log.clone(),
            mailboxes: &mailboxes,
            suspicious_place: options.suspicious_place,
        },
        &mut warnings,
    );
    let (hidden, mismatch) =
        crosscheck::compare(listing, host, &queues.locations, &queues.messages, started);
    findings.extend(hidden);
    warnings.extend(mismatch);
    MailReport {
        summary,
        queues,
        mailboxes,
        php_mail_log,
        own_domains: own.names.iter().cloned().collect(),
        findings,
        warnings,
    }
}
