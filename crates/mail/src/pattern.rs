//! The crate's own regular expressions: compiled from string literals (never from
//! host data), and their groups read without indexing (`&caps[n]` panics on a group
//! that did not take part in the match).

use regex::{Captures, Regex};

/// Compiles one of the crate's literal patterns, for a `static` `LazyLock`.
// A literal that does not compile is a bug every test run would show on first use
// (each pattern is exercised by the crate's tests); it cannot depend on host data.
#[allow(clippy::expect_used)]
pub(crate) fn literal(pattern: &str) -> Regex {
    Regex::new(pattern).expect("a literal pattern compiles")
}

/// The text of group `i`, empty when the group did not take part in the match.
pub(crate) fn group<'h>(caps: &Captures<'h>, i: usize) -> &'h str {
    caps.get(i).map_or("", |m| m.as_str())
}
