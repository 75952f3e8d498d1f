//! Miner and mailer markers and Monero wallets: pool addresses and miner names (the
//! project's shared list, `rules/ioc/miner-pools.txt`), bulk-mail phrases, and a
//! wallet address in a file that talks about mining. The markers themselves are
//! found with the other [`Words`]; this module judges them.
//!
//! A miner's configuration or launcher is small; pool names in a large text file
//! are entries of a list (an HSTS preload list, a blocklist), so there it takes two
//! different markers close together (a pool next to a miner's name or option).

use super::Heuristic;
use super::words::Words;
use aho_corasick::{AhoCorasick, AhoCorasickKind};
use regex::bytes::Regex;
use std::sync::LazyLock;

const MINER_LIST: &str = include_str!("../../../../rules/ioc/miner-pools.txt");

/// Phrases of bulk-mail tools and forged mail headers.
pub(super) const MAILER_MARKERS: &[&str] = &[
    "mass mailer",
    "massmailer",
    "bulk mailer",
    "inbox mailer",
    "emaillist",
    "email list :",
    "leads.txt",
    "X-MSMail-Priority: High",
    "X-Mailer: Microsoft Office Outlook",
    "X-Mailer: Microsoft Outlook Express",
];

/// The miner markers of `rules/ioc/miner-pools.txt`.
pub(super) fn miner_list() -> Vec<&'static str> {
    MINER_LIST
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// A text file larger than this needs two different miner markers within
/// [`NEAR`] bytes.
const SMALL_TEXT: usize = 256 << 10;
const NEAR: usize = 1024;
/// Files larger than this are not searched for wallets.
const WALLET_MAX: usize = 5 << 20;

/// A standard Monero address: `4`, then `0-9`, `A` or `B`, then 93 base58 characters.
static WALLET: LazyLock<Regex> = LazyLock::new(|| {
    regex::bytes::RegexBuilder::new(r"\b4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}\b")
        .unicode(false)
        .build()
        .expect("static regex")
});

/// `program`: the file is an executable (ELF), where one marker is enough; `text`:
/// the file is text (markers in other binary data mean nothing).
pub(crate) fn run(
    bytes: &[u8],
    text: bool,
    program: bool,
    words: &Words,
    hit: &mut impl FnMut(Heuristic, Option<usize>),
) {
    if text || program {
        if let Some(at) = words.mailer {
            hit(Heuristic::MailerMarker, Some(at));
        }
        if let Some(first) = words.miner {
            let at = if program || bytes.len() <= SMALL_TEXT {
                Some(first)
            } else {
                two_markers_near(bytes)
            };
            if at.is_some() {
                hit(Heuristic::MinerMarker, at);
            }
        }
    }
    if words.mining >= 2
        && bytes.len() < WALLET_MAX
        && let Some(m) = WALLET.find(bytes)
    {
        hit(Heuristic::MoneroWallet, Some(m.start()));
    }
}

/// Where a miner marker follows a different one within [`NEAR`] bytes.
fn two_markers_near(bytes: &[u8]) -> Option<usize> {
    static AC: LazyLock<AhoCorasick> = LazyLock::new(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .kind(Some(AhoCorasickKind::DFA))
            .build(miner_list())
            .expect("static marker patterns")
    });
    let mut last: Option<(usize, usize)> = None;
    for found in AC.find_iter(bytes) {
        let (pattern, at) = (found.pattern().as_usize(), found.start());
        if let Some((last_pattern, last_at)) = last
            && last_pattern != pattern
            && at - last_at <= NEAR
        {
            return Some(last_at);
        }
        last = Some((pattern, at));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(b: &[u8], program: bool) -> Vec<Heuristic> {
        let mut v = Vec::new();
        run(b, true, program, &Words::native(b), &mut |h, _| v.push(h));
        v
    }

    #[test]
    fn markers() {
        assert_eq!(
            hits(b"url = STRATUM+TCP://pool:3333", false),
            [Heuristic::MinerMarker]
        );
        assert_eq!(
            hits(b"$h .= 'X-MSMail-Priority: High';", false),
            [Heuristic::MailerMarker]
        );
        assert!(hits(b"the mining of data; stratum of rock", false).is_empty());
        // Pools among thousands of domains (an HSTS list) are no miner; a pool
        // next to a miner's name in a large file is.
        let mut list = b"<?php return [\n".to_vec();
        for i in 0..40_000 {
            list.extend(format!("'site{i}.example' => 1,\n").as_bytes());
            match i {
                100 => list.extend(b"'f2pool.com' => 1,\n"),
                30_000 => list.extend(b"'nanopool.org' => 1,\n"),
                _ => {}
            }
        }
        list.extend(b"];\n");
        assert!(list.len() > SMALL_TEXT);
        assert!(hits(&list, false).is_empty());
        assert_eq!(hits(&list, true), [Heuristic::MinerMarker]);
        list.extend(b"// xmrig -o f2pool.com:3333\n");
        assert_eq!(hits(&list, false), [Heuristic::MinerMarker]);
    }

    #[test]
    fn wallets() {
        let wallet = format!("4A{}", "x".repeat(93));
        let launcher = format!("./run --user {wallet} -o pool.example:443");
        assert_eq!(hits(launcher.as_bytes(), false), [Heuristic::MoneroWallet]);
        // An address without mining words, and mining words without an address.
        assert!(hits(format!("id = {wallet}").as_bytes(), false).is_empty());
        assert!(hits(b"xmr pool 4A123", false).is_empty());
        // Part of a longer token is no address.
        assert!(hits(format!("pool xmr {wallet}x").as_bytes(), false).is_empty());
    }
}
