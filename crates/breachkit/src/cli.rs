//! The command line (clap), turned into a plain [`Config`] so no other code sees clap.

use crate::config::MailConfig;
use crate::config::ScanConfig;
use crate::config::{AwsTarget, IsolateConfig, QuarantineConfig};
use crate::config::{CaseLocation, CheckConfig, Command, Config, Format};
use crate::config::{GatherAv, GatherConfig, ReportConfig};
use crate::config::{LogsAction, LogsConfig};
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
    /// Case directory: every run of check, scan, mail and logs (command, root, times,
    /// verdict, counts, findings) and every quarantine action is recorded there; when
    /// it cannot be written the run goes on and warns that it is not recorded
    /// (except `check --case DIR`, which stops) [default: /var/lib/breachkit/cases/default]
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
    /// The mail queues (Postfix, Exim) read natively: who and which script sends, forged headers, bounces
    Mail(MailArgs),
    /// Scan files and directories for webshells, injected loaders, mailers, bots, miners and droppers
    Scan(ScanArgs),
    /// The logs, rotated and gzipped ones and the journal too: findings, a timeline, trigger-word search
    #[command(subcommand)]
    Logs(LogsArg),
    /// Step 2: evidence backup, maintenance page, host and AWS isolation
    #[command(subcommand)]
    Quarantine(QuarantineArg),
    /// Step 3: an evidence bundle with chain of custody (live state, login records, logs, configs, flagged files, a timeline)
    #[command(args_conflicts_with_subcommands = true)]
    Gather(GatherArgs),
    /// Step 3: the case report (one self-contained HTML file, or Markdown for tickets), and its indicators for third parties
    Report(ReportArgs),
    /// Work with the case: what was found and done
    #[command(subcommand)]
    Case(CaseArg),
}

#[derive(Args)]
struct ReportArgs {
    /// Where the report goes; a name ending in .md gives Markdown [default: CASE/report.html]
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Markdown (for tickets) instead of HTML
    #[arg(long)]
    markdown: bool,
    /// Also export the case's indicators (attacker addresses, URLs and domains, file
    /// hashes, drop-box mailboxes, bot tokens) with where and when each was seen
    #[arg(long, value_name = "FILE")]
    iocs: Option<PathBuf>,
    /// Format of --iocs: a STIX 2.1 bundle, CSV, or a MISP event
    #[arg(long, value_name = "FORMAT", default_value = "stix", value_parser = ["stix", "csv", "misp"])]
    iocs_format: String,
}

#[derive(Args)]
struct GatherArgs {
    #[command(subcommand)]
    action: Option<GatherArg>,
    /// Collect from an offline copy laid out like / instead of the running system
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Where the bundle goes: a new directory, or one archive when it ends in .tar.zst
    /// [default: CASE/evidence/bundle-TIME]
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// Who collects (goes into the acquisition log) [default: $SUDO_USER or $USER]
    #[arg(long, value_name = "NAME")]
    examiner: Option<String>,
    /// Why, or anything the record should say (goes into the acquisition log)
    #[arg(long, value_name = "TEXT")]
    note: Option<String>,
    /// The most copied of one host file, in MiB: a larger one keeps its first bytes,
    /// and the manifest says so
    #[arg(long, value_name = "MIB", default_value_t = 1024)]
    max_file: u64,
    /// What the antivirus job scans (repeatable) [default: the whole filesystem]
    #[arg(long = "scan", value_name = "PATH")]
    scan: Vec<PathBuf>,
    /// The ClamAV daemon to ask too: unix:/path or tcp:HOST:PORT [default: from
    /// clamd.conf; none when there is no clamd]
    #[arg(long, value_name = "ADDR", value_parser = parse_clamd)]
    clamd: Option<breachkit_gather::av::ClamdAddr>,
    /// Leave out the antivirus job
    #[arg(long, conflicts_with_all = ["scan", "clamd"])]
    no_av: bool,
}

fn parse_clamd(s: &str) -> Result<breachkit_gather::av::ClamdAddr, String> {
    s.parse()
}

