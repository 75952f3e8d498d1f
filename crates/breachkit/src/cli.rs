//! The command line (clap), turned into a plain [`Config`] so no other code sees clap.

use crate::config::{CaseLocation, CheckConfig, Command, Config, Format};
use breachkit_finding::Severity;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Default directory of cases; a case is a sub-directory.
pub const DEFAULT_CASES_DIR: &str = "/var/lib/breachkit/cases";

#[derive(Parser)]
#[command(
    name = "breachkit",
    version,
    about = "Incident response for a hacked Linux web server: detect, quarantine, gather, clean up, restore, prevent",
    after_help = "Exit codes: 0 nothing at or above the threshold, 1 findings, 2 error.\nColour only on a terminal, never with NO_COLOR set."
)]
struct Cli {
    /// Case directory: every run and its findings are recorded there
    /// [default: /var/lib/breachkit/cases/default]
    #[arg(long, global = true, value_name = "DIR")]
    case: Option<PathBuf>,
    /// Output format
    #[arg(long, global = true, value_enum, default_value_t = FormatArg::Human)]
    format: FormatArg,
    /// No progress bar and no warnings on stderr (the exit code still tells)
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: CommandArg,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Human,
    Json,
    Jsonl,
}

#[derive(Subcommand)]
enum CommandArg {
    /// Step 1: is this host hacked, and where? Runs every check and gives a verdict
    Check(CheckArgs),
    /// Work with the case: what was found and done
    #[command(subcommand)]
    Case(CaseArg),
}

#[derive(Args)]
struct CheckArgs {
    /// Check an offline copy laid out like / (a mounted image, an extracted backup)
    /// instead of the running system; findings show host paths
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Run only these checks (comma-separated; see --list)
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    only: Vec<String>,
    /// Skip these checks (comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    skip: Vec<String>,
    /// Exit with 1 only for findings at or above this severity; lower ones are still shown
    #[arg(long, value_name = "SEV", default_value = "medium", value_parser = parse_severity)]
    min_severity: Severity,
    /// List the checks and exit
    #[arg(long)]
    list: bool,
}

#[derive(Subcommand)]
enum CaseArg {
    /// Print the last run recorded in the case
    Show,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
        .map_err(|e: breachkit_finding::ParseSeverityError| e.to_string())
}

pub fn parse() -> Config {
    let cli = Cli::parse();
    let case = match cli.case {
        Some(dir) => CaseLocation::Explicit(dir),
        None => CaseLocation::Default(PathBuf::from(DEFAULT_CASES_DIR).join("default")),
    };
    let format = match cli.format {
        FormatArg::Human => Format::Human,
        FormatArg::Json => Format::Json,
        FormatArg::Jsonl => Format::Jsonl,
    };
    let command = match cli.command {
        CommandArg::Check(a) => Command::Check(CheckConfig {
            root: a.root,
            only: a.only,
            skip: a.skip,
            min_severity: a.min_severity,
            list: a.list,
        }),
        CommandArg::Case(CaseArg::Show) => Command::CaseShow,
    };
    let command_line = std::env::args_os()
        .skip(1)
        .map(|a| {
            breachkit_finding::escape_bytes(std::os::unix::ffi::OsStrExt::as_bytes(a.as_os_str()))
        })
        .collect::<Vec<_>>()
        .join(" ");
    Config {
        case,
        format,
        quiet: cli.quiet,
        command,
        command_line,
    }
}
