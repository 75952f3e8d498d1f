//! Miner and mailer markers: pool addresses and miner names (the project's shared
//! list, `rules/ioc/miner-pools.txt`) and bulk-mail phrases, found with one
//! case-insensitive Aho-Corasick pass.

use super::Heuristic;
use aho_corasick::AhoCorasick;
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
        .build(miners.into_iter().chain(MAILER_MARKERS.iter().copied()))
        .expect("static marker patterns");
    Markers { ac, miners: n }
});

pub(crate) fn run(bytes: &[u8], hit: &mut impl FnMut(Heuristic, Option<usize>)) {
    let m = &*MARKERS;
    let (mut miner, mut mailer) = (false, false);
    for found in m.ac.find_iter(bytes) {
        let h = if found.pattern().as_usize() < m.miners {
            &mut miner
        } else {
            &mut mailer
        };
        if !*h {
            *h = true;
            let which = if found.pattern().as_usize() < m.miners {
                Heuristic::MinerMarker
            } else {
                Heuristic::MailerMarker
            };
            hit(which, Some(found.start()));
        }
        if miner && mailer {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(b: &[u8]) -> Vec<Heuristic> {
        let mut v = Vec::new();
        run(b, &mut |h, _| v.push(h));
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
    }
}
