//! Warnings about malformed lines of one database file, each naming the file and
//! the line, at most [`MAX_PER_FILE`] of them: a file of garbage gives a few
//! warnings and a count, not a million.

use breachkit_finding::Warning;

/// The most line warnings one file gives; the rest are counted in one more.
const MAX_PER_FILE: usize = 10;

pub(super) struct Complaints<'w> {
    /// The host path, escaped.
    file: String,
    count: usize,
    warnings: &'w mut Vec<Warning>,
}

impl<'w> Complaints<'w> {
    pub(super) fn new(file: impl Into<String>, warnings: &'w mut Vec<Warning>) -> Self {
        Complaints {
            file: file.into(),
            count: 0,
            warnings,
        }
    }

    /// Line `line` of the file is malformed: `what` it is, and what was done.
    pub(super) fn line(&mut self, line: u64, what: impl AsRef<str>) {
        self.count += 1;
        if self.count <= MAX_PER_FILE {
            self.warnings.push(Warning::new(
                self.file.clone(),
                format!("line {line}: {}", what.as_ref()),
            ));
        }
    }
}

impl Drop for Complaints<'_> {
    fn drop(&mut self) {
        if self.count > MAX_PER_FILE {
            self.warnings.push(Warning::new(
                self.file.clone(),
                format!(
                    "{} more malformed lines (skipped, the rest was read)",
                    self.count - MAX_PER_FILE
                ),
            ));
        }
    }
}
