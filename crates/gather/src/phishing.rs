//! The anti-phishing job of `gather`: the phishing findings of the scanner (pages,
//! harvesters, anti-bot helpers, kit archives; `scan.phishing`) grouped into kits by
//! the folder they lie in, and for each harvester where the stolen data goes, read
//! from its code: mail addresses, chat-bot tokens and webhooks, drop files. What a
//! file does is told by the heuristics its finding names (`phishing-page`,
//! `php-credential-exfil`, `phishing-antibot`, `phishing-kit-archive`).

use breachkit_finding::{Finding, Warning, escape_bytes, unescape_bytes};
use breachkit_host::Host;
use regex::bytes::Regex;
use serde::Serialize;
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::LazyLock;

/// The most of a harvester read for its destinations.
const MAX_READ: u64 = 1 << 20;

/// One kit: the files of one folder that the scanner judged part of a kit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Kit {
    /// Host folder, escaped.
    pub folder: String,
    pub pages: Vec<String>,
    pub harvesters: Vec<String>,
    pub helpers: Vec<String>,
    pub archives: Vec<String>,
    /// Where the harvesters send what victims type.
    pub destinations: Vec<Destination>,
}

/// Where stolen credentials go.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Destination {
    /// `mail`, `chat-bot`, `webhook` or `drop-file`.
    pub kind: &'static str,
    /// The address, token, URL or file name, escaped.
    pub value: String,
    /// The harvester it was read from.
    pub file: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PhishingReport {
    pub kits: Vec<Kit>,
    pub warnings: Vec<Warning>,
}

/// Groups the phishing findings into kits and reads each harvester's destinations.
pub fn kits(host: &Host, findings: &[Finding]) -> PhishingReport {
    let mut by_folder: BTreeMap<String, Kit> = BTreeMap::new();
    let mut warnings = Vec::new();
    for f in findings.iter().filter(|f| f.rule == "scan.phishing") {
        let Some(path) = &f.path else { continue };
        let folder = Path::new(path)
            .parent()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let kit = by_folder.entry(folder.clone()).or_insert_with(|| Kit {
            folder,
            ..Kit::default()
        });
        let says = |h: &str| f.evidence.as_deref().is_some_and(|e| e.contains(h));
        let mut placed = false;
        for (heuristic, list) in [
            ("phishing-page", &mut kit.pages),
            ("php-credential-exfil", &mut kit.harvesters),
            ("phishing-antibot", &mut kit.helpers),
            ("phishing-kit-archive", &mut kit.archives),
        ] {
            if says(heuristic) {
                list.push(path.clone());
                placed = true;
            }
        }
        if !placed {
            kit.helpers.push(path.clone());
        }
        if says("php-credential-exfil") {
            match destinations(host, path) {
                Ok(found) => kit.destinations.extend(found),
                Err(w) => warnings.push(w),
            }
        }
    }
    let kits = by_folder
        .into_values()
        .map(|mut k| {
            k.destinations.sort();
            k.destinations.dedup();
            k
        })
        .collect();
    PhishingReport { kits, warnings }
}

static MAIL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}")
        .ok()
});
/// A Telegram bot's API URL (its token in it), or a bare token.
static BOT_TOKEN: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"api\.telegram\.org/bot[A-Za-z0-9:_-]{3,100}|\b[0-9]{6,12}:[A-Za-z0-9_-]{35}\b")
        .ok()
});
static WEBHOOK: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"https://(discord(app)?\.com/api/webhooks|hooks\.slack\.com/services)/[A-Za-z0-9/_-]{10,200}").ok()
});
static DROP_FILE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(fopen|file_put_contents)\s*\(\s*["']([^"'\n]{1,120}\.(txt|log|html?|csv|dat))["']"#,
    )
    .ok()
});

/// The destinations written in one harvester.
fn destinations(host: &Host, path: &str) -> Result<Vec<Destination>, Warning> {
    let raw = unescape_bytes(path);
    let content = host
        .read(Path::new(OsStr::from_bytes(&raw)), MAX_READ)
        .map_err(|e| Warning::new(path.to_string(), format!("harvester not read: {}", e.kind)))?;
    let text = &content.bytes;
    let mut out = Vec::new();
    let mut add = |kind: &'static str, value: &[u8]| {
        out.push(Destination {
            kind,
            value: escape_bytes(value),
            file: path.to_string(),
        })
    };
    for (re, kind) in [
        (&MAIL, "mail"),
        (&BOT_TOKEN, "chat-bot"),
        (&WEBHOOK, "webhook"),
    ] {
        if let Some(re) = re.as_ref() {
            for m in re.find_iter(text) {
                add(kind, m.as_bytes());
            }
        }
    }
    if let Some(re) = DROP_FILE.as_ref() {
        for c in re.captures_iter(text) {
            if let Some(name) = c.get(2) {
                add("drop-file", name.as_bytes());
            }
        }
    }
    Ok(out)
}
