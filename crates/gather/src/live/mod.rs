//! The volatile state of a running host, read straight from `/proc` and `/sys`
//! (never through `ps`, `ss`, `ip` or `lsmod`, which a rootkit replaces) into
//! records that serialise to JSON for the evidence bundle.
//!
//! Sections are read in order of volatility, most fleeting first: [`sockets`] (with
//! the processes holding them), the neighbour cache and [`routes`], the
//! [`process_table`] (with a summary of each process's memory maps and the SHA-256
//! of its executable), copies of suspect executables ([`copy_suspect_exes`]),
//! [`mounts`], kernel [`modules`] with the hidden-module check, and the
//! [`firewall`] rules (the one place an external program, `nft` or
//! `iptables-save`, is the real interface). Each section is a submodule.
//!
//! Each section stands alone: one that fails is an error entry in [`LiveState`] and
//! the others go on. A process that exits while it is read is skipped and counted.
//! Every string from the host is kept losslessly escaped
//! ([`breachkit_finding::escape_bytes`]); printers still pass it through
//! [`breachkit_finding::terminal_safe`] or [`breachkit_finding::json`]. Every read is
//! bounded, so a hostile process cannot make the collection run out of memory.

mod exe;
mod firewall;
mod maps;
mod modules;
mod mounts;
mod network;
mod processes;
mod sockets;

pub use exe::{ExeCopies, ExeCopy, ExeHash, MAX_EXE_BYTES, copy_suspect_exe, copy_suspect_exes};
pub use firewall::{
    FIREWALL_COMMANDS, FirewallDump, FirewallOutcome, TOOL_DIRS, firewall, firewall_in,
};
pub use maps::MapsSummary;
pub use modules::{HIDDEN_MODULE, Module, Modules, hidden_modules, modules, modules_at};
pub use mounts::{Mount, Mounts, mounts};
pub use network::{Neighbour, Neighbours, Route, Routes, neighbours, routes};
pub use processes::{MAX_FDS, OpenFile, ProcessRecord, ProcessTable, Unreadable, process_table};
pub use sockets::{InetSocketRecord, Owner, Sockets, UnixSocketRecord, sockets};

use breachkit_finding::Finding;
use breachkit_host::Host;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

/// Why a section, or one process in it, could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LiveError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("process {pid}: {message}")]
    Process { pid: u32, message: String },
    #[error("process {pid} exited while it was read")]
    Gone { pid: u32 },
}

impl LiveError {
    fn io(path: impl Into<String>, source: std::io::Error) -> LiveError {
        LiveError::Io {
            path: path.into(),
            source,
        }
    }
}

/// One section of the state: what was read, or why it could not be.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section<T> {
    Read(T),
    Failed { error: String },
}

impl<T> Section<T> {
    fn of(result: Result<T, LiveError>) -> Section<T> {
        match result {
            Ok(value) => Section::Read(value),
            Err(e) => Section::Failed {
                error: e.to_string(),
            },
        }
    }

    /// What was read, if the section could be read.
    pub fn read(&self) -> Option<&T> {
        match self {
            Section::Read(value) => Some(value),
            Section::Failed { .. } => None,
        }
    }

    /// Why the section could not be read.
    pub fn error(&self) -> Option<&str> {
        match self {
            Section::Read(_) => None,
            Section::Failed { error } => Some(error),
        }
    }
}

/// What [`collect`] does beyond reading.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where to copy the executables of processes whose program is deleted, fileless
    /// or in a temp directory; `None` copies nothing.
    pub exe_copies: Option<PathBuf>,
    /// How long `nft` and `iptables-save` may run each.
    pub firewall_timeout: Duration,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            exe_copies: None,
            firewall_timeout: Duration::from_secs(30),
        }
    }
}

/// The volatile state of the host, section by section.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LiveState {
    /// When the collection started (RFC 3339, UTC).
    pub started: String,
    pub sockets: Section<Sockets>,
    pub neighbours: Section<Neighbours>,
    pub routes: Section<Routes>,
    pub processes: Section<ProcessTable>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exe_copies: Option<Section<ExeCopies>>,
    pub mounts: Section<Mounts>,
    pub modules: Section<Modules>,
    pub firewall: Vec<FirewallDump>,
    /// When the collection ended (RFC 3339, UTC).
    pub finished: String,
}

impl LiveState {
    /// The findings the collection raised (kernel modules hidden from `/proc/modules`).
    pub fn findings(&self) -> Vec<Finding> {
        self.modules
            .read()
            .map(|m| m.hidden.clone())
            .unwrap_or_default()
    }
}

/// Reads every section of the running system's volatile state, most volatile first.
pub fn collect(options: &Options) -> LiveState {
    let started = jiff::Timestamp::now().to_string();
    let sockets = Section::of(sockets());
    let neighbours = Section::of(neighbours());
    let routes = Section::of(routes());
    let host = Host::live();
    let processes = Section::of(process_table(host.accounts()));
    let exe_copies = options
        .exe_copies
        .as_deref()
        .map(|dir| Section::of(copy_suspect_exes(dir)));
    let mounts = Section::of(mounts());
    let modules = Section::of(modules());
    let firewall = firewall(options.firewall_timeout);
    LiveState {
        started,
        sockets,
        neighbours,
        routes,
        processes,
        exe_copies,
        mounts,
        modules,
        firewall,
        finished: jiff::Timestamp::now().to_string(),
    }
}
