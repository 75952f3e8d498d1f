//! PHP analysis for breachkit: what a PHP file does with request data and with
//! the code it hides, read from its syntax tree rather than from patterns.
//!
//! The file is parsed with tree-sitter's PHP grammar (PHP 5 string offsets in
//! braces rewritten first, `legacy`), then walked by an abstract interpreter
//! (`interp`) that computes for each expression what is known of its value
//! (`value`): strings put together from pieces, escapes, `chr()`, XOR of literals,
//! barewords and decoders are folded (`fold`, `decode`), so the names and code an
//! obfuscator hides are seen; data from the request (superglobals, headers, the
//! body), from decoders and from the network is followed through variables,
//! arrays, variable variables, `extract`, functions (inlined with their
//! arguments), closures and callbacks to the sinks where it matters: code runners,
//! command runners, `include`, dynamic calls whose callee is computed, file
//! writes, uploads, `mail`. Code decoded at analysis time is parsed and walked in
//! turn, recursively, within [`Limits`]. Each [`Fact`] names the sink and the path
//! from the source to it, with lines.
//!
//! A file that does not parse entirely is analysed on what parsed. The scanner
//! uses this as its second stage, on the files its first stage selects; the code
//! audit builds on it for SQL injection.

mod catalog;
mod decode;
mod facts;
mod fold;
mod interp;
mod legacy;
mod parse;
mod syntax;
mod value;

pub use facts::{Fact, FactKind, Origin, Step};

use std::time::Duration;

/// How far one file's analysis may go.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Parsing and walking together (decoded code included).
    pub time: Duration,
    /// Nodes visited.
    pub steps: u64,
    /// Nesting of code decoded at analysis time (`eval(gzinflate(…eval(…)))`).
    pub depth: usize,
    /// Bytes of decoded code parsed, and the largest string folded.
    pub decoded: usize,
    /// Largest file parsed: a syntax tree takes about 150 bytes of memory per byte
    /// of dense code (a 6 MB file of short statements, 900 MB), and attackers'
    /// code that is larger is data (blobs), which a tree holds cheaply.
    pub source: usize,
    /// Punctuation and operator bytes parsed, the file's and decoded code's
    /// together (counted in `parse.rs`): what a tree's size follows. Each costs
    /// about 300 bytes of tree (a 1.2 MB file of `'a'.'a'.…`, 900,000 of them,
    /// took 330 MB to parse), so 250,000 keeps one file's trees near 80 MB, and a
    /// scan of two threads under its memory target whatever the files hold.
    pub structure: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            time: Duration::from_secs(2),
            steps: 2_000_000,
            depth: 12,
            decoded: 8 << 20,
            source: 2 << 20,
            structure: 250_000,
        }
    }
}

/// Why an analysis did not see everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// The time limit passed (while parsing or walking).
    Time,
    /// The step limit was reached.
    Steps,
    /// Decoded code nested deeper than the limit was not analysed.
    Depth,
    /// More decoded code than the limit was not analysed.
    Decoded,
    /// Code nested deeper than the limit was not analysed.
    Nesting,
    /// The file is larger than the analysis reads: not analysed.
    Size,
}

impl std::fmt::Display for Cut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Cut::Time => "the time limit passed",
            Cut::Steps => "the step limit was reached",
            Cut::Depth => "decoded code nested deeper than the limit",
            Cut::Decoded => "more decoded code than the limit",
            Cut::Nesting => "code nested deeper than the limit",
            Cut::Size => "the file is larger or denser than the analysis reads",
        })
    }
}

/// What one file's analysis found.
#[derive(Debug, Default)]
pub struct Analysis {
    pub facts: Vec<Fact>,
    /// The grammar could not parse part of the file (analysed on what parsed).
    pub parse_errors: bool,
    /// Set when the analysis did not see everything, and why.
    pub cut: Option<Cut>,
}

/// A thread's analyser: owns the parsers, reused for every file.
pub struct Analyzer {
    parsers: parse::Parsers,
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new()
    }
}

impl Analyzer {
    pub fn new() -> Analyzer {
        Analyzer {
            parsers: parse::Parsers::new(),
        }
    }

    /// Analyses one PHP file (HTML with PHP tags, as PHP reads it).
    pub fn analyse(&mut self, source: &[u8], limits: &Limits) -> Analysis {
        self.analyse_at(None, source, limits)
    }

    /// Analyses the PHP file at `path` (a host path: what `__FILE__` and
    /// `__DIR__` are in its code).
    pub fn analyse_at(&mut self, path: Option<&str>, source: &[u8], limits: &Limits) -> Analysis {
        let structure = parse::structure(source);
        if source.len() > limits.source || structure > limits.structure {
            return Analysis {
                cut: Some(Cut::Size),
                ..Analysis::default()
            };
        }
        let deadline = std::time::Instant::now() + limits.time;
        let mut bytes = source.to_vec();
        legacy::rewrite(&mut bytes);
        let Some(tree) = self.parsers.file(&bytes, deadline) else {
            return Analysis {
                cut: Some(Cut::Time),
                ..Analysis::default()
            };
        };
        let parse_errors = tree.root_node().has_error();
        let arena = typed_arena::Arena::new();
        let mut interp = interp::Interp::new(&arena, &mut self.parsers, limits);
        interp.file_path = path.map(|p| p.as_bytes().to_vec());
        interp.structure = structure;
        interp.run(interp::Source {
            bytes,
            tree,
            anchor: None,
            origin: Origin::File,
        });
        let cut = interp.cut.or(interp.skipped);
        Analysis {
            facts: interp.into_facts(),
            parse_errors,
            cut,
        }
    }
}
