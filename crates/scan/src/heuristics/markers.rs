//! Miner and mailer markers: pool addresses and miner names (the project's shared
//! list, `rules/ioc/miner-pools.txt`) and bulk-mail phrases, found with one
//! case-insensitive Aho-Corasick pass.
//!
//! A miner's configuration or launcher is small; pool names in a large text file
//! are entries of a list (an HSTS preload list, a blocklist), so there it takes two
//! different markers close together (a pool next to a miner's name or option).

use super::Heuristic;
use aho_corasick::{AhoCorasick, AhoCorasickKind};
use std::sync::LazyLock;

const MINER_LIST: &str = include_str!("../../../../rules/ioc/miner-pools.txt");

/// Phrases of bulk-mail tools and forged mail headers.
const MAILER_MARKERS: &[&str] = &[
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

struct Markers {
    ac: AhoCorasick,
    /// Patterns below this index are miner markers, the rest mailer markers.
    miners: usize,
}

static MARKERS: LazyLock<Markers> = LazyLock::new(|| {
    let miners: Vec<&str> = MINER_LIST
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let n = miners.len();
    let ac = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .kind(Some(AhoCorasickKind::DFA))
        .build(miners.into_iter().chain(MAILER_MARKERS.iter().copied()))
        .expect("static marker patterns");
    Markers { ac, miners: n }
});

/// A text file larger than this needs two different miner markers within
/// [`NEAR`] bytes.
const SMALL_TEXT: usize = 256 << 10;
const NEAR: usize = 1024;

/// `program`: the file is an executable (ELF), where one marker is enough.
pub(crate) fn run(bytes: &[u8], program: bool, hit: &mut impl FnMut(Heuristic, Option<usize>)) {
    let m = &*MARKERS;
    let one_is_enough = program || bytes.len() <= SMALL_TEXT;
    // The last miner marker seen: (pattern, offset).
    let mut miner: Option<(usize, usize)> = None;
    let mut miner_reported = false;
    let mut mailer = false;
    for found in m.ac.find_iter(bytes) {
        let pattern = found.pattern().as_usize();
        if pattern >= m.miners {
            if !mailer {
                mailer = true;
                hit(Heuristic::MailerMarker, Some(found.start()));
            }
        } else if !miner_reported {
            let at = found.start();
            miner_reported = one_is_enough
                || miner.is_some_and(|(last, last_at)| last != pattern && at - last_at <= NEAR);
            if !miner_reported {
                miner = Some((pattern, at));
            }
            if miner_reported {
                hit(Heuristic::MinerMarker, miner.map(|(_, at)| at));
            }
        }
        if miner_reported && mailer {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(b: &[u8]) -> Vec<Heuristic> {
        let mut v = Vec::new();
        run(b, false, &mut |h, _| v.push(h));
        v
    }

    #[test]
    fn markers() {
        assert_eq!(
            hits(b"url = STRATUM+TCP://pool:3333"),
            [Heuristic::MinerMarker]
        );
        assert_eq!(
            hits(b"$h .= 'X-MSMail-Priority: High';"),
            [Heuristic::MailerMarker]
        );
        assert!(hits(b"the mining of data; stratum of rock").is_empty());
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
        assert!(hits(&list).is_empty());
        let mut v = Vec::new();
        run(&list, true, &mut |h, _| v.push(h));
        assert_eq!(v, [Heuristic::MinerMarker]);
        list.extend(b"// xmrig -o f2pool.com:3333\n");
        assert_eq!(hits(&list), [Heuristic::MinerMarker]);
    }
}
