//! PHP's decoding functions on bytes known at analysis time, as PHP computes them:
//! `base64_decode` (lenient, as PHP's non-strict mode), `gzinflate`, `gzuncompress`,
//! `gzdecode`, `str_rot13`, `hex2bin`, `urldecode`/`rawurldecode`,
//! `convert_uudecode`. Every output is bounded by the caller's limit: a payload
//! that would decode to more is not decoded.

use std::io::Read;

/// `base64_decode` without `strict`: characters outside the alphabet are skipped.
pub(crate) fn base64(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for &c in s {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// Raw DEFLATE (`gzinflate`), zlib (`gzuncompress`) or gzip (`gzdecode`) data,
/// inflated up to `limit` bytes; `None` when the data is not valid or too large.
pub(crate) fn inflate(s: &[u8], format: Deflate, limit: usize) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let reader: Box<dyn Read + '_> = match format {
        Deflate::Raw => Box::new(flate2::read::DeflateDecoder::new(s)),
        Deflate::Zlib => Box::new(flate2::read::ZlibDecoder::new(s)),
        Deflate::Gzip => Box::new(flate2::read::GzDecoder::new(s)),
    };
    let read = reader.take(limit as u64 + 1).read_to_end(&mut out);
    (read.is_ok() && out.len() <= limit && !out.is_empty()).then_some(out)
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Deflate {
    Raw,
    Zlib,
    Gzip,
}

pub(crate) fn rot13(s: &[u8]) -> Vec<u8> {
    s.iter()
        .map(|&b| match b {
            b'a'..=b'z' => (b - b'a' + 13) % 26 + b'a',
            b'A'..=b'Z' => (b - b'A' + 13) % 26 + b'A',
            _ => b,
        })
        .collect()
}

/// `hex2bin` (and `pack('H*', …)`): `None` on an odd length or a non-hex digit.
pub(crate) fn hex(s: &[u8]) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    s.chunks(2)
        .map(|p| Some(hex_digit(p[0])? << 4 | hex_digit(p[1])?))
        .collect()
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// `urldecode` (`plus`: `+` is a space) or `rawurldecode`.
pub(crate) fn url(s: &[u8], plus: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'%' if i + 2 < s.len() => match (hex_digit(s[i + 1]), hex_digit(s[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                }
                _ => {
                    out.push(b'%');
                    i += 1;
                }
            },
            b'+' if plus => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// `convert_uudecode`: lines of a length character and groups of four characters.
pub(crate) fn uudecode(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    for line in s.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some((&len, rest)) = line.split_first() else {
            continue;
        };
        let len = usize::from(len.wrapping_sub(b' ') & 0x3f);
        if len == 0 {
            break;
        }
        let mut got = Vec::with_capacity(len + 2);
        for quad in rest.chunks(4) {
            let v: Vec<u32> = quad
                .iter()
                .map(|&c| u32::from(c.wrapping_sub(b' ') & 0x3f))
                .collect();
            let get = |i: usize| v.get(i).copied().unwrap_or(0);
            let n = get(0) << 18 | get(1) << 12 | get(2) << 6 | get(3);
            got.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
        }
        if got.len() < len {
            return None;
        }
        got.truncate(len);
        out.extend(got);
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn base64_is_lenient() {
        assert_eq!(base64(b"c3lzdGVt"), b"system");
        assert_eq!(base64(b"c3lz\ndGVt"), b"system");
        assert_eq!(base64(b"YQ=="), b"a");
        assert_eq!(base64(b"YQ"), b"a");
    }

    #[test]
    fn inflate_formats_and_limits() {
        let text = b"eval($_POST['x']);".repeat(10);
        let mut raw = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        raw.write_all(&text).unwrap();
        let raw = raw.finish().unwrap();
        assert_eq!(inflate(&raw, Deflate::Raw, 1 << 20).unwrap(), text);
        assert_eq!(inflate(&raw, Deflate::Raw, 10), None);
        assert_eq!(inflate(b"not deflate", Deflate::Zlib, 1 << 20), None);
    }

    #[test]
    fn small_decoders() {
        assert_eq!(rot13(b"flfgrz"), b"system");
        assert_eq!(hex(b"6576616c").unwrap(), b"eval");
        assert_eq!(hex(b"657"), None);
        assert_eq!(url(b"%65val+x%", true), b"eval x%");
        assert_eq!(url(b"a+b%2", false), b"a+b%2");
        assert_eq!(uudecode(b"&<WES=&5M\n`\n").unwrap(), b"system");
    }
}
