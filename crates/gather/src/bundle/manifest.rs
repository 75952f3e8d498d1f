//! The bundle's manifest, `MANIFEST.jsonl`: a header line, then one line per file
//! of the bundle with its SHA-256, size and where it came from. The manifest's own
//! SHA-256 is recorded in the case and printed; it is what makes the rest checkable.

use serde::{Deserialize, Serialize};

/// File name of the manifest at the top of a bundle.
pub const MANIFEST: &str = "MANIFEST.jsonl";
/// Manifest format version.
pub const VERSION: u32 = 1;

/// First line of the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub breachkit_bundle: u32,
    /// False when collection stopped early: the entries list what exists.
    pub complete: bool,
    pub created_at: String,
}

/// One file of the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Path inside the bundle (`/`-separated, chosen by breachkit, never by the host).
    pub path: String,
    pub sha256: String,
    pub size: u64,
    /// What it holds: a host path copied (escaped) or what it was made from
    /// (`/proc`, `check`, …).
    pub source: String,
}
