//! The systemd journal, read through `journalctl --directory=DIR` (the journal's
//! own reader, which knows its binary format), on the live host and on images
//! alike. When journalctl is absent, the caller is told so plainly.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The most of journalctl's stderr kept for a warning.
const MAX_STDERR: u64 = 16 << 10;

/// What `journalctl` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// One JSON object a record (for the rules).
    Json,
    /// `short-iso` lines (for trigger-word search).
    Text,
}

/// Where journalctl is, if installed: `BREACHKIT_JOURNALCTL` when set (a newer
/// journalctl for an image whose journal format this machine's cannot read), else
/// the usual places, then `PATH`.
pub fn journalctl() -> Option<PathBuf> {
    if let Some(chosen) = std::env::var_os("BREACHKIT_JOURNALCTL") {
        let p = PathBuf::from(chosen);
        return p.is_file().then_some(p);
    }
    let usual = ["/usr/bin/journalctl", "/bin/journalctl"];
    let from_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("journalctl"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    usual
        .iter()
        .map(PathBuf::from)
        .chain(from_path)
        .find(|p| p.is_file())
}

/// A running `journalctl`.
pub struct Journal {
    child: Child,
    stderr: Option<std::thread::JoinHandle<String>>,
    /// What it prints (taken by the reader).
    pub output: Option<std::process::ChildStdout>,
}

/// Why the journal could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    #[error(
        "systemd journal files are here, but journalctl is not installed, so they were not read; install it (apt-get install systemd, dnf install systemd) or read them on another machine"
    )]
    NoJournalctl,
    #[error("could not run journalctl: {0}")]
    Spawn(std::io::Error),
}

impl Journal {
    /// Starts `journalctl --directory=DIR` (`dir` is the real path on this machine).
    pub fn open(dir: &Path, output: Output) -> Result<Journal, JournalError> {
        let exe = journalctl().ok_or(JournalError::NoJournalctl)?;
        let mut cmd = Command::new(exe);
        cmd.arg(format!("--directory={}", dir.display()))
            .args(["--no-pager", "--quiet", "--output"])
            .arg(match output {
                Output::Json => "json",
                Output::Text => "short-iso",
            })
            .env("SYSTEMD_COLORS", "0")
            .env("LC_ALL", "C")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(JournalError::Spawn)?;
        let output = child.stdout.take();
        let stderr = child.stderr.take().map(|e| {
            std::thread::spawn(move || {
                let mut text = String::new();
                let mut limited = e.take(MAX_STDERR);
                let _ = limited.read_to_string(&mut text);
                // Drain the rest so journalctl never blocks on a full pipe.
                let _ = std::io::copy(&mut limited.into_inner(), &mut std::io::sink());
                text
            })
        });
        Ok(Journal {
            child,
            stderr,
            output,
        })
    }

    /// Waits for journalctl; its complaint if it failed.
    pub fn finish(mut self) -> Option<String> {
        let status = self.child.wait().ok();
        let stderr = self
            .stderr
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        match status {
            Some(s) if s.success() => None,
            Some(s) => Some(format!("journalctl failed ({s}): {}", stderr.trim())),
            None => Some("journalctl could not be waited for".to_string()),
        }
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        // Stopped early (an error): do not leave journalctl behind.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
