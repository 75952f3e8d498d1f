//! The plain configuration the command line is parsed into.

use breachkit_finding::Severity;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Jsonl,
}

/// Where the case lives; a default one that cannot be opened only warns.
#[derive(Debug, Clone)]
pub enum CaseLocation {
    Explicit(PathBuf),
    Default(PathBuf),
}

impl CaseLocation {
    pub fn dir(&self) -> &Path {
        match self {
            CaseLocation::Explicit(p) | CaseLocation::Default(p) => p,
        }
    }
}

#[derive(Debug, Clone)]
pub struct CheckConfig {
    pub root: Option<PathBuf>,
    pub only: Vec<String>,
    pub skip: Vec<String>,
    pub min_severity: Severity,
    pub list: bool,
}

/// `breachkit scan PATH…`: the content scanner on chosen paths.
#[derive(Debug, Clone)]
pub struct ScanConfig {
    pub paths: Vec<PathBuf>,
    /// `--root`: the paths are inside this offline copy of a host.
    pub root: Option<PathBuf>,
    /// `--rules`: more YARA rule files or directories.
    pub rules: Vec<PathBuf>,
    /// `--hashes`: known-bad SHA-256 lists.
    pub hashes: Vec<PathBuf>,
    pub min_severity: Severity,
    /// Bytes scanned per file at most.
    pub max_size: u64,
    /// Scanning threads.
    pub threads: usize,
    /// `--no-known-good`: report files of known packages too.
    pub known_good: bool,
}

/// `breachkit quarantine …` (step 2).
#[derive(Debug, Clone)]
pub enum QuarantineConfig {
    Backup {
        paths: Vec<PathBuf>,
    },
    Verify {
        archive: PathBuf,
    },
    MaintenanceOn {
        allow: Vec<breachkit_quarantine::Cidr>,
        page: Option<PathBuf>,
        nginx_conf: Option<PathBuf>,
        apache_confdir: Option<PathBuf>,
        /// `--alb-listener`: the page on this ALB listener instead of the web servers.
        alb: Option<breachkit_cloud::alb::AlbTarget>,
        yes: bool,
    },
    MaintenanceOff {
        yes: bool,
    },
    Isolate(IsolateConfig),
    Confirm,
    Release {
        yes: bool,
    },
    Status,
    /// The detached anti-lockout watchdog (hidden).
    Watchdog {
        token: String,
        deadline: i64,
    },
}

/// `breachkit quarantine isolate`.
#[derive(Debug, Clone)]
pub struct IsolateConfig {
    pub host: bool,
    pub aws: Option<AwsTarget>,
    pub allow: Vec<breachkit_quarantine::Cidr>,
    pub confirm_within: std::time::Duration,
    pub dns: bool,
    pub ntp: bool,
    /// AWS: out of load-balancer target groups, onto Auto Scaling standby first.
    pub extras: breachkit_cloud::Extras,
    pub yes: bool,
}

/// Which EC2 instance, and where the API is.
#[derive(Debug, Clone, Default)]
pub struct AwsTarget {
    pub instance_id: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
}

/// `breachkit logs …`: which logs, and what to do with them.
#[derive(Debug, Clone)]
pub struct LogsConfig {
    pub root: Option<PathBuf>,
    /// `--log PATH`: more logs (host paths), besides the standard places.
    pub logs: Vec<PathBuf>,
    /// `--thresholds FILE`: overrides of rules/logs/thresholds.conf.
    pub thresholds: Option<PathBuf>,
    pub action: LogsAction,
}

#[derive(Debug, Clone)]
pub enum LogsAction {
    Check {
        min_severity: Severity,
    },
    Timeline {
        csv: Option<breachkit_logs::CsvLayout>,
    },
    Grep {
        word_files: Vec<PathBuf>,
        words: Vec<String>,
        case_sensitive: bool,
    },
}

/// `breachkit mail`: the queues, the sending scripts, forged headers, bounces.
#[derive(Debug, Clone)]
pub struct MailConfig {
    pub root: Option<PathBuf>,
}

/// `breachkit report`.
#[derive(Debug, Clone)]
pub struct ReportConfig {
    pub out: Option<PathBuf>,
    pub markdown: bool,
    pub iocs: Option<PathBuf>,
    /// `stix`, `csv` or `misp`.
    pub iocs_format: String,
}

/// The antivirus job of `gather`.
#[derive(Debug, Clone)]
pub struct GatherAv {
    /// Empty: the whole filesystem.
    pub scan: Vec<PathBuf>,
    /// `None`: the one clamd.conf names, if any.
    pub clamd: Option<breachkit_gather::av::ClamdAddr>,
}

#[derive(Debug, Clone)]
pub enum GatherConfig {
    Collect {
        root: Option<PathBuf>,
        out: Option<PathBuf>,
        examiner: Option<String>,
        note: Option<String>,
        /// Bytes.
        max_file: u64,
        /// `None`: no antivirus job.
        av: Option<GatherAv>,
    },
    Verify {
        bundle: PathBuf,
    },
}

#[derive(Debug, Clone)]
pub enum Command {
    Check(CheckConfig),
    Mail(MailConfig),
    Scan(ScanConfig),
    Logs(LogsConfig),
    Quarantine(QuarantineConfig),
    Gather(GatherConfig),
    Report(ReportConfig),
    CaseShow,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub case: CaseLocation,
    pub format: Format,
    pub quiet: bool,
    pub command: Command,
    /// The arguments as given, escaped, for the case journal.
    pub command_line: String,
}
