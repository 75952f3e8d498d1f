//! The shape of a script's text: very long lines, long runs of base64 or escaped
//! hex, random-looking (high-entropy) lines, and a long one-liner glued in front of
//! a PHP file's own code. Lines are found with memchr; only long lines are looked
//! at closely, so ordinary source costs one pass.

use super::Heuristic;

/// A PHP line longer than this is reported (weak on its own).
const LONG_LINE: usize = 4000;
/// Lines shorter than this are not examined for blobs and entropy.
const EXAMINE: usize = 1000;
/// A run of encoded characters this long is a blob.
const BLOB: usize = 1000;
/// Bits per byte above which a long line looks random: base64 of random data is
/// close to 6, compressed bytes close to 8; code and minified code stay near 5.
const ENTROPY: f64 = 5.6;
/// How much of a long line the entropy is measured on.
const ENTROPY_SAMPLE: usize = 64 << 10;
/// A first line this long, followed by more PHP, looks injected.
const INJECTED_FIRST: usize = 300;

pub(crate) fn run(bytes: &[u8], php: bool, hit: &mut impl FnMut(Heuristic, Option<usize>)) {
    let (mut long, mut blob, mut entropy) = (false, false, false);
    let mut start = 0;
    let mut first = true;
    let ends = memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len()));
    for end in ends {
        if end < start {
            break;
        }
        let line = &bytes[start..end];
        if first && php {
            first = false;
            if injected_first_line(line, &bytes[end..]) {
                hit(Heuristic::InjectedFirstLine, Some(start));
            }
        }
        if line.len() >= EXAMINE {
            if php && !long && line.len() >= LONG_LINE {
                long = true;
                hit(Heuristic::LongLine, Some(start));
            }
            if !blob && let Some(at) = encoded_run(line) {
                blob = true;
                hit(Heuristic::EncodedBlob, Some(start + at));
            }
            if !entropy && bits_per_byte(&line[..line.len().min(ENTROPY_SAMPLE)]) > ENTROPY {
                entropy = true;
                hit(Heuristic::HighEntropy, Some(start));
            }
        }
        start = end + 1;
    }
}

/// A PHP file whose first line is a long `<?php … ?>` one-liner that decodes or
/// evaluates, with more PHP after it: the shape of a header injected into a file.
fn injected_first_line(line: &[u8], rest: &[u8]) -> bool {
    let t = line.trim_ascii();
    t.len() >= INJECTED_FIRST
        && t.len() >= 5
        && t[..5].eq_ignore_ascii_case(b"<?php")
        && t.ends_with(b"?>")
        && super::kind::find_ci(rest, b"<?php")
        && [
            "eval",
            "base64_decode",
            "gzinflate",
            "str_rot13",
            "assert",
            "$GLOBALS",
        ]
        .iter()
        .any(|w| super::kind::find_ci(t, w.as_bytes()))
}

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

/// Where a run of at least [`BLOB`] base64 characters, or of `\xHH` / `\NNN`
/// escapes, starts in `line`.
fn encoded_run(line: &[u8]) -> Option<usize> {
    // The run's start, its length, its first character and whether another one
    // follows (a line of one repeated character, a separator, is no payload):
    // kept as the run grows, so that a line of one character costs one pass.
    let (mut run_start, mut run, mut first, mut mixed) = (0, 0, 0u8, false);
    for (i, &b) in line.iter().enumerate() {
        if is_b64(b) {
            if run == 0 {
                (run_start, first, mixed) = (i, b, false);
            }
            run += 1;
            mixed |= b != first;
            if run >= BLOB && mixed {
                return Some(run_start);
            }
        } else {
            run = 0;
        }
    }
    escaped_run(line)
}

/// A run of `\x41\x42…` or `\101\102…` escapes at least [`BLOB`] characters long.
fn escaped_run(line: &[u8]) -> Option<usize> {
    let (mut run_start, mut run, mut i) = (0, 0, 0);
    while i + 3 < line.len() {
        let esc = line[i] == b'\\'
            && ((matches!(line[i + 1], b'x' | b'X')
                && line[i + 2].is_ascii_hexdigit()
                && line[i + 3].is_ascii_hexdigit())
                || (line[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))));
        if esc {
            if run == 0 {
                run_start = i;
            }
            run += 4;
            i += 4;
            if run >= BLOB {
                return Some(run_start);
            }
        } else {
            run = 0;
            i += 1;
        }
    }
    None
}

/// Shannon entropy in bits per byte.
fn bits_per_byte(data: &[u8]) -> f64 {
    if data.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in data {
        counts[b as usize] += 1;
    }
    let n = data.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(b: &[u8], php: bool) -> Vec<Heuristic> {
        let mut v = Vec::new();
        run(b, php, &mut |h, _| v.push(h));
        v
    }

    /// Pseudo-random base64 text (a payload) without a crate.
    fn b64(n: usize) -> Vec<u8> {
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut x: u64 = 0x9e3779b97f4a7c15;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                alphabet[(x % 64) as usize]
            })
            .collect()
    }

    #[test]
    fn blobs_entropy_and_long_lines() {
        let mut payload = b"<?php $x = '".to_vec();
        payload.extend(b64(6000));
        payload.extend(b"';\n");
        let h = hits(&payload, true);
        assert!(h.contains(&Heuristic::EncodedBlob));
        assert!(h.contains(&Heuristic::HighEntropy));
        assert!(h.contains(&Heuristic::LongLine));
        // Minified-looking code: long, but neither a blob nor random.
        let code = "var a=function(b,c){return b+c};".repeat(200);
        assert!(hits(code.as_bytes(), false).is_empty());
        // A separator line is no blob.
        assert!(hits("=".repeat(3000).as_bytes(), false).is_empty());
        let hex = "\\x41".repeat(400);
        assert_eq!(escaped_run(hex.as_bytes()), Some(0));
    }

    #[test]
    fn injected_header() {
        let mut f = b"<?php @eval(base64_decode('".to_vec();
        f.extend(b64(400));
        f.extend(b"')); ?>\n<?php\n/** The base configuration for WordPress */\n");
        assert!(hits(&f, true).contains(&Heuristic::InjectedFirstLine));
        let honest = b"<?php\n/** The base configuration */\ndefine('DB_NAME', 'wp');\n";
        assert!(hits(honest, true).is_empty());
    }
}
