//! The words the heuristics start from: request data and what hides or runs code
//! (whether the PHP analysis is worth running), miner and mailer markers, mining
//! words (whether to look for a wallet address), and the words a phishing page,
//! an anti-bot filter or a forged sender cannot do without (whether to read the
//! file for them).
//!
//! They are found in the pass YARA makes over every file anyway: [`yara_rule`] gives
//! a private rule of them for each rule scope (the PHP words only where PHP rules
//! run), compiled with the built-in rules, and [`Words::add_yara`] reads its
//! matches. When YARA did not finish a file (timeout), [`Words::native`] finds them
//! all with one Aho-Corasick pass. Both are ASCII case-insensitive and give each
//! group's earliest offset.

use super::{markers, phishing, php};
use crate::rules::Scope;
use aho_corasick::{AhoCorasick, AhoCorasickKind};
use std::fmt::Write;
use std::sync::LazyLock;

/// What a word tells the heuristics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Request,
    Hidden,
    Miner,
    Mailer,
    Mining,
    Phishing,
}

/// Words that, two of them in one file, make a Monero address a miner's wallet.
const MINING: &[&str] = &["xmr", "monero", "pool", "--user"];

/// The names of the private YARA rules (in the built-in namespace) start so.
const RULE_PREFIX: &str = "breachkit_words_";

impl Group {
    /// The rule scope where the word matters: PHP's words in files PHP may run.
    fn scope(self) -> Scope {
        match self {
            Group::Request | Group::Hidden => Scope::Php,
            Group::Miner | Group::Mailer | Group::Mining => Scope::Any,
            Group::Phishing => Scope::Script,
        }
    }
}

/// Whether a rule is one of `rules/yara/php/look.yar`'s: shapes that hide names,
/// which make a file worth the PHP analysis as the hidden words do.
pub(crate) fn is_look_rule(identifier: &str) -> bool {
    identifier.starts_with("look_")
}

/// Whether a rule of the built-in namespace is one of [`yara_rule`]'s.
pub(crate) fn is_words_rule(identifier: &str) -> bool {
    identifier.starts_with(RULE_PREFIX)
}

/// Every word with its group; the index is the YARA pattern's number (`$w<index>`).
static WORDS: LazyLock<Vec<(Group, &'static str)>> = LazyLock::new(|| {
    let group =
        |g: Group, list: &[&'static str]| list.iter().map(move |w| (g, *w)).collect::<Vec<_>>();
    let mut all = group(Group::Request, php::REQUEST);
    all.extend(group(Group::Hidden, php::HIDDEN));
    all.extend(group(Group::Miner, &markers::miner_list()));
    all.extend(group(Group::Mailer, markers::MAILER_MARKERS));
    all.extend(group(Group::Mining, MINING));
    all.extend(group(Group::Phishing, &phishing::gate_words()));
    all
});

/// What a file contains of the words.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Words {
    /// Request data (superglobals, headers, the body).
    pub request: bool,
    /// What runs or hides code (`eval`, command runners, variable variables…).
    pub hidden: bool,
    /// Where the first miner marker starts.
    pub miner: Option<usize>,
    /// Where the first mailer marker starts.
    pub mailer: Option<usize>,
    /// How many different mining words occur.
    pub mining: usize,
    /// A word the phishing heuristics start from.
    pub phishing: bool,
}

impl Words {
    fn add(&mut self, word: usize, at: usize) {
        let earliest = |o: &mut Option<usize>| *o = Some(o.map_or(at, |o| o.min(at)));
        match WORDS[word].0 {
            Group::Request => self.request = true,
            Group::Hidden => self.hidden = true,
            Group::Miner => earliest(&mut self.miner),
            Group::Mailer => earliest(&mut self.mailer),
            Group::Mining => self.mining += 1,
            Group::Phishing => self.phishing = true,
        }
    }

    /// Adds the words in the matches of one of [`yara_rule`]'s rules (the first
    /// match of each pattern).
    pub fn add_yara(&mut self, rule: &yara_x::Rule) {
        for pattern in rule.patterns() {
            let Some(first) = pattern.matches().next() else {
                continue;
            };
            if let Some(i) = pattern
                .identifier()
                .strip_prefix("$w")
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|i| *i < WORDS.len())
            {
                self.add(i, first.range().start);
            }
        }
    }

    /// The words found without YARA.
    pub fn native(bytes: &[u8]) -> Words {
        static AC: LazyLock<AhoCorasick> = LazyLock::new(|| {
            AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .kind(Some(AhoCorasickKind::DFA))
                .build(WORDS.iter().map(|(_, w)| w))
                .expect("static word patterns")
        });
        let mut seen = vec![false; WORDS.len()];
        let mut words = Words::default();
        for m in AC.find_overlapping_iter(bytes) {
            let i = m.pattern().as_usize();
            if !seen[i] {
                seen[i] = true;
                words.add(i, m.start());
            }
        }
        words
    }
}

/// The private YARA rule that finds the words of a scope, if it has any.
pub(crate) fn yara_rule(scope: Scope) -> Option<String> {
    let name = format!("{scope:?}").to_lowercase();
    let mut src = format!("private rule {RULE_PREFIX}{name}\n{{\n    strings:\n");
    let mut any = false;
    for (i, (_, word)) in WORDS
        .iter()
        .enumerate()
        .filter(|(_, (g, _))| g.scope() == scope)
    {
        any = true;
        let mut text = String::new();
        for c in word.chars() {
            match c {
                '"' | '\\' => text.extend(['\\', c]),
                ' '..='~' => text.push(c),
                _ => {
                    let _ = write!(text, "\\x{:02x}", c as u32);
                }
            }
        }
        let _ = writeln!(src, "        $w{i} = \"{text}\" nocase");
    }
    src.push_str("    condition:\n        any of them\n}\n");
    any.then_some(src)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_and_offsets() {
        let w = Words::native(b"x = gzInflate($_POST['a']); // XMRig pool monero");
        assert!(w.hidden && w.request);
        assert_eq!(w.miner, Some(31));
        assert_eq!(w.mailer, None);
        assert_eq!(w.mining, 3);
        assert_eq!(Words::native(b"plain text"), Words::default());
    }

    /// YARA's first match of each word gives what one native pass gives.
    #[test]
    fn yara_finds_what_the_native_pass_finds() {
        let rules = crate::rules::compile(&[]).expect("built-in rules");
        let mut scanner = yara_x::Scanner::new(&rules.builtin[Scope::Php as usize]);
        scanner.fast_scan(true);
        let inputs: &[&[u8]] = &[
            b"<?php echo md5($x); $y = BASE64_DECODE($_Cookie['k']);",
            b"mass mailer: X-MSMail-Priority: High ... massmailer",
            b"./xmrig -o stratum+tcp://pool.supportxmr.com:3333 --user 4abc --donate-level 1",
            b"nothing here at all",
            b"overlap: gulf.moneroocean.stream and moneroocean.stream",
        ];
        for input in inputs {
            let results = scanner.scan(input).expect("scan");
            let mut from_yara = Words::default();
            for rule in results.matching_rules().include_private(true) {
                if is_words_rule(rule.identifier()) {
                    from_yara.add_yara(&rule);
                }
            }
            assert_eq!(
                from_yara,
                Words::native(input),
                "{}",
                String::from_utf8_lossy(input)
            );
        }
    }
}
