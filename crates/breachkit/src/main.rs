//! breachkit: incident response for a hacked Linux web server, in one static binary.
//!
//! This binary is a thin shell: clap parses the command line into a plain
//! [`config::Config`], a command module calls into the library crates, and the
//! `print` layer writes the result. Exit codes follow clamscan: 0 nothing at or
//! above the threshold, 1 findings, 2 error.

mod cli;
mod commands;
mod config;
mod failures;
mod print;

use std::process::ExitCode;

/// The exit codes of the output contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Nothing at or above the threshold.
    Clean = 0,
    /// Findings at or above the threshold.
    Findings = 1,
    /// An error stopped the command.
    Error = 2,
}

fn main() -> ExitCode {
    breachkit_detect::contain::install_hook();
    let config = cli::parse();
    let what = format!("`breachkit {}`", config.command_line);
    let exit = failures::run(&what, |failures| commands::run(&config, failures));
    ExitCode::from(exit as u8)
}
