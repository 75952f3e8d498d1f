//! What the antivirus job records: one file's verdicts from both engines, each
//! engine's state, the counts, and the finding for a file only ClamAV flags.

use breachkit_finding::{Finding, Rule, Severity, Step};
use serde::Serialize;

/// A file ClamAV flags and breachkit's own engine did not.
pub const AV_DETECTION: Rule = Rule {
    id: "gather.av-detection",
    step: Step::Gather,
    severity: Severity::High,
    title: "ClamAV detects malware",
    explanation: "The ClamAV daemon matched one of its signatures in this file, and \
        breachkit's own scanner did not flag it. ClamAV's signatures name known malware \
        (webshells, mailers, trojans, miners); a match on a file of the server means that \
        malware was put there, unless the signature is a false positive for this file.",
    mitre: None,
    next_step: "Look at the file (do not run it): where it is, who owns it, when it \
        changed, and whether a package or your application ships it. Keep a copy as evidence \
        before cleaning; a detection in a web root usually means the site was entered \
        through a vulnerable plugin or stolen credentials.",
};

/// One engine's judgement of one file. Only `clean` means the engine saw the whole
/// file and found nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "lowercase")]
pub enum Verdict {
    Clean,
    /// `name`: the rule (breachkit) or signature (ClamAV), escaped.
    Found {
        name: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        severity: Option<Severity>,
        #[serde(skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    /// Judged on part of the file only (a size limit, a timeout inside the engine).
    Cut {
        reason: String,
    },
    /// Not judged: the file could not be read, the engine failed or did not answer.
    Error {
        reason: String,
    },
    /// Not judged because the file is gone.
    Skipped {
        reason: String,
    },
}

impl Verdict {
    pub fn is_found(&self) -> bool {
        matches!(self, Verdict::Found { .. })
    }

    pub fn is_clean(&self) -> bool {
        matches!(self, Verdict::Clean)
    }

    pub(crate) fn error(reason: impl Into<String>) -> Verdict {
        Verdict::Error {
            reason: reason.into(),
        }
    }

    pub(crate) fn cut(reason: impl Into<String>) -> Verdict {
        Verdict::Cut {
            reason: reason.into(),
        }
    }
}

/// Both engines' verdicts on one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileResult {
    /// The host path, escaped.
    pub path: String,
    pub size: u64,
    pub own: Verdict,
    /// `None` when clamd was not used in this run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clamd: Option<Verdict>,
}

impl FileResult {
    /// One engine found something and the other saw the whole file and did not.
    pub fn disagree(&self) -> bool {
        match &self.clamd {
            Some(c) => {
                (self.own.is_found() && c.is_clean()) || (self.own.is_clean() && c.is_found())
            }
            None => false,
        }
    }

    /// `gather.av-detection` when clamd flags the file and the own engine did not.
    pub fn av_finding(&self) -> Option<Finding> {
        let Some(Verdict::Found { name, .. }) = &self.clamd else {
            return None;
        };
        if self.own.is_found() {
            return None;
        }
        let mut f = AV_DETECTION
            .finding()
            .path(self.path.clone())
            .evidence(format!("clamd: {name} FOUND"));
        f.title = format!("ClamAV detects {name}");
        let own = match &self.own {
            Verdict::Clean => "found nothing".to_string(),
            Verdict::Cut { reason } => format!("saw only part of it ({reason})"),
            Verdict::Error { reason } | Verdict::Skipped { reason } => {
                format!("could not judge it ({reason})")
            }
            Verdict::Found { .. } => return None,
        };
        Some(f.note(format!("breachkit's own scanner {own}.")))
    }
}

/// Whether an engine was used, and how.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EngineState {
    /// `ok`, `failed` (it was asked for and did not work: the run is incomplete) or
    /// `not-used` (with the reason).
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// clamd: where it was asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// clamd: its `VERSION` answer (`ClamAV 1.4.6/…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// clamd: `fildes` (Unix socket) or `instream` (TCP).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transport: Option<&'static str>,
    /// clamd: the configuration file it was found in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
}

impl EngineState {
    pub fn is_failed(&self) -> bool {
        self.status == "failed"
    }
}

/// The totals of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Regular files judged (or tried).
    pub files: u64,
    pub found_own: u64,
    pub found_clamd: u64,
    pub found_both: u64,
    pub cut_own: u64,
    pub cut_clamd: u64,
    pub errors_own: u64,
    pub errors_clamd: u64,
    /// Files gone before they were judged.
    pub skipped: u64,
    /// Files the own engine dropped as known-good package files.
    pub known_good: u64,
    pub disagree: u64,
    /// Symbolic links, not followed.
    pub symlinks: u64,
    /// FIFOs, sockets and devices, not opened.
    pub special: u64,
}

impl Counts {
    pub(crate) fn add(&mut self, r: &FileResult) {
        self.files += 1;
        let tally = |v: &Verdict, found: &mut u64, cut: &mut u64, errors: &mut u64| match v {
            Verdict::Found { .. } => *found += 1,
            Verdict::Cut { .. } => *cut += 1,
            Verdict::Error { .. } => *errors += 1,
            Verdict::Clean | Verdict::Skipped { .. } => {}
        };
        tally(
            &r.own,
            &mut self.found_own,
            &mut self.cut_own,
            &mut self.errors_own,
        );
        if let Some(c) = &r.clamd {
            tally(
                c,
                &mut self.found_clamd,
                &mut self.cut_clamd,
                &mut self.errors_clamd,
            );
            if r.own.is_found() && c.is_found() {
                self.found_both += 1;
            }
        }
        if matches!(r.own, Verdict::Skipped { .. }) {
            self.skipped += 1;
        }
        if r.disagree() {
            self.disagree += 1;
        }
    }
}
