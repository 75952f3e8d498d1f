//! The commands: each takes the [`Config`] and returns an exit code.

mod case_show;
mod check;
mod logs;
mod mail;
mod quarantine;
mod scan;

use crate::Exit;
use crate::config::{Command, Config};

pub fn run(config: &Config) -> anyhow::Result<Exit> {
    match &config.command {
        Command::Check(c) => check::run(config, c),
        Command::Mail(m) => mail::run(config, m),
        Command::Scan(s) => scan::run(config, s),
        Command::Logs(l) => logs::run(config, l),
        Command::Quarantine(q) => quarantine::run(config, q),
        Command::CaseShow => case_show::run(config),
    }
}
