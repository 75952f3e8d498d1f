//! Native heuristics: what YARA cannot see or would see slowly. Each looks at one
//! file (its bytes, what kind of file it is, where it is, its times) and reports
//! which [`Heuristic`]s hit and where; `rules/scan/weights.txt` says what each adds
//! to the file's score.

mod kind;
mod markers;
mod phishing;
mod php;
mod place;
mod script;
mod text;
mod words;

pub(crate) use kind::{Kind, extension_of, has_nul_in_head};
pub(crate) use php::{analyse as analyse_php, worth_a_look};
pub(crate) use words::{Words, is_look_rule, is_words_rule, yara_rule as words_rule};

use crate::Places;
use crate::family::Family;
use breachkit_php::FactKind;

/// One heuristic. The ids are the names used in `rules/scan/weights.txt` and in
/// findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heuristic {
    LongLine,
    EncodedBlob,
    HighEntropy,
    InjectedFirstLine,
    PhpInImage,
    HtaccessHandler,
    PhpInUploads,
    PhpInTemp,
    ElfInTemp,
    HiddenFolder,
    Timestomp,
    MinerMarker,
    MailerMarker,
    MoneroWallet,
    PhishingPage,
    PhishingAntibot,
    PhishingKitArchive,
    ForgedSender,
    ScriptFetchRun,
    ScriptHiddenDrop,
    ScriptRunDelete,
    ScriptTempExec,
    ScriptDecodeExec,
    ScriptSocketShell,
    ScriptRemoteCommand,
    ScriptIrcBot,
    ScriptPersistence,
    ScriptCoverTracks,
    /// A fact of the PHP analysis (the second stage, `php`).
    Php(FactKind),
}

impl Heuristic {
    /// Every heuristic, the PHP analysis's facts last.
    pub const ALL: [Heuristic; 28 + FactKind::ALL.len()] = {
        let mut all = [Heuristic::LongLine; 28 + FactKind::ALL.len()];
        let native = [
            Heuristic::LongLine,
            Heuristic::EncodedBlob,
            Heuristic::HighEntropy,
            Heuristic::InjectedFirstLine,
            Heuristic::PhpInImage,
            Heuristic::HtaccessHandler,
            Heuristic::PhpInUploads,
            Heuristic::PhpInTemp,
            Heuristic::ElfInTemp,
            Heuristic::HiddenFolder,
            Heuristic::Timestomp,
            Heuristic::MinerMarker,
            Heuristic::MailerMarker,
            Heuristic::MoneroWallet,
            Heuristic::PhishingPage,
            Heuristic::PhishingAntibot,
            Heuristic::PhishingKitArchive,
            Heuristic::ForgedSender,
            Heuristic::ScriptFetchRun,
            Heuristic::ScriptHiddenDrop,
            Heuristic::ScriptRunDelete,
            Heuristic::ScriptTempExec,
            Heuristic::ScriptDecodeExec,
            Heuristic::ScriptSocketShell,
            Heuristic::ScriptRemoteCommand,
            Heuristic::ScriptIrcBot,
            Heuristic::ScriptPersistence,
            Heuristic::ScriptCoverTracks,
        ];
        let mut i = 0;
        while i < native.len() {
            all[i] = native[i];
            i += 1;
        }
        let mut j = 0;
        while j < FactKind::ALL.len() {
            all[native.len() + j] = Heuristic::Php(FactKind::ALL[j]);
            j += 1;
        }
        all
    };

