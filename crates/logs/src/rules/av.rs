//! Antivirus detections: every ClamAV `FOUND` and maldet hit or quarantine, one
//! finding per file and signature.

use super::{At, FirstSeen, Hit, Shared};
use crate::event::{Event, Kind};
use breachkit_finding::{Rule, Severity, Step};

const DETECTION: Rule = Rule {
    id: "av.detection",
    step: Step::Aware,
    severity: Severity::High,
    title: "The antivirus found malware",
    explanation: "ClamAV or Linux Malware Detect reported a file as malware. On a web server these are mostly webshells, mailers and injected PHP; one rarely comes alone.",
    mitre: Some("T1505.003"),
    next_step: "Look at the file (or its quarantined copy) and its modification time; search the web root for files changed at the same time.",
};

#[derive(Debug, Default)]
pub struct State {
    reported: FirstSeen,
}

impl State {
    pub fn event(&mut self, s: &mut Shared, ev: &Event, at: &At) {
        let (file, what, note) = match ev.kind {
            Kind::AvFound { file, signature } => (
                file,
                signature,
                format!("The file: {file} (signature {signature})."),
            ),
            Kind::AvQuarantined { file, to } => (
                file,
                "quarantined",
                format!("The file: {file}, quarantined to {to}."),
            ),
            _ => return,
        };
        let seen = at.seen(ev.time);
        s.key_event(
            &seen,
            "malware found",
            format!("antivirus: {file} ({what})"),
        );
        if self.reported.first(&format!("{file}|{what}")) {
            s.hits
                .push(Hit::new(&DETECTION, &seen, &format!("{file}|{what}")).note(note));
        }
    }
}
