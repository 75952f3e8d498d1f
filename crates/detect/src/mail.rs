//! `mail`: the Postfix and Exim queues read natively (breachkit-mail), PHP's mail
//! log and the host's mailboxes: spam storms, the account and script that send,
//! forged headers, a blacklisted host, bounces. Live and on images alike; on a live
//! host `postqueue -j` is compared with the queue files, never trusted alone.
//!
//! [`inspect`] is what `breachkit mail` shows (summary tables and findings); there a
//! script found sending mail is also run through the content scanner. In `check`,
//! the `files` check scans the web roots and temp folders already.

use crate::Context;
use crate::contain::{Failure, contain};
use crate::files::PLACES;
use crate::paths::{in_hidden_dir, in_uploads, is_temp};
use breachkit_finding::Warning;
use breachkit_host::Host;
use breachkit_mail::{MailReport, Options, QueueScan, Summary};

pub struct Mail;

impl crate::Check for Mail {
    fn name(&self) -> &'static str {
        "mail"
    }

    fn about(&self) -> &'static str {
        "Postfix and Exim queues read natively, PHP's mail.log, bounces in mailboxes: spam storms, the sending script, forged headers, blacklisting"
    }

    fn run(&self, ctx: &mut Context) {
        let report = breachkit_mail::inspect(ctx.host, &options());
        for f in report.findings {
            ctx.report(f);
        }
        ctx.warn_all(report.warnings);
    }
}

fn options() -> Options<'static> {
    Options {
        suspicious_place: &|p: &str| is_temp(p) || in_hidden_dir(p) || in_uploads(p),
    }
}

/// The mail report of `breachkit mail`: the check's findings, plus the content
/// scanner's verdict on each script found sending mail. What fails internally (the
/// mail reading as a whole, or the scan of one script) is missing from the report,
/// with a warning saying so, and comes back as a [`Failure`].
pub fn inspect(host: &Host) -> (MailReport, Vec<Failure>) {
    let mut report = match contain("reading the host's mail", || {
        breachkit_mail::inspect(host, &options())
    }) {
        Ok(report) => report,
        Err(failure) => return (nothing_read(&failure), vec![failure]),
    };
    let scripts: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.rule == breachkit_mail::rules::SENDING_SCRIPT.id)
        .filter_map(|f| f.path.clone())
        .collect();
    if scripts.is_empty() {
        return (report, Vec::new());
    }
    let engine = match breachkit_scan::Engine::new(breachkit_scan::Options::new(PLACES)) {
        Ok(e) => e,
        Err(e) => {
            report.warnings.push(Warning {
                path: None,
                message: format!("the sending scripts were not scanned: {e}"),
            });
            return (report, Vec::new());
        }
    };
    let mut scanner = engine.scanner();
    let mut failures = Vec::new();
    for path in scripts {
        let Ok(entry) = host.entry(&path) else {
            continue;
        };
        match contain(format!("scanning {path}"), || {
            scanner.scan_entry(host, &entry)
        }) {
            Ok(scanned) => {
                report.findings.extend(scanned.finding);
                report.warnings.extend(scanned.warnings);
            }
            Err(failure) => {
                // The scanner may be left mid-file: the next script gets a fresh one.
                scanner = engine.scanner();
                report.warnings.push(failure.warning());
                failures.push(failure);
            }
        }
    }
    (report, failures)
}

/// The report when the host's mail could not be read at all.
fn nothing_read(failure: &Failure) -> MailReport {
    MailReport {
        summary: Summary::default(),
        queues: QueueScan::default(),
        mailboxes: Vec::new(),
        php_mail_log: Vec::new(),
        own_domains: Vec::new(),
        findings: Vec::new(),
        warnings: vec![failure.warning()],
    }
}
