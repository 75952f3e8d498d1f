//! `breachkit check`: run the step-1 checks, print the verdict and findings, record
//! the run in the case.

use crate::Exit;
use crate::commands::record::{Outcome, Recorder, Unwritable};
use crate::config::{CheckConfig, Config};
use crate::failures::{self, Failures};
use crate::print;
use anyhow::Context as _;
use breachkit_detect::Selection;
use breachkit_finding::escape_path;
use breachkit_host::Host;

pub fn run(config: &Config, check: &CheckConfig, failures: &mut Failures) -> anyhow::Result<Exit> {
    let selection = Selection {
        only: check.only.clone(),
        skip: check.skip.clone(),
    };
    let checks = selection.resolve()?;
    if check.list {
        print::check_list(config.format, breachkit_detect::all_checks())?;
        return Ok(Exit::Clean);
    }
    let host = match &check.root {
        Some(root) => Host::image(root).with_context(|| "cannot check this image (--root)")?,
        None => Host::live(),
    };
    // Open the case first: an explicit case that cannot be written stops the run
    // before any work, a default one only warns.
    let recorder = Recorder::open(config, &host, Unwritable::Stop)?;
    let bar = print::progress(config, checks.len() as u64, "checking");
    let (mut report, failed) = breachkit_detect::run(&host, &checks, &|name| {
        bar.set_message(name.to_string());
        bar.inc(1);
    });
    bar.finish_and_clear();
    failures.extend(failed);
    // Before the run is recorded: the case keeps the verdict `incomplete` too.
    report.failed = failures.missing();

    let ran = report.checks.iter().filter(|c| c.skipped.is_none()).count();
    let recorded = recorder.record(
        config,
        &mut report,
        Outcome::verdict([("checks", ran as u64)]),
    );

    let header = print::Header {
        title: "breachkit check".to_string(),
        root: escape_path(host.root()),
        live: host.is_live(),
        case: recorded,
        incomplete: Vec::new(),
    };
    print::report(config, &header, &report, check.min_severity)?;
    Ok(failures::exit_of(&report, check.min_severity))
}
