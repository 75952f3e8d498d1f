//! The second stage for PHP: a file the first stage marks as worth a look
//! ([`worth_a_look`]: request data, what runs or hides code, or a hit already) is
//! analysed by `breachkit-php` (its syntax tree, obfuscation folded, data followed
//! from the request to code, command, include and file sinks). Each fact is a hit
//! ([`Heuristic::Php`]) with the path from the source to the sink.

use super::words::Words;
use super::{Heuristic, HeuristicHit, PhpOutcome};
use crate::family::Family;
use crate::shellcmd::{self, SignKind};
use crate::weights::WEIGHTS;
use breachkit_php::{Analyzer, FactKind, Limits, Origin};

/// Request data: superglobals, request headers, the body.
pub(super) const REQUEST: &[&str] = &[
    "$_get",
    "$_post",
    "$_request",
    "$_cookie",
    "$_files",
    "['http_",
    "[\"http_",
    "php://input",
    "getallheaders",
    "$http_",
];

/// What runs code or hides what runs: code and command runners, variable
/// variables, XOR of string literals, the decoders honest code seldom uses,
/// downloads. Chosen on Debian's PHP applications (few files have them) and real
/// webshells without request words (many do): `scripts/bench/scan` measures both.
pub(super) const HIDDEN: &[&str] = &[
    "eval(",
    "eval (",
    "assert(",
    "create_function",
    "${",
    "$$",
    "\"^",
    "'^'",
    "' ^ '",
    "str_rot13",
    "gzinflate",
    "gzuncompress",
    "convert_uudecode",
    "system(",
    "passthru",
    "shell_exec",
    "popen(",
    "proc_open",
    "pcntl_exec",
    "move_uploaded_file",
    "curl_exec",
    "fsockopen",
];

/// Largest file analysed for request words alone. Webshells that use the request
/// plainly are small (a few KiB); the large files that read request data are
/// applications' own (a framework's request class, an editor): analysing them
/// costs most of the stage and finds nothing. Measured on the bench corpora
/// (scripts/bench/README.md): 48 rather than 64 KiB spares 26 Debian files (1.5 MB
/// parsed) and loses 4 of 2,391 webshells that only this gate let through. A
/// large file is still analysed when it hides or runs code, or scored already.
const REQUEST_ONLY_MAX: usize = 48 << 10;

/// Largest file analysed for the words that run or hide code alone. Above it are
/// libraries (a PDF writer, a parser generated from a grammar: hundreds of KiB
/// that parse and run for most of a second), not what attackers upload or inject:
/// a loader injected into a large file is found by the first stage's rules, and a
/// large file they scored is still analysed.
const HIDDEN_ONLY_MAX: usize = 256 << 10;

/// Whether the analysis is worth its cost: the file holds request data (and is
/// not large) or what runs or hides code (and is not very large), or already
/// scored in the first stage.
pub(crate) fn worth_a_look(words: &Words, size: usize, first_stage_score: u32) -> bool {
    (words.request && size <= REQUEST_ONLY_MAX)
        || (words.hidden && size <= HIDDEN_ONLY_MAX)
        || first_stage_score >= WEIGHTS.report_floor()
}

/// Analyses the file; each fact is a hit at the fact's offset.
pub(crate) fn analyse(
    analyzer: &mut Analyzer,
    limits: &Limits,
    path: &str,
    bytes: &[u8],
    in_image: bool,
    hit: &mut impl FnMut(HeuristicHit),
) -> PhpOutcome {
    let analysis = analyzer.analyse_at(Some(path), bytes, limits);
    let mut outcome = PhpOutcome {
        cut: analysis.cut,
        ..PhpOutcome::default()
    };
    for fact in &analysis.facts {
        let h = Heuristic::Php(fact.kind);
        let mut path = fact.path_text();
        if fact.kind == FactKind::ConstantCommand {
            // A command written in the code counts when the shell command rules
            // see an attacker's move in it.
            let command = String::from_utf8_lossy(fact.detail.as_deref().unwrap_or_default());
            let Some(sign) = shellcmd::classify(&command)
                .into_iter()
                .find(|s| ATTACKER_SIGNS.contains(&s.kind))
            else {
                continue;
            };
            path = format!("{path}: {}", sign.kind.describe());
        }
        // What PHP hidden in an image does is what the image is for; what code a
        // loader decodes or a dropper writes does is what they are for.
        let family = match (in_image, fact.origin) {
            (true, _) => Some(Family::PhpInImage),
            (false, Origin::Decoded) => Some(Family::Loader),
            (false, Origin::Written) => Some(Family::Dropper),
            (false, Origin::File) => None,
        };
        hit(HeuristicHit {
            heuristic: h,
            offset: Some(fact.offset),
            family,
        });
        if !outcome.paths.iter().any(|(k, _)| *k == h) {
            outcome.paths.push((h, path));
        }
    }
    outcome
}

/// Signs of a shell command that honest PHP code does not run.
const ATTACKER_SIGNS: &[SignKind] = &[
    SignKind::DownloadExec,
    SignKind::DecodeExec,
    SignKind::ReverseShell,
    SignKind::TempExec,
    SignKind::HiddenExec,
    SignKind::HistoryWipe,
    SignKind::LogWipe,
    SignKind::SshKeyAdd,
    SignKind::PrivilegedAccount,
    SignKind::FirewallOff,
    SignKind::CrontabInstall,
    SignKind::Miner,
];