    /// The heuristic's place in [`Heuristic::ALL`].
    pub fn index(self) -> usize {
        match self {
            Heuristic::Php(kind) => {
                28 + FactKind::ALL
                    .iter()
                    .position(|k| *k == kind)
                    .unwrap_or_default()
            }
            native => Heuristic::ALL
                .iter()
                .position(|h| *h == native)
                .unwrap_or_default(),
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Heuristic::LongLine => "long-line",
            Heuristic::EncodedBlob => "encoded-blob",
            Heuristic::HighEntropy => "high-entropy",
            Heuristic::InjectedFirstLine => "injected-first-line",
            Heuristic::PhpInImage => "php-in-image",
            Heuristic::HtaccessHandler => "htaccess-handler",
            Heuristic::PhpInUploads => "php-in-uploads",
            Heuristic::PhpInTemp => "php-in-temp",
            Heuristic::ElfInTemp => "elf-in-temp",
            Heuristic::HiddenFolder => "hidden-folder",
            Heuristic::Timestomp => "timestomp",
            Heuristic::MinerMarker => "miner-marker",
            Heuristic::MailerMarker => "mailer-marker",
            Heuristic::MoneroWallet => "monero-wallet",
            Heuristic::PhishingPage => "phishing-page",
            Heuristic::PhishingAntibot => "phishing-antibot",
            Heuristic::PhishingKitArchive => "phishing-kit-archive",
            Heuristic::ForgedSender => "forged-sender",
            Heuristic::ScriptFetchRun => "script-fetch-run",
            Heuristic::ScriptHiddenDrop => "script-hidden-drop",
            Heuristic::ScriptRunDelete => "script-run-delete",
            Heuristic::ScriptTempExec => "script-temp-exec",
            Heuristic::ScriptDecodeExec => "script-decode-exec",
            Heuristic::ScriptSocketShell => "script-socket-shell",
            Heuristic::ScriptRemoteCommand => "script-remote-command",
            Heuristic::ScriptIrcBot => "script-irc-bot",
            Heuristic::ScriptPersistence => "script-persistence",
            Heuristic::ScriptCoverTracks => "script-cover-tracks",
            Heuristic::Php(kind) => kind.id(),
        }
    }
}

/// A heuristic that hit, and the byte offset it points at (for the line and excerpt).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HeuristicHit {
    pub heuristic: Heuristic,
    pub offset: Option<usize>,
    /// The family, when the context decides it rather than the weights file: a
    /// request flow found in code a loader decoded makes the file a loader.
    pub family: Option<Family>,
}

/// What the PHP analysis of a file gave besides its hits.
#[derive(Debug, Default)]
pub(crate) struct PhpOutcome {
    /// The path of each fact, by heuristic (`$_POST['c'] (line 2) → system($c) (line 4)`).
    pub paths: Vec<(Heuristic, String)>,
    /// Why the analysis did not see the whole file.
    pub cut: Option<breachkit_php::Cut>,
}

/// What the heuristics see of one file.
pub(crate) struct View<'a> {
    /// The host path, escaped.
    pub path: &'a str,
    pub bytes: &'a [u8],
    pub kind: Kind,
    /// Modification and inode change times (seconds since the epoch).
    pub mtime: i64,
    pub ctime: i64,
    pub places: &'a Places,
    /// For a file of an application tree unpacked in a temp or upload folder, its
    /// path below the tree's root (`/wp-includes/load.php`); `None` for a loose
    /// file, and where the surroundings were not looked at (bytes scanned alone).
    pub app_path: Option<&'a str>,
    /// The words YARA (or a native pass) found in the file.
    pub words: &'a Words,
}

/// Runs every native heuristic that applies to the file's kind.
pub(crate) fn run(view: &View, out: &mut Vec<HeuristicHit>) {
    let mut hit = |heuristic, offset| {
        out.push(HeuristicHit {
            heuristic,
            offset,
            family: None,
        })
    };
    match view.kind {
        Kind::Php => text::run(view.bytes, true, &mut hit),
        Kind::Script => {
            text::run(view.bytes, false, &mut hit);
            script::run(view.path, view.bytes, &mut hit);
        }
        _ => {}
    }
    place::run(view, &mut hit);
    markers::run(
        view.bytes,
        view.kind.is_text(),
        view.kind == Kind::Elf,
        view.words,
        &mut hit,
    );
    phishing::run(view, &mut hit);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique() {
        let mut ids: Vec<_> = Heuristic::ALL.iter().map(|h| h.id()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), Heuristic::ALL.len());
        for (i, h) in Heuristic::ALL.iter().enumerate() {
            assert_eq!(h.index(), i);
        }
    }
}
