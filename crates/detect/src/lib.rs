//! Step 1, "be aware and be certain": the checks that read the host and turn what
//! they see into findings. Each check is a module with one job (`processes`,
//! `history`, `persistence`, `accounts`, `php`); [`run`] runs the selected ones on a
//! [`Host`] and gathers a [`Report`].

mod accounts;
mod context;
pub mod files;
mod history;
mod logs;
pub mod mail;
pub mod paths;
mod persistence;
mod php;
mod processes;

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
/// report. `progress` is told the name of each check as it finishes.
pub fn run(host: &Host, checks: &[&'static dyn Check], progress: &(dyn Fn(&str) + Sync)) -> Report {
    let outcomes: Vec<(CheckStatus, Context)> = std::thread::scope(|scope| {
        let handles: Vec<_> = checks
            .iter()
            .map(|check| {
                scope.spawn(move || {
                    let started = Instant::now();
                    let mut ctx = Context::new(host);
                    let skipped = if check.needs_live() && !host.is_live() {
                        Some("needs a running system; this is an offline image".to_string())
                    } else {
                        check.run(&mut ctx);
                        None
                    };
                    progress(check.name());
                    let status = CheckStatus {
                        name: check.name().to_string(),
                        skipped,
                        millis: started.elapsed().as_millis() as u64,
                    };
                    (status, ctx)
                })
            })
            .collect();
        handles
            .into_iter()
            .zip(checks)
            .map(|(h, check)| {
                h.join().unwrap_or_else(|_| {
                    let mut ctx = Context::new(host);
                    ctx.warn_general(format!(
                        "check {} failed internally; its results are missing",
                        check.name()
                    ));
                    let status = CheckStatus {
                        name: check.name().to_string(),
                        skipped: Some("failed internally".to_string()),
                        millis: 0,
                    };
                    (status, ctx)
                })
            })
            .collect()
    });
    let mut report = Report::default();
    for (status, ctx) in outcomes {
        report.checks.push(status);
        let (findings, warnings) = ctx.into_parts();
        report.findings.extend(findings);
        report.warnings.extend(warnings);
    }
    report.sort();
    report
}
