//! What a check works with: the host, and where its findings and warnings go.

use breachkit_finding::{Finding, Warning};
use breachkit_host::{Content, Entry, Host, HostError};
use std::path::{Path, PathBuf};

pub struct Context<'h> {
    pub host: &'h Host,
    findings: Vec<Finding>,
    warnings: Vec<Warning>,
}

impl<'h> Context<'h> {
    pub fn new(host: &'h Host) -> Self {
        Context {
            host,
            findings: Vec::new(),
            warnings: Vec::new(),
        }
    }

    pub fn report(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// Records a problem with one input; the check goes on with the rest.
    pub fn warn(&mut self, error: &HostError) {
        self.warnings.push(error.warning());
    }

    pub fn warn_at(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.warnings.push(Warning::new(path, message));
    }

    pub fn warn_general(&mut self, message: impl Into<String>) {
        self.warnings.push(Warning {
            path: None,
            message: message.into(),
        });
    }

    /// Adds warnings gathered elsewhere (by a host helper).
    pub fn warn_all(&mut self, warnings: impl IntoIterator<Item = Warning>) {
        self.warnings.extend(warnings);
    }

    /// [`Host::walk`], its problems added to this check's warnings.
    pub fn walk(&mut self, host_dir: impl AsRef<Path>, max_depth: usize) -> Vec<Entry> {
        let host = self.host;
        host.walk(host_dir, max_depth, &mut self.warnings)
    }

    /// [`Host::web_roots`], its problems added to this check's warnings.
    pub fn web_roots(&mut self) -> Vec<PathBuf> {
        let host = self.host;
        host.web_roots(&mut self.warnings)
    }

    /// Reads a file of at most `limit` bytes: a missing file is `None` silently,
    /// any other problem is `None` with a warning, and a file larger than the limit
    /// is read up to it with a warning saying so.
    pub fn read(&mut self, host_path: impl AsRef<Path>, limit: u64) -> Option<Content> {
        let result = self.host.read(host_path.as_ref(), limit);
        self.accept(result, host_path.as_ref(), limit)
    }

    /// [`Context::read`] for an entry found by a walk.
    pub fn read_entry(&mut self, entry: &Entry, limit: u64) -> Option<Content> {
        let result = self.host.read_entry(entry, limit);
        self.accept(result, &entry.host, limit)
    }

    fn accept(
        &mut self,
        result: Result<Content, HostError>,
        host_path: &Path,
        limit: u64,
    ) -> Option<Content> {
        match result {
            Ok(c) => {
                if c.truncated {
                    self.warn_at(
                        breachkit_finding::escape_path(host_path),
                        format!(
                            "file is {} bytes; only the first {} were checked",
                            c.meta.len(),
                            limit
                        ),
                    );
                }
                Some(c)
            }
            Err(e) if e.is_not_found() => None,
            Err(e) => {
                self.warn(&e);
                None
            }
        }
    }

    pub fn into_parts(self) -> (Vec<Finding>, Vec<Warning>) {
        (self.findings, self.warnings)
    }
}
