//! Scripts judged by what they do, not by how one sample spelled it.
//!
//! Shell scripts are read as the shell reads them (`shell`): every line goes to
//! the shell command judge (`crate::shellcmd`, the one that reads histories, cron
//! jobs and units), and the commands are followed across lines, so a script that
//! changes into a temp folder, downloads to a dot-file, makes it executable, runs
//! and deletes it is a dropper though no line holds the whole path.
//!
//! Perl and Python scripts are tokenised (`perl`, `python`) and their behaviour
//! read from the tokens (`code`): data from a socket or a download that reaches a
//! command runner (a backdoor, an IRC bot when the script speaks IRC, a dropper),
//! a shell wired to a socket (a reverse or bind shell), downloads written to files
//! and run. The commands they run are judged by the same shell judge, and the
//! downloads of every language go into one record (`drops`).

mod code;
mod drops;
mod perl;
mod python;
mod shell;

use super::Heuristic;
use crate::shellcmd::SignKind;
use drops::Drops;

/// The language of a script, from its `#!` line or its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    Shell,
    Perl,
    Python,
}

impl Lang {
    fn of(path: &str, bytes: &[u8]) -> Option<Lang> {
        if let Some(line) = bytes.strip_prefix(b"#!") {
            let line = &line[..memchr::memchr(b'\n', line).unwrap_or(line.len()).min(256)];
            let line = String::from_utf8_lossy(line);
            let mut words = line.split_whitespace();
            let mut program = words.next().unwrap_or_default();
            if program.rsplit('/').next() == Some("env") {
                program = words
                    .find(|w| !w.starts_with('-') && !w.contains('='))
                    .unwrap_or_default();
            }
            let name = program.rsplit('/').next().unwrap_or(program);
            if name == "busybox" {
                return Some(Lang::Shell);
            }
            return Lang::named(name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.'));
        }
        match super::extension_of(path).as_str() {
            "sh" | "bash" => Some(Lang::Shell),
            "pl" | "pm" => Some(Lang::Perl),
            "py" => Some(Lang::Python),
            _ => None,
        }
    }

    fn named(name: &str) -> Option<Lang> {
        match name {
            "sh" | "bash" | "dash" | "zsh" | "ksh" | "ash" | "mksh" => Some(Lang::Shell),
            "perl" => Some(Lang::Perl),
            "python" | "pypy" => Some(Lang::Python),
            _ => None,
        }
    }
}

/// What a script was seen doing: each heuristic once, at its earliest offset.
#[derive(Debug, Default)]
struct Seen(Vec<(Heuristic, usize)>);

impl Seen {
    fn add(&mut self, h: Heuristic, at: usize) {
        match self.0.iter_mut().find(|(x, _)| *x == h) {
            Some(e) => e.1 = e.1.min(at),
            None => self.0.push((h, at)),
        }
    }

    /// A sign the shell command judge found on a line.
    fn sign(&mut self, kind: SignKind, at: usize) {
        use SignKind::*;
        let h = match kind {
            DownloadExec => Heuristic::ScriptFetchRun,
            DecodeExec => Heuristic::ScriptDecodeExec,
            ReverseShell => Heuristic::ScriptSocketShell,
            TempExec | HiddenExec => Heuristic::ScriptTempExec,
            SshKeyAdd | AccountAdd | PrivilegedAccount | Immutable | CrontabInstall => {
                Heuristic::ScriptPersistence
            }
            HistoryWipe | LogWipe | FirewallOff => Heuristic::ScriptCoverTracks,
            // Miners have their own markers; a bare download is no sign.
            Miner | Fetch => return,
        };
        self.add(h, at);
    }
}

/// What is known while a script is read: what it did, what it downloaded.
#[derive(Debug, Default)]
struct Judge {
    seen: Seen,
    drops: Drops,
}

/// Judges a script (a file of kind `Script`) by what it does.
pub(crate) fn run(path: &str, bytes: &[u8], hit: &mut impl FnMut(Heuristic, Option<usize>)) {
    let Some(lang) = Lang::of(path, bytes) else {
        return;
    };
    let mut j = Judge::default();
    match lang {
        Lang::Shell => shell::script(bytes, &mut j),
        Lang::Perl => code::judge(bytes, &perl::tokens(bytes), code::Lang::Perl, &mut j),
        Lang::Python => code::judge(bytes, &python::tokens(bytes), code::Lang::Python, &mut j),
    }
    j.drops.report(&mut j.seen);
    for (h, at) in j.seen.0 {
        hit(h, Some(at));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages() {
        assert_eq!(Lang::of("/x/run", b"#!/bin/sh\n"), Some(Lang::Shell));
        assert_eq!(
            Lang::of("/x/run", b"#!/usr/bin/env -S bash -e\n"),
            Some(Lang::Shell)
        );
        assert_eq!(
            Lang::of("/x/a.sh", b"#!/usr/bin/perl -w\n"),
            Some(Lang::Perl)
        );
        assert_eq!(
            Lang::of("/x/a", b"#!/usr/bin/python3.11\n"),
            Some(Lang::Python)
        );
        assert_eq!(Lang::of("/x/a.py", b"import os\n"), Some(Lang::Python));
        assert_eq!(Lang::of("/x/a.cgi", b"print 1\n"), None);
        assert_eq!(Lang::of("/x/a", b"#!/usr/bin/ruby\n"), None);
    }
}
