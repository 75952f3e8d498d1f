//! `breachkit check`: run the step-1 checks, print the verdict and findings, record
//! the run in the case.

use crate::Exit;
use crate::config::{CaseLocation, CheckConfig, Config};
use crate::failures::{self, Failures};
use crate::print;
use anyhow::Context as _;
use breachkit_case::{Case, RunInfo, now_rfc3339};
use breachkit_detect::Selection;
use breachkit_finding::{Warning, escape_path};
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
    let mut case_warning = None;
    let mut case = match Case::open(config.case.dir()) {
        Ok(c) => Some(c),
        Err(e) => match &config.case {
            CaseLocation::Explicit(_) => return Err(e).context("cannot open the case (--case)"),
            CaseLocation::Default(_) => {
                case_warning = Some(Warning {
                    path: None,
                    message: format!(
                        "{e}; this run is not recorded (choose a writable --case DIR)"
                    ),
                });
                None
            }
        },
    };

    let started_at = now_rfc3339();
    let bar = print::progress(config, checks.len() as u64, "checking");
    let (mut report, failed) = breachkit_detect::run(&host, &checks, &|name| {
        bar.set_message(name.to_string());
        bar.inc(1);
    });
    bar.finish_and_clear();
    failures.extend(failed);
    report.warnings.extend(case_warning);
    // Before the run is recorded: the case keeps the verdict `incomplete` too.
    report.failed = failures.missing();

    let mut recorded = None;
    if let Some(case) = case.as_mut() {
        let info = RunInfo {
            command: config.command_line.clone(),
            root: escape_path(host.root()),
            hostname: hostname(&host),
            version: env!("CARGO_PKG_VERSION").to_string(),
            started_at,
            finished_at: now_rfc3339(),
        };
        match case.record_run(&info, &report) {
            Ok(id) => recorded = Some((escape_path(case.db_path()), id)),
            Err(e) => report.warnings.push(Warning {
                path: None,
                message: format!("{e}; this run is not recorded"),
            }),
        }
    }

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

/// The investigated host's name: the kernel's on a live host, `/etc/hostname` in an image.
fn hostname(host: &Host) -> String {
    if host.is_live() {
        return nix::unistd::gethostname()
            .map(|h| {
                breachkit_finding::escape_bytes(std::os::unix::ffi::OsStrExt::as_bytes(
                    h.as_os_str(),
                ))
            })
            .unwrap_or_default();
    }
    host.read("/etc/hostname", 256)
        .map(|c| breachkit_finding::escape_bytes(c.bytes.trim_ascii()))
        .unwrap_or_default()
}
