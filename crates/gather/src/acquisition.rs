//! The acquisition log of a bundle (`acquisition.json`), its chain of custody:
//! which case, who collected it and why, from which host (name, boot id, kernel),
//! with which breachkit (version and the SHA-256 of the running binary), the exact
//! command, start and end times in UTC, and what each part of the collection did.

use breachkit_finding::{Warning, escape_bytes};
use breachkit_host::Host;
use serde::Serialize;

/// File name of the acquisition log in a bundle.
pub const ACQUISITION: &str = "acquisition.json";

#[derive(Debug, Clone, Serialize)]
pub struct Acquisition {
    pub tool: &'static str,
    pub version: &'static str,
    /// SHA-256 of the breachkit binary that ran (read from `/proc/self/exe`).
    pub binary_sha256: Option<String>,
    pub case: String,
    pub examiner: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub hostname: String,
    /// `/` on a live host, else the image's directory.
    pub root: String,
    pub live: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boot_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kernel: Option<String>,
    /// The command line, each argument escaped.
    pub command: Vec<String>,
    pub started_at: String,
    pub ended_at: String,
    /// False when collection stopped early; `stopped` says why.
    pub complete: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
    pub parts: Vec<Part>,
    pub warnings: Vec<Warning>,
}

/// What one part of the collection did.
#[derive(Debug, Clone, Serialize)]
pub struct Part {
    pub name: String,
    /// `collected`, `failed` or `skipped`.
    pub outcome: &'static str,
    /// Bundle files it wrote.
    pub files: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Acquisition {
    /// The log of a collection starting now.
    pub fn start(host: &Host, case: String, examiner: String, note: Option<String>) -> Acquisition {
        let live_text = |path: &str| {
            host.is_live()
                .then(|| std::fs::read(path).ok())
                .flatten()
                .map(|b| escape_bytes(b.trim_ascii()))
        };
        Acquisition {
            tool: "breachkit",
            version: env!("CARGO_PKG_VERSION"),
            binary_sha256: own_binary_sha256(),
            case,
            examiner,
            note,
            hostname: host.hostname(),
            root: breachkit_finding::escape_path(host.root()),
            live: host.is_live(),
            boot_id: live_text("/proc/sys/kernel/random/boot_id"),
            kernel: live_text("/proc/sys/kernel/osrelease"),
            command: std::env::args_os()
                .map(|a| escape_bytes(std::os::unix::ffi::OsStrExt::as_bytes(a.as_os_str())))
                .collect(),
            started_at: breachkit_case::now_rfc3339(),
            ended_at: String::new(),
            complete: true,
            stopped: None,
            parts: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

/// SHA-256 of the running binary (through `/proc/self/exe`, which names it even
/// when the file was replaced since).
fn own_binary_sha256() -> Option<String> {
    use sha2::Digest;
    let mut file = std::fs::File::open("/proc/self/exe").ok()?;
    let mut hasher = sha2::Sha256::new();
    std::io::copy(&mut file, &mut hasher).ok()?;
    Some(hex::encode(hasher.finalize()))
}
