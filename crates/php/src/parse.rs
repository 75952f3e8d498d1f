//! tree-sitter's PHP grammar, two ways: files (HTML with `<?php` tags) and code
//! without tags (what `eval` runs). Parsing stops at the analysis deadline.

use std::time::Instant;
use tree_sitter::{Parser, Tree};

/// One parser per grammar, reused for every file a thread analyses.
pub(crate) struct Parsers {
    file: Parser,
    code: Parser,
}

impl Parsers {
    pub fn new() -> Parsers {
        let make = |language: tree_sitter_language::LanguageFn| {
            let mut p = Parser::new();
            // The grammar is compiled into this binary with the library it was
            // generated for: setting it cannot fail.
            let _ = p.set_language(&language.into());
            p
        };
        Parsers {
            file: make(tree_sitter_php::LANGUAGE_PHP),
            code: make(tree_sitter_php::LANGUAGE_PHP_ONLY),
        }
    }

    /// A whole file; `None` when the deadline passed first.
    pub fn file(&mut self, src: &[u8], deadline: Instant) -> Option<Tree> {
        parse(&mut self.file, src, deadline)
    }

    /// Code without an opening tag.
    pub fn code(&mut self, src: &[u8], deadline: Instant) -> Option<Tree> {
        parse(&mut self.code, src, deadline)
    }
}

/// How much structure `src` holds: its punctuation and operator bytes, which is
/// what a syntax tree's node count (and memory) follows. Text, names and blobs
/// cost little; `'a'.'a'.'a'…` costs at every byte.
pub(crate) fn structure(src: &[u8]) -> usize {
    src.iter()
        .filter(|b| {
            matches!(
                b,
                b'.' | b','
                    | b';'
                    | b'('
                    | b')'
                    | b'['
                    | b']'
                    | b'{'
                    | b'}'
                    | b'='
                    | b'\''
                    | b'"'
                    | b'$'
                    | b'+'
                    | b'-'
                    | b'*'
                    | b'<'
                    | b'>'
                    | b'!'
                    | b'&'
                    | b'|'
                    | b'^'
                    | b'?'
                    | b':'
                    | b'@'
            )
        })
        .count()
}

fn parse(parser: &mut Parser, src: &[u8], deadline: Instant) -> Option<Tree> {
    let mut calls = 0u32;
    let mut past_deadline = |_: &tree_sitter::ParseState| {
        calls = calls.wrapping_add(1);
        calls.is_multiple_of(64) && Instant::now() > deadline
    };
    let options = tree_sitter::ParseOptions::new().progress_callback(&mut past_deadline);
    let len = src.len();
    let tree = parser.parse_with_options(
        &mut |at: usize, _| if at < len { &src[at..] } else { &[][..] },
        None,
        Some(options),
    );
    if tree.is_none() {
        parser.reset();
    }
    tree
}
