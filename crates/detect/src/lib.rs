//! Step 1, "be aware and be certain": the checks that read the host and turn what
//! they see into findings. Each check is a module with one job (`processes`,
//! `history`, `persistence`, `accounts`, `php`); [`run`] runs the selected ones on a
//! [`Host`] and gathers a [`Report`].

mod accounts;
pub mod contain;
mod context;
pub mod files;
mod history;
mod logs;
pub mod mail;
pub mod packages;
pub mod paths;
mod persistence;
mod php;
pub mod processes;

pub use contain::{Failure, contain};
pub use context::Context;

use breachkit_finding::{CheckStatus, Report};
use breachkit_host::Host;
use std::time::Instant;

/// One check of `breachkit check`.
pub trait Check: Sync {
    /// The name used by `--only` and `--skip`.
    fn name(&self) -> &'static str;
    /// One line for `--help` and `check --list`.
    fn about(&self) -> &'static str;
    /// True when the check needs a running system (it is skipped on an image).
    fn needs_live(&self) -> bool {
        false
    }
    fn run(&self, ctx: &mut Context);
}

/// Every check, in the order they run and are listed.
pub fn all_checks() -> &'static [&'static dyn Check] {
    &[
        &processes::Processes,
        &history::History,
        &persistence::Persistence,
        &accounts::Accounts,
        &php::Php,
        &files::Files,
        &logs::Logs,
        &mail::Mail,
        &packages::Packages,
    ]
}

/// Which checks to run: `--only` and `--skip`, by name.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub only: Vec<String>,
    pub skip: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("unknown check {name:?}; the checks are: {known}")]
pub struct UnknownCheck {
    pub name: String,
    pub known: String,
}

impl Selection {
    /// The selected checks, or an error naming an unknown one.
    pub fn resolve(&self) -> Result<Vec<&'static dyn Check>, UnknownCheck> {
        let all = all_checks();
        for name in self.only.iter().chain(&self.skip) {
            if !all.iter().any(|c| c.name() == name) {
                let known = all.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ");
                return Err(UnknownCheck {
                    name: name.clone(),
                    known,
                });
            }
        }
        Ok(all
            .iter()
            .copied()
            .filter(|c| self.only.is_empty() || self.only.iter().any(|n| n == c.name()))
            .filter(|c| !self.skip.iter().any(|n| n == c.name()))
            .collect())
    }
}

/// Runs `checks` on `host`, in parallel, and gathers their findings in a sorted
/// report. `progress` is told the name of each check as it finishes. A check that
/// fails internally (a panic: a bug met on host data) is missing from the report,
/// with a warning saying so, and comes back as a [`Failure`]; the others report.
pub fn run(
    host: &Host,
    checks: &[&'static dyn Check],
    progress: &(dyn Fn(&str) + Sync),
) -> (Report, Vec<Failure>) {
    let outcomes: Vec<Outcome> = std::thread::scope(|scope| {
        let threads: Vec<_> = checks
            .iter()
            .map(|check| {
                std::thread::Builder::new()
                    .spawn_scoped(scope, move || run_one(host, *check, progress))
                    .ok()
            })
            .collect();
        threads
            .into_iter()
            .zip(checks)
            .map(|(thread, check)| match thread {
                // Only code around the contained check can panic here (the progress callback).
                Some(thread) => thread.join().unwrap_or_else(|payload| {
                    failed(host, *check, Failure::of_panic(what(*check), &*payload), 0)
                }),
                // No thread to be had (a host at its process limit: a fork bomb, a
                // miner): the check runs here.
                None => run_one(host, *check, progress),
            })
            .collect()
    });
    let mut report = Report::default();
    let mut failures = Vec::new();
    for (status, ctx, failure) in outcomes {
        report.checks.push(status);
        let (findings, warnings) = ctx.into_parts();
        report.findings.extend(findings);
        report.warnings.extend(warnings);
        failures.extend(failure);
    }
    report.sort();
    (report, failures)
}

/// What one check gave.
type Outcome<'h> = (CheckStatus, Context<'h>, Option<Failure>);

/// One check, contained: a panic costs its results, not the run.
fn run_one<'h>(
    host: &'h Host,
    check: &'static dyn Check,
    progress: &(dyn Fn(&str) + Sync),
) -> Outcome<'h> {
    let started = Instant::now();
    let mut ctx = Context::new(host);
    let skipped = (check.needs_live() && !host.is_live())
        .then(|| "needs a running system; this is an offline image".to_string());
    let ran = match skipped {
        Some(_) => Ok(()),
        None => contain(what(check), || check.run(&mut ctx)),
    };
    progress(check.name());
    let millis = started.elapsed().as_millis() as u64;
    match ran {
        Ok(()) => (status(check, skipped, millis), ctx, None),
        Err(failure) => failed(host, check, failure, millis),
    }
}

/// A check that failed: no results but the warning that says so.
fn failed<'h>(host: &'h Host, check: &dyn Check, failure: Failure, millis: u64) -> Outcome<'h> {
    let mut ctx = Context::new(host);
    ctx.warn_all([failure.warning()]);
    let status = status(check, Some("failed internally".to_string()), millis);
    (status, ctx, Some(failure))
}

fn status(check: &dyn Check, skipped: Option<String>, millis: u64) -> CheckStatus {
    CheckStatus {
        name: check.name().to_string(),
        skipped,
        millis,
    }
}

/// What a check is called when it fails.
fn what(check: &dyn Check) -> String {
    format!("check {}", check.name())
}
