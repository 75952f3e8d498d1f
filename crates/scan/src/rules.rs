//! The YARA rules: breachkit's own (`rules/yara/*.yar`, embedded in the binary) and
//! the user's (`--rules FILE|DIR`), compiled once into one rule set. Each rule's
//! meta says its family, score and description; user rules without them count as
//! `scan.user-rule` with [`USER_SCORE`].

use crate::ScanError;
use crate::family::Family;
use crate::heuristics;
use std::path::{Path, PathBuf};

/// The embedded rule files, by name.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "php_webshell.yar",
        include_str!("../../../rules/yara/php_webshell.yar"),
    ),
    (
        "php_loader.yar",
        include_str!("../../../rules/yara/php_loader.yar"),
    ),
    ("mailer.yar", include_str!("../../../rules/yara/mailer.yar")),
    ("bot.yar", include_str!("../../../rules/yara/bot.yar")),
    ("miner.yar", include_str!("../../../rules/yara/miner.yar")),
    (
        "dropper.yar",
        include_str!("../../../rules/yara/dropper.yar"),
    ),
    ("shell.yar", include_str!("../../../rules/yara/shell.yar")),
];

const BUILTIN_NAMESPACE: &str = "breachkit";
const USER_NAMESPACE: &str = "user";
/// Score of a user rule without a `score` meta.
pub(crate) const USER_SCORE: u32 = 75;
/// Score of a built-in rule without a `score` meta (none ships without one).
const DEFAULT_SCORE: u32 = 50;

/// Compiles the built-in rules and the user's rule files (or every `*.yar` and
/// `*.yara` under a directory given).
pub(crate) fn compile(user: &[PathBuf]) -> Result<yara_x::Rules, ScanError> {
    let mut compiler = yara_x::Compiler::new();
    compiler.colorize_errors(false);
    compiler.new_namespace(BUILTIN_NAMESPACE);
    for (name, src) in BUILTIN {
        add(&mut compiler, src, name)?;
    }
    add(
        &mut compiler,
        &heuristics::words_rule(),
        "(the heuristics' words)",
    )?;
    if !user.is_empty() {
        compiler.new_namespace(USER_NAMESPACE);
        for path in user {
            let files = rule_files(path)?;
            for file in files {
                let src = std::fs::read_to_string(&file).map_err(|e| ScanError::read(&file, e))?;
                add(&mut compiler, &src, &breachkit_finding::escape_path(&file))?;
            }
        }
    }
    Ok(compiler.build())
}

/// The built-in private rule that finds the heuristics' words.
pub(crate) fn is_words_rule(rule: &yara_x::Rule) -> bool {
    rule.namespace() == BUILTIN_NAMESPACE && rule.identifier() == heuristics::WORDS_RULE
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
        for (name, src) in BUILTIN {
            add(&mut compiler, src, name).unwrap();
        }
        let warnings: Vec<String> = compiler.warnings().iter().map(|w| w.to_string()).collect();
        assert!(warnings.is_empty(), "{}", warnings.join("\n"));
    }

    #[test]
    fn builtin_rules_compile_with_meta() {
        let rules = compile(&[]).unwrap();
        let mut n = 0;
        for rule in rules.iter().filter(|r| !is_words_rule(r)) {
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
        let err = compile(&[bad]).unwrap_err().to_string();
        assert!(err.contains("bad.yar"), "{err}");
        let empty = tempfile::tempdir().unwrap();
        assert!(matches!(
            compile(&[empty.path().to_path_buf()]),
            Err(ScanError::NoRules { .. })
        ));
    }
}
