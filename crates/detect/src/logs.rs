//! The `logs` check: the server's auth, web, mail, system and antivirus logs at the
//! standard places of Debian/Ubuntu, RHEL-family and cPanel hosts, with their
//! rotations (gzipped too) and the systemd journal, run through the log rules of
//! `breachkit-logs` (brute force then login, webshell requests, accounts made root,
//! crontabs replaced, spam runs, antivirus detections). `breachkit logs` gives the
//! same with `--log PATH` for other places, a timeline and trigger-word search.

use crate::Context;
use breachkit_logs::{Options, Thresholds, analyse, facts, standard};

pub struct Logs;

impl crate::Check for Logs {
    fn name(&self) -> &'static str {
        "logs"
    }

    fn about(&self) -> &'static str {
        "auth, web, mail, system and antivirus logs with their rotations and the journal: brute force then login, webshell requests, new root accounts, crontab replaced, spam runs, detections"
    }

    fn run(&self, ctx: &mut Context) {
        let host = ctx.host;
        let mut warnings = Vec::new();
        let families = standard(host, &mut warnings);
        let options = Options {
            thresholds: Thresholds::default(),
            facts: facts(host),
        };
        let analysis = analyse(host, &families, &options);
        ctx.warn_all(warnings);
        ctx.warn_all(analysis.warnings);
        for f in analysis.findings {
            ctx.report(f);
        }
    }
}
