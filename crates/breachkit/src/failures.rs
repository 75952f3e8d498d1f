//! Panics contained, in every command. A panic is a bug met on some host data; it
//! must cost the part of the command that met it, not the rest. `main` runs each
//! command through [`run`], and a command runs each source of its results (the
//! logs, the scan, …) through [`Failures::source`]; the checks and the scripts
//! `mail` scans are contained the same way inside `breachkit_detect`, with the same
//! helper ([`breachkit_detect::contain`]).
//!
//! What failed is missing from the results (a warning in the report says so, and
//! the verdict is `incomplete`, naming it), the rest is printed, then one error per
//! failure naming what failed (with the file when the work was one file, or the
//! command line). A panic some engine contained itself (the scanner, per file)
//! counts the same, its warning naming the file.
//!
//! The exit code of every command comes from one rule, [`exit`]: 1 when findings
//! are at or above the threshold, else 2 when anything failed, else 0 (findings
//! give 1 even when part of the run failed, as clamscan does; an error that stops
//! the command gives 2).

use crate::Exit;
use crate::print;
use breachkit_detect::contain::{self, Failure, contain};
use breachkit_finding::{Report, Severity, Warning};

/// What failed internally while a command ran.
#[derive(Debug, Default)]
pub struct Failures {
    failed: Vec<Failure>,
    /// The process's panic count when the command started.
    panics_at_start: usize,
}

/// What the verdict names when the only failures were contained by an engine.
const CONTAINED_ELSEWHERE: &str = "part of the work (the warnings say which)";

impl Failures {
    /// Runs one source of the command's results, contained. When it fails, the
    /// failure is kept for the end and its warning, for the report the source is
    /// missing from, comes back instead of the results.
    pub fn source<T>(
        &mut self,
        what: impl Into<String>,
        work: impl FnOnce() -> T,
    ) -> Result<T, Warning> {
        contain(what, work).map_err(|failure| {
            let warning = failure.warning();
            self.failed.push(failure);
            warning
        })
    }

    /// Failures contained by the library (the checks, the scripts `mail` scans).
    pub fn extend(&mut self, failures: impl IntoIterator<Item = Failure>) {
        self.failed.extend(failures);
    }

    /// What failed so far, for the report and its verdict: each failure, or one
    /// line when only an engine contained a panic itself (its warning names it).
    pub fn missing(&self) -> Vec<String> {
        if self.failed.is_empty() && self.contained_elsewhere() {
            return vec![CONTAINED_ELSEWHERE.to_string()];
        }
        self.failed.iter().map(|f| f.what.clone()).collect()
    }

    /// Whether anything failed so far.
    pub fn any(&self) -> bool {
        !self.failed.is_empty() || self.contained_elsewhere()
    }

    /// Whether a panic happened since the command started (an engine may have
    /// contained it without telling).
    fn contained_elsewhere(&self) -> bool {
        contain::panics() > self.panics_at_start
    }
}

/// The exit code of a command's results, the one rule all commands follow: 1 when
/// findings are at or above the threshold, else 2 when part of the run failed
/// (`incomplete`), else 0. An error that stopped the command is 2 before this.
pub fn exit(findings: bool, incomplete: bool) -> Exit {
    match (findings, incomplete) {
        (true, _) => Exit::Findings,
        (false, true) => Exit::Error,
        (false, false) => Exit::Clean,
    }
}

/// The exit code of a command's report (see [`exit`]): its findings at or above
/// `threshold`, and whether it is incomplete.
pub fn exit_of(report: &Report, threshold: Severity) -> Exit {
    exit(report.any_at_or_above(threshold), !report.failed.is_empty())
}

