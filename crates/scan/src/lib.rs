//! The content scanner behind `breachkit scan` and the `files` check: finds
//! webshells, injected loaders, mass mailers, IRC/Perl bots, cryptominers, droppers
//! and malicious shell scripts in files.
//!
//! Two engines look at each file and their hits are added up into one score:
//! - YARA rules (`rules/yara/<scope>/*.yar`, embedded; plus the user's `--rules`),
//!   compiled once with yara-x into [`Engine`] and shared by all threads, each thread
//!   owning reused scanners ([`FileScanner`]) with a per-file timeout. A built-in rule
//!   runs only where it can matter (its scope: PHP rules on files with a PHP open
//!   tag, script rules on everything but data), so each file is searched once, for
//!   its scope's rules and the words the heuristics start from;
//! - native heuristics (`heuristics`) where YARA is slow or blind: line shape and
//!   entropy, data flow from decoders and request variables into code runners,
//!   password gates, PHP in images, `.htaccess` handler abuse, code in upload and temp
//!   folders, ELF programs in temp folders, miner and mailer markers, timestomping.
//!
//! Their weights (`rules/scan/weights.txt`) turn the hits into a score and a
//! severity; a file is reported once, with every rule that hit, the line of the
//! strongest hit and an escaped excerpt. Known-good files (hashes generated from
//! Debian's packages by `scripts/gen-known-good`) are dropped; known-bad hashes
//! (`--hashes`) are reported whatever the content. [`scan_tree`] walks directories
//! of a [`breachkit_host::Host`] in parallel without following symlinks and reads
//! each file through it (bounded, `O_NOATIME`, no blocking on FIFOs).

mod engine;
mod error;
mod family;
mod file;
mod hashes;
mod heuristics;
mod report;
mod rules;
pub mod shellcmd;
mod walk;
mod weights;

pub use engine::{Engine, Options, Places};
pub use error::ScanError;
pub use family::{Family, RULES};
pub use file::{FileScanner, Scanned};
pub use heuristics::Heuristic;
pub use walk::{Progress, Stats, Tree, scan_tree};