#[derive(Subcommand)]
enum GatherArg {
    /// Re-hash a bundle (directory or .tar.zst) against its manifest and the case's record; exit 1 on any difference
    Verify {
        #[arg(value_name = "BUNDLE")]
        bundle: PathBuf,
    },
}

#[derive(Args)]
struct MailArgs {
    /// Read an offline copy laid out like / instead of the running system
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
}

#[derive(Subcommand)]
enum QuarantineArg {
    /// Back up files into the case: tar + zstd archive with a SHA-256 manifest (marked tainted)
    Backup {
        /// Files and directories to back up (symlinks are stored as links, never followed)
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Re-hash a backup archive against its manifest; exit 1 on any difference
    Verify {
        #[arg(value_name = "ARCHIVE")]
        archive: PathBuf,
    },
    /// Show a maintenance page (503 + Retry-After) on every nginx and apache2 site
    Maintenance(MaintenanceArgs),
    /// Cut the host off the network (nftables) and/or the AWS instance (security groups)
    Isolate(IsolateArgs),
    /// Keep host isolation: stop the roll-back timer started by `isolate --host`
    Confirm,
    /// Lift isolation: remove the firewall table and restore the AWS security groups
    Release {
        /// Apply (without it, only the plan is printed)
        #[arg(long)]
        yes: bool,
    },
    /// What is in force for the case
    Status,
    #[command(hide = true)]
    Watchdog {
        #[arg(long)]
        token: String,
        #[arg(long)]
        deadline: i64,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum OnOff {
    On,
    Off,
}

#[derive(Args)]
struct MaintenanceArgs {
    #[arg(value_enum)]
    state: OnOff,
    /// Addresses that still reach the real site (repeatable)
    #[arg(long, value_name = "CIDR", value_parser = parse_cidr)]
    allow: Vec<breachkit_quarantine::Cidr>,
    /// HTML page to show instead of the built-in one
    #[arg(long, value_name = "FILE")]
    page: Option<PathBuf>,
    /// nginx main configuration to use [default: /etc/nginx/nginx.conf when present]
    #[arg(long, value_name = "FILE")]
    nginx_conf: Option<PathBuf>,
    /// apache2 configuration directory to use (APACHE_CONFDIR) [default: /etc/apache2 when present]
    #[arg(long, value_name = "DIR")]
    apache_confdir: Option<PathBuf>,
    /// Show the page on this AWS Application Load Balancer listener (fixed 503) instead
    #[arg(long, value_name = "ARN")]
    alb_listener: Option<String>,
    /// AWS region of the listener [default: from the environment]
    #[arg(long, value_name = "R", requires = "alb_listener")]
    region: Option<String>,
    /// Send AWS API calls to this endpoint instead of AWS
    #[arg(long, value_name = "URL", requires = "alb_listener")]
    endpoint_url: Option<String>,
    /// Apply (without it, only the plan is printed)
    #[arg(long)]
    yes: bool,
}

#[derive(Args)]
struct IsolateArgs {
    /// Isolate the host with an nftables table (the default when --aws is not given)
    #[arg(long)]
    host: bool,
    /// Isolate the EC2 instance with a quarantine security group
    #[arg(long)]
    aws: bool,
    /// EC2 instance id [default: this instance, from the metadata service]
    #[arg(long, value_name = "ID", requires = "aws")]
    instance_id: Option<String>,
    /// AWS region [default: from the environment or the metadata service]
    #[arg(long, value_name = "R", requires = "aws")]
    region: Option<String>,
    /// Send AWS API calls to this endpoint instead of AWS
    #[arg(long, value_name = "URL", requires = "aws")]
    endpoint_url: Option<String>,
    /// Deregister the instance from every load-balancer target group first
    #[arg(long, requires = "aws")]
    deregister: bool,
    /// Put the instance on Auto Scaling standby first (no replacement, no termination)
    #[arg(long, requires = "aws")]
    standby: bool,
    /// Admin addresses that keep access (repeatable); your SSH session is kept anyway
    #[arg(long, value_name = "CIDR", value_parser = parse_cidr)]
    allow: Vec<breachkit_quarantine::Cidr>,
    /// Roll host isolation back unless `quarantine confirm` comes within this time
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = breachkit_quarantine::parse_duration)]
    confirm_within: std::time::Duration,
    /// Let DNS queries out (host isolation)
    #[arg(long)]
    allow_dns: bool,
    /// Let NTP out (host isolation)
    #[arg(long)]
    allow_ntp: bool,
    /// Apply (without it, only the plan is printed)
    #[arg(long)]
    yes: bool,
}

fn parse_cidr(s: &str) -> Result<breachkit_quarantine::Cidr, String> {
    s.parse()
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

#[derive(Args)]
struct ScanArgs {
    /// Files and directories to scan (symlinks inside are never followed)
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Scan an offline copy laid out like / instead of the running system: PATHs are
    /// then paths inside it, and findings name them as the host saw them
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// More YARA rules: a rule file or a directory of *.yar/*.yara files (repeatable)
    #[arg(long, value_name = "PATH")]
    rules: Vec<PathBuf>,
    /// Known-bad hashes: a file of `SHA256 NAME` lines, as sha256sum prints them (repeatable)
    #[arg(long, value_name = "FILE")]
    hashes: Vec<PathBuf>,
    /// Exit with 1 only for findings at or above this severity; lower ones are still shown
    #[arg(long, value_name = "SEV", default_value = "medium", value_parser = parse_severity)]
    min_severity: Severity,
    /// Scan at most the first MIB mebibytes of each file
    #[arg(long, value_name = "MIB", default_value_t = 32)]
    max_size: u64,
    /// Scanning threads [default: the number of CPUs]
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Also report files whose hash is in the built-in list of Debian package files
    #[arg(long)]
    no_known_good: bool,
}

#[derive(Subcommand)]
enum LogsArg {
    /// Run the log rules: brute force then login, webshell requests, root accounts, spam runs…
    Check {
        #[command(flatten)]
        sources: LogSources,
        /// Exit with 1 only for findings at or above this severity
        #[arg(long, value_name = "SEV", default_value = "medium", value_parser = parse_severity)]
        min_severity: Severity,
    },
    /// Findings and key events in time order (first access → shell → persistence → spam)
    Timeline {
        #[command(flatten)]
        sources: LogSources,
        /// Print CSV for forensic timeline tools instead (timesketch: message,datetime,timestamp_desc,…; l2t: plaso's l2t_csv)
        #[arg(long, value_enum, value_name = "LAYOUT", num_args = 0..=1, default_missing_value = "timesketch")]
        csv: Option<CsvArg>,
    },
    /// Search every log for many trigger words at once (the built-in breach and malware words by default)
    Grep {
        #[command(flatten)]
        sources: LogSources,
        /// A file of words, one a line (repeatable)
        #[arg(long = "words", value_name = "FILE")]
        word_files: Vec<PathBuf>,
        /// A word (repeatable)
        #[arg(short = 'e', long = "word", value_name = "WORD")]
        words: Vec<String>,
        /// Match case exactly (by default ASCII case is ignored)
        #[arg(short = 's', long)]
        case_sensitive: bool,
    },
}

#[derive(Args)]
struct LogSources {
    /// Read the logs of an offline copy laid out like / instead of the running system
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Another log or directory of logs to read, as a host path (inside --root when given); repeatable
    #[arg(long = "log", value_name = "PATH")]
    logs: Vec<PathBuf>,
    /// Thresholds overriding rules/logs/thresholds.conf (`name = number` lines)
    #[arg(long, value_name = "FILE")]
    thresholds: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum CsvArg {
    Timesketch,
    L2t,
}

fn logs_config(arg: LogsArg) -> LogsConfig {
    let (sources, action) = match arg {
        LogsArg::Check {
            sources,
            min_severity,
        } => (sources, LogsAction::Check { min_severity }),
        LogsArg::Timeline { sources, csv } => (
            sources,
            LogsAction::Timeline {
                csv: csv.map(|c| match c {
                    CsvArg::Timesketch => breachkit_logs::CsvLayout::Timesketch,
                    CsvArg::L2t => breachkit_logs::CsvLayout::L2t,
                }),
            },
        ),
        LogsArg::Grep {
            sources,
            word_files,
            words,
            case_sensitive,
        } => (
            sources,
            LogsAction::Grep {
                word_files,
                words,
                case_sensitive,
            },
        ),
    };
    LogsConfig {
        root: sources.root,
        logs: sources.logs,
        thresholds: sources.thresholds,
        action,
    }
}

#[derive(Subcommand)]
enum CaseArg {
    /// List the runs recorded in the case, then the findings of the last one that gives a verdict
    Show,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
        .map_err(|e: breachkit_finding::ParseSeverityError| e.to_string())
}

fn quarantine_config(q: QuarantineArg) -> QuarantineConfig {
    match q {
        QuarantineArg::Backup { paths } => QuarantineConfig::Backup { paths },
        QuarantineArg::Verify { archive } => QuarantineConfig::Verify { archive },
        QuarantineArg::Maintenance(m) => match m.state {
            OnOff::On => QuarantineConfig::MaintenanceOn {
                allow: m.allow,
                page: m.page,
                nginx_conf: m.nginx_conf,
                apache_confdir: m.apache_confdir,
                alb: m
                    .alb_listener
                    .map(|listener_arn| breachkit_cloud::alb::AlbTarget {
                        listener_arn,
                        region: m.region,
                        endpoint_url: m.endpoint_url,
                    }),
                yes: m.yes,
            },
            OnOff::Off => QuarantineConfig::MaintenanceOff { yes: m.yes },
        },
        QuarantineArg::Isolate(i) => QuarantineConfig::Isolate(IsolateConfig {
            host: i.host || !i.aws,
            aws: i.aws.then_some(AwsTarget {
                instance_id: i.instance_id,
                region: i.region,
                endpoint_url: i.endpoint_url,
            }),
            allow: i.allow,
            confirm_within: i.confirm_within,
            dns: i.allow_dns,
            ntp: i.allow_ntp,
            extras: breachkit_cloud::Extras {
                deregister: i.deregister,
                standby: i.standby,
            },
            yes: i.yes,
        }),
        QuarantineArg::Confirm => QuarantineConfig::Confirm,
        QuarantineArg::Release { yes } => QuarantineConfig::Release { yes },
        QuarantineArg::Status => QuarantineConfig::Status,
        QuarantineArg::Watchdog { token, deadline } => {
            QuarantineConfig::Watchdog { token, deadline }
        }
    }
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
        CommandArg::Mail(a) => Command::Mail(MailConfig { root: a.root }),
        CommandArg::Scan(a) => Command::Scan(ScanConfig {
            paths: a.paths,
            root: a.root,
            rules: a.rules,
            hashes: a.hashes,
            min_severity: a.min_severity,
            max_size: a.max_size.max(1) << 20,
            threads: a
                .threads
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
                .max(1),
            known_good: !a.no_known_good,
        }),
        CommandArg::Logs(l) => Command::Logs(logs_config(l)),
        CommandArg::Quarantine(q) => Command::Quarantine(quarantine_config(q)),
        CommandArg::Report(r) => Command::Report(ReportConfig {
            markdown: r.markdown
                || r.out
                    .as_ref()
                    .is_some_and(|p| p.extension().is_some_and(|e| e == "md")),
            out: r.out,
            iocs: r.iocs,
            iocs_format: r.iocs_format,
        }),
        CommandArg::Gather(g) => Command::Gather(match g.action {
            Some(GatherArg::Verify { bundle }) => GatherConfig::Verify { bundle },
            None => GatherConfig::Collect {
                root: g.root,
                out: g.out,
                examiner: g.examiner,
                note: g.note,
                max_file: g.max_file.max(1).saturating_mul(1 << 20),
                av: (!g.no_av).then_some(GatherAv {
                    scan: g.scan,
                    clamd: g.clamd,
                }),
            },
        }),
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