/// Runs `command` (called `what` in an error) contained, prints an error for each
/// failure, and gives the exit code: the command's own through [`exit`] (2 when
/// anything failed, unless findings gave 1), or 2 when it stopped on an error.
pub fn run(what: &str, command: impl FnOnce(&mut Failures) -> anyhow::Result<Exit>) -> Exit {
    let mut failures = Failures {
        failed: Vec::new(),
        panics_at_start: contain::panics(),
    };
    let exit = match contain(what, || command(&mut failures)) {
        Ok(Ok(exit)) => exit,
        Ok(Err(err)) => {
            print::error(&err);
            Exit::Error
        }
        Err(failure) => {
            failures.failed.push(failure);
            Exit::Error
        }
    };
    for failure in &failures.failed {
        print::error_line(&failure.to_string());
    }
    if failures.failed.is_empty() && failures.contained_elsewhere() {
        print::error_line(
            "an internal error (a bug in breachkit) was contained; the warnings say what is missing",
        );
    }
    match exit {
        Exit::Error => Exit::Error,
        own => self::exit(own == Exit::Findings, failures.any()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source with the bug of issue 18: a mailbox's `From ` line sliced at 5.
    fn sender(from_line: &str) -> String {
        from_line.trim_end()[5..].to_string()
    }

    // One test: the panic count is global to the process, so these run in order.
    #[test]
    fn commands_exit_2_on_any_panic_and_keep_their_own_code_otherwise() {
        contain::install_hook();
        a_failed_source_costs_only_its_results();
        // Still printing what it could read, and its own code, when nothing failed.
        let mut printed = Vec::new();
        let clean = run("breachkit mail", |failures| {
            for line in ["From alice@example.com", "From bob@example.com"] {
                printed.extend(failures.source(format!("reading {line}"), || sender(line)));
            }
            Ok(Exit::Findings)
        });
        assert_eq!(clean, Exit::Findings);
        assert_eq!(printed.len(), 2);

        // A failed source: the others are still read, then exit code 2, unless
        // findings already give 1.
        for (own, expected) in [(Exit::Clean, Exit::Error), (Exit::Findings, Exit::Findings)] {
            let mut printed = Vec::new();
            let mut missing = Vec::new();
            let exit = run("breachkit mail", |failures| {
                for line in ["From alice@example.com", "From ", "From bob@example.com"] {
                    printed.push(
                        failures
                            .source(format!("reading {line}"), || sender(line))
                            .unwrap_or_else(|w| w.message),
                    );
                }
                missing = failures.missing();
                Ok(own)
            });
            assert_eq!(exit, expected);
            assert_eq!(printed[0], "alice@example.com");
            assert!(printed[1].contains("failed internally"), "{printed:?}");
            assert_eq!(printed[2], "bob@example.com");
            assert_eq!(missing, vec!["reading From ".to_string()]);
        }

        // An error that stops the command is 2 whatever was found.
        let exit = run("breachkit check", |_| anyhow::bail!("cannot open the case"));
        assert_eq!(exit, Exit::Error);

        // A panic outside every source: the command as a whole.
        let exit = run("breachkit logs check", |_| {
            let _ = sender("From");
            Ok(Exit::Clean)
        });
        assert_eq!(exit, Exit::Error);

        // A panic some engine caught itself (the scanner does, per file): the
        // report says so, and the exit code too.
        let mut missing = Vec::new();
        let exit = run("breachkit scan /srv", |failures| {
            assert!(failures.missing().is_empty());
            let _ = std::panic::catch_unwind(|| sender("From"));
            missing = failures.missing();
            Ok(Exit::Clean)
        });
        assert_eq!(exit, Exit::Error);
        assert_eq!(missing, vec![CONTAINED_ELSEWHERE.to_string()]);

        // Failures the library handed over.
        let exit = run("breachkit check", |failures| {
            failures.extend(contain("check mail", || sender("From")).err());
            Ok(Exit::Clean)
        });
        assert_eq!(exit, Exit::Error);
    }

    #[test]
    fn the_exit_rule() {
        assert_eq!(exit(false, false), Exit::Clean);
        assert_eq!(exit(true, false), Exit::Findings);
        assert_eq!(exit(true, true), Exit::Findings);
        assert_eq!(exit(false, true), Exit::Error);
    }

    fn a_failed_source_costs_only_its_results() {
        let mut failures = Failures::default();
        let good = failures.source("reading /var/mail/a", || sender("From alice@example.com"));
        let bad = failures.source("reading /var/mail/b", || sender("From "));
        assert_eq!(good.as_deref(), Ok("alice@example.com"));
        let warning = bad.unwrap_err();
        assert!(
            warning
                .message
                .starts_with("reading /var/mail/b failed internally"),
            "{warning:?}"
        );
        assert_eq!(failures.failed.len(), 1);
        assert_eq!(failures.failed[0].what, "reading /var/mail/b");
    }
}
