//! The commands: each takes the [`Config`] and returns an exit code; those that
//! read the host run each source of their results through [`Failures::source`].

mod case_show;
mod check;
mod gather;
mod logs;
mod mail;
mod quarantine;
mod record;
mod report;
mod scan;

use crate::Exit;
use crate::config::{Command, Config};
use crate::failures::Failures;

/// Runs the command; what fails internally in it goes to `failures`.
pub fn run(config: &Config, failures: &mut Failures) -> anyhow::Result<Exit> {
    match &config.command {
        Command::Check(c) => check::run(config, c, failures),
        Command::Mail(m) => mail::run(config, m, failures),
        Command::Scan(s) => scan::run(config, s, failures),
        Command::Logs(l) => logs::run(config, l, failures),
        Command::Quarantine(q) => quarantine::run(config, q),
        Command::Gather(g) => gather::run(config, g, failures),
        Command::Report(r) => report::run(config, r),
        Command::CaseShow => case_show::run(config),
    }
}
