//! The commands: each takes the [`Config`] and returns an exit code.

mod case_show;
mod check;

use crate::Exit;
use crate::config::{Command, Config};

pub fn run(config: &Config) -> anyhow::Result<Exit> {
    match &config.command {
        Command::Check(c) => check::run(config, c),
        Command::CaseShow => case_show::run(config),
    }
}
