//! Every command that reads the host records its run in the case, through this one
//! place: [`Recorder::open`] before the work (the case opened, the start time
//! taken), [`Recorder::record`] after it, before anything is printed (so the output
//! can name the run). The case is a journal of the work, not the work: when it
//! cannot be opened or written (read-only media, a directory that cannot be
//! created) the command still does its job and its report carries a warning that
//! the run was not recorded. Only `check` with an explicit `--case` stops instead
//! ([`Unwritable::Stop`]): its run is what later steps read from the case.

use crate::config::{CaseLocation, Config};
use anyhow::Context as _;
use breachkit_case::{Case, RunInfo, now_rfc3339};
use breachkit_finding::{Report, Warning, escape_path};
use breachkit_host::Host;
use std::collections::BTreeMap;

/// What to do when the case cannot be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unwritable {
    /// An explicit `--case` that cannot be opened is an error before any work; the
    /// default case only warns.
    Stop,
    /// Warn and go on, whichever case it is.
    Warn,
}

/// A run being recorded: the case (when it opened) and what the record needs.
pub struct Recorder {
    case: Option<Case>,
    /// Why the case did not open, for the report.
    warning: Option<Warning>,
    started_at: String,
    root: String,
    hostname: String,
}

/// What a run produced besides its report.
pub struct Outcome {
    /// What the run counted (`files`, `lines`, `messages`, `matches`…); the number
    /// of findings is added.
    pub counts: BTreeMap<String, u64>,
    /// Whether the run gives a verdict (`logs grep` does not).
    pub judges: bool,
}

impl Outcome {
    /// A run that gives a verdict, with its counts.
    pub fn verdict<const N: usize>(counts: [(&str, u64); N]) -> Outcome {
        Outcome {
            counts: counts.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            judges: true,
        }
    }

    /// A run that judges nothing (`logs grep`), with its counts.
    pub fn no_verdict<const N: usize>(counts: [(&str, u64); N]) -> Outcome {
        Outcome {
            judges: false,
            ..Outcome::verdict(counts)
        }
    }
}

impl Recorder {
    /// Opens the case of `config` for a run on `host`, and takes the start time.
    pub fn open(config: &Config, host: &Host, policy: Unwritable) -> anyhow::Result<Recorder> {
        let mut warning = None;
        let case = match Case::open(config.case.dir()) {
            Ok(case) => Some(case),
            Err(e) => match (&config.case, policy) {
                (CaseLocation::Explicit(_), Unwritable::Stop) => {
                    return Err(e).context("cannot open the case (--case)");
                }
                (CaseLocation::Default(_), _) => {
                    warning = Some(not_recorded(e, " (choose a writable --case DIR)"));
                    None
                }
                (CaseLocation::Explicit(_), Unwritable::Warn) => {
                    warning = Some(not_recorded(e, ""));
                    None
                }
            },
        };
        Ok(Recorder {
            case,
            warning,
            started_at: now_rfc3339(),
            root: escape_path(host.root()),
            hostname: host.hostname(),
        })
    }

    /// Records the run (`report`, with `outcome`'s counts) and gives the case
    /// database and run id for the output. A case that did not open, or a record
    /// that failed, leaves a warning in `report` instead.
    pub fn record(
        self,
        config: &Config,
        report: &mut Report,
        outcome: Outcome,
    ) -> Option<(String, i64)> {
        let Recorder {
            case,
            warning,
            started_at,
            root,
            hostname,
        } = self;
        report.warnings.extend(warning);
        let mut case = case?;
        let mut counts = outcome.counts;
        counts.insert("findings".to_string(), report.findings.len() as u64);
        let info = RunInfo {
            command: config.command_line.clone(),
            root,
            hostname,
            version: env!("CARGO_PKG_VERSION").to_string(),
            started_at,
            finished_at: now_rfc3339(),
            counts,
            judges: outcome.judges,
        };
        match case.record_run(&info, report) {
            Ok(id) => Some((escape_path(case.db_path()), id)),
            Err(e) => {
                report.warnings.push(not_recorded(e, ""));
                None
            }
        }
    }
}

fn not_recorded(e: impl std::fmt::Display, hint: &str) -> Warning {
    Warning {
        path: None,
        message: format!("{e}; this run is not recorded in the case{hint}"),
    }
}
