//! breachkit: incident response for a hacked Linux web server, in one static binary.
//!
//! This binary is a thin shell: clap parses the command line into a plain
//! [`config::Config`], a command module calls into the library crates, and the
//! `print` layer writes the result. Exit codes follow clamscan: 0 nothing at or
//! above the threshold, 1 findings, 2 error.

mod cli;
mod commands;
mod config;
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
    let config = cli::parse();
    let exit = match commands::run(&config) {
        Ok(exit) => exit,
        Err(err) => {
            print::error(&err);
            Exit::Error
        }
    };
    ExitCode::from(exit as u8)
}
