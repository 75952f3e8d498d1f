//! Constant folding of PHP's string functions: when every argument that matters is
//! known at analysis time, the result is computed as PHP would (decoders, string
//! reshaping, `chr`, `pack`, `sprintf`, `str_replace`, `strtr`, `implode`…). This
//! is what undoes obfuscation: `strrev('tressa')`, `base64_decode('c3lzdGVt')`,
//! `str_replace('Js', '', 'creJsate_function')`.

use crate::decode::{self, Deflate};
use crate::value::{How, Key, Shape, Val};
use std::rc::Rc;

/// Folds `name(args)`; `None` when the function is not foldable or an argument is
/// not known. `limit` bounds the size of any string produced.
pub(crate) fn call<'a>(name: &[u8], args: &[Val<'a>], limit: usize) -> Option<Val<'a>> {
    let s = |i: usize| args.get(i).and_then(Val::as_str);
    let how_of = |i: usize| s(i).map_or(How::PLAIN, |(_, h)| h);
    let transformed = |bytes: Vec<u8>, i: usize| {
        (bytes.len() <= limit).then(|| Val::str(bytes, how_of(i) | How::TRANSFORMED))
    };
    let assembled = |bytes: Vec<u8>, how: How| {
        (bytes.len() <= limit).then(|| Val::str(bytes, how | How::ASSEMBLED))
    };
    match name {
        b"strrev" => transformed(s(0)?.0.iter().rev().copied().collect(), 0),
        b"str_rot13" => transformed(decode::rot13(&s(0)?.0), 0),
        b"base64_decode" => transformed(decode::base64(&s(0)?.0), 0),
        b"gzinflate" => transformed(decode::inflate(&s(0)?.0, Deflate::Raw, limit)?, 0),
        b"gzuncompress" => transformed(decode::inflate(&s(0)?.0, Deflate::Zlib, limit)?, 0),
        b"gzdecode" => transformed(decode::inflate(&s(0)?.0, Deflate::Gzip, limit)?, 0),
        b"hex2bin" => transformed(decode::hex(&s(0)?.0)?, 0),
        b"urldecode" => transformed(decode::url(&s(0)?.0, true), 0),
        b"rawurldecode" => transformed(decode::url(&s(0)?.0, false), 0),
        b"convert_uudecode" => transformed(decode::uudecode(&s(0)?.0)?, 0),
        b"strtolower" => assembled(s(0)?.0.to_ascii_lowercase(), how_of(0)),
        b"strtoupper" => assembled(s(0)?.0.to_ascii_uppercase(), how_of(0)),
        b"ucfirst" | b"lcfirst" => {
            let mut v = s(0)?.0.into_owned();
            if let Some(c) = v.first_mut() {
                *c = if name == b"ucfirst" {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                };
            }
            assembled(v, how_of(0))
        }
        b"trim" | b"ltrim" | b"rtrim" | b"chop" => {
            let v = s(0)?.0;
            let set: Vec<u8> = match args.get(1) {
                Some(a) => a.as_str()?.0.into_owned(),
                None => b" \t\n\r\0\x0b".to_vec(),
            };
            let mut from = 0;
            let mut to = v.len();
            if name != b"rtrim" && name != b"chop" {
                while from < to && set.contains(&v[from]) {
                    from += 1;
                }
            }
            if name != b"ltrim" {
                while to > from && set.contains(&v[to - 1]) {
                    to -= 1;
                }
            }
            Some(Val::str(v[from..to].to_vec(), how_of(0)))
        }
        b"stripslashes" => assembled(stripslashes(&s(0)?.0), how_of(0)),
        b"strval" => {
            let (v, h) = s(0)?;
            Some(Val::str(v.into_owned(), h))
        }
        b"chr" => {
            let n = args.first()?.as_int()?;
            Some(Val::str(vec![n.rem_euclid(256) as u8], How::ASSEMBLED))
        }
        b"ord" => Some(Val::int(i64::from(*s(0)?.0.first().unwrap_or(&0)))),
        b"strlen" => Some(Val::int(s(0)?.0.len() as i64)),
        b"intval" => args.first()?.as_int().map(Val::int),
        b"hexdec" | b"octdec" | b"bindec" => {
            let radix = match name {
                b"hexdec" => 16,
                b"octdec" => 8,
                _ => 2,
            };
            let t = String::from_utf8_lossy(&s(0)?.0).into_owned();
            i64::from_str_radix(t.trim(), radix).ok().map(Val::int)
        }
        b"str_repeat" => {
            let (v, h) = s(0)?;
            let n = usize::try_from(args.get(1)?.as_int()?).ok()?;
            if v.len().saturating_mul(n) > limit {
                return None;
            }
            assembled(v.repeat(n), h)
        }
        b"substr" => {
            let (v, h) = s(0)?;
            let start = args.get(1)?.as_int()?;
            let len = match args.get(2) {
                Some(l) => Some(l.as_int()?),
                None => None,
            };
            assembled(substr(&v, start, len), h)
        }
        b"str_replace" | b"str_ireplace" => {
            let (subject, h) = s(2)?;
            let search = list(args.first()?)?;
            let replace = match &args.get(1)?.shape {
                Shape::Array(_) => Replace::Each(list(args.get(1)?)?),
                _ => Replace::One(args.get(1)?.as_str()?.0.into_owned()),
            };
            let mut out = subject.into_owned();
            for (i, needle) in search.iter().enumerate() {
                let with: &[u8] = match &replace {
                    Replace::One(r) => r,
                    Replace::Each(all) => all.get(i).map_or(&[][..], Vec::as_slice),
                };
                out = replace_all(&out, needle, with, name == b"str_ireplace", limit)?;
            }
            assembled(out, h)
        }
        b"strtr" => {
            let (subject, h) = s(0)?;
            if args.len() == 3 {
                let (from, _) = s(1)?;
                let (to, _) = s(2)?;
                let n = from.len().min(to.len());
                let out = subject
                    .iter()
                    .map(|b| from[..n].iter().position(|f| f == b).map_or(*b, |i| to[i]))
                    .collect();
                assembled(out, h | How::TRANSFORMED)
            } else {
                let Shape::Array(pairs) = &args.get(1)?.shape else {
                    return None;
                };
                let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = pairs
                    .iter()
                    .filter_map(|(k, v)| Some((key_bytes(k), v.as_str()?.0.into_owned())))
                    .filter(|(k, _)| !k.is_empty())
                    .collect();
                // Longest keys first, as PHP does.
                pairs.sort_by_key(|p| std::cmp::Reverse(p.0.len()));
                let mut out = Vec::with_capacity(subject.len());
                let mut i = 0;
                'outer: while i < subject.len() {
                    for (k, v) in &pairs {
                        if subject[i..].starts_with(k) {
                            out.extend_from_slice(v);
                            i += k.len();
                            if out.len() > limit {
                                return None;
                            }
                            continue 'outer;
                        }
                    }
                    out.push(subject[i]);
                    i += 1;
                }
                assembled(out, h | How::TRANSFORMED)
            }
        }
        b"implode" | b"join" => {
            // implode(glue, array) or implode(array, glue) or implode(array).
            let (glue, items) = match (args.first().map(|a| &a.shape), args.get(1)) {
                (Some(Shape::Array(_)), Some(g)) => (g.as_str()?.0.into_owned(), list(&args[0])?),
                (Some(Shape::Array(_)), None) => (Vec::new(), list(&args[0])?),
                (_, Some(arr)) => (s(0)?.0.into_owned(), list(arr)?),
                _ => return None,
            };
            let total: usize = items.iter().map(|i| i.len() + glue.len()).sum();
            if total > limit {
                return None;
            }
            assembled(items.join(&glue[..]), How::PLAIN)
        }
        b"explode" => {
            let (sep, _) = s(0)?;
            let (v, h) = s(1)?;
            if sep.is_empty() {
                return None;
            }
            let parts = split(&v, &sep)
                .into_iter()
                .enumerate()
                .map(|(i, p)| (Key::Int(i as i64), Val::str(p.to_vec(), h | How::ASSEMBLED)))
                .collect();
            Some(Val::of(Shape::Array(Rc::new(parts))))
        }
        b"str_split" => {
            let (v, h) = s(0)?;
            let n = match args.get(1) {
                Some(a) => usize::try_from(a.as_int()?).ok().filter(|n| *n > 0)?,
                None => 1,
            };
            let parts = v
                .chunks(n)
                .enumerate()
                .map(|(i, p)| (Key::Int(i as i64), Val::str(p.to_vec(), h | How::ASSEMBLED)))
                .collect();
            Some(Val::of(Shape::Array(Rc::new(parts))))
        }
        b"array_reverse" => {
            let Shape::Array(items) = &args.first()?.shape else {
                return None;
            };
            let items = items
                .iter()
                .rev()
                .enumerate()
                .map(|(i, (k, v))| match k {
                    Key::Int(_) => (Key::Int(i as i64), v.clone()),
                    Key::Str(_) => (k.clone(), v.clone()),
                })
                .collect();
            Some(Val::of(Shape::Array(Rc::new(items))))
        }
        b"array_values" => {
            let Shape::Array(items) = &args.first()?.shape else {
                return None;
            };
            let items = items
                .iter()
                .enumerate()
                .map(|(i, (_, v))| (Key::Int(i as i64), v.clone()))
                .collect();
            Some(Val::of(Shape::Array(Rc::new(items))))
        }
        b"count" | b"sizeof" => match &args.first()?.shape {
            Shape::Array(items) => Some(Val::int(items.len() as i64)),
            _ => None,
        },
        b"sprintf" => {
            let (fmt, h) = s(0)?;
            assembled(sprintf(&fmt, &args[1..])?, h)
        }
        b"pack" => {
            let (fmt, _) = s(0)?;
            let out = pack(&fmt, &args[1..])?;
            (out.len() <= limit).then(|| Val::str(out, How::TRANSFORMED))
        }
        _ => None,
    }
}

enum Replace {
    One(Vec<u8>),
    Each(Vec<Vec<u8>>),
}

/// The strings of a known string or array of strings.
fn list(v: &Val) -> Option<Vec<Vec<u8>>> {
    match &v.shape {
        Shape::Array(items) => items
            .iter()
            .map(|(_, v)| v.as_str().map(|(s, _)| s.into_owned()))
            .collect(),
        _ => Some(vec![v.as_str()?.0.into_owned()]),
    }
}

pub(crate) fn key_bytes(k: &Key) -> Vec<u8> {
    match k {
        Key::Int(i) => i.to_string().into_bytes(),
        Key::Str(s) => s.clone(),
    }
}

fn stripslashes(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'\\' && i + 1 < s.len() {
            out.push(if s[i + 1] == b'0' { 0 } else { s[i + 1] });
            i += 2;
        } else if s[i] != b'\\' {
            out.push(s[i]);
            i += 1;
        } else {
            i += 1;
        }
    }
    out
}

/// PHP's `substr` with negative start and length.
pub(crate) fn substr(v: &[u8], start: i64, len: Option<i64>) -> Vec<u8> {
    let n = v.len() as i64;
    let from = if start < 0 {
        (n + start).max(0)
    } else {
        start.min(n)
    };
    let to = match len {
        None => n,
        Some(l) if l < 0 => (n + l).max(from),
        Some(l) => (from + l).min(n),
    };
    v[from as usize..to.max(from) as usize].to_vec()
}

/// `None` when the result would be longer than `limit`.
fn replace_all(
    hay: &[u8],
    needle: &[u8],
    with: &[u8],
    ignore_case: bool,
    limit: usize,
) -> Option<Vec<u8>> {
    if needle.is_empty() {
        return Some(hay.to_vec());
    }
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    while i < hay.len() {
        let here = &hay[i..];
        let hit = here.len() >= needle.len()
            && if ignore_case {
                here[..needle.len()].eq_ignore_ascii_case(needle)
            } else {
                here.starts_with(needle)
            };
        if hit {
            out.extend_from_slice(with);
            i += needle.len();
            if out.len() > limit {
                return None;
            }
        } else {
            out.push(hay[i]);
            i += 1;
        }
    }
    Some(out)
}

fn split<'s>(v: &'s [u8], sep: &[u8]) -> Vec<&'s [u8]> {
    let mut parts = Vec::new();
    let mut from = 0;
    for at in memchr::memmem::find_iter(v, sep) {
        if at < from {
            continue;
        }
        parts.push(&v[from..at]);
        from = at + sep.len();
    }
    parts.push(&v[from..]);
    parts
}

/// `sprintf` with `%s`, `%d`, `%c`, `%x`, `%X`, `%o`, `%b`, `%%` and positional
/// arguments (`%1$s`); `None` on anything else.
fn sprintf(fmt: &[u8], args: &[Val]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut next = 0;
    let mut i = 0;
    while i < fmt.len() {
        if fmt[i] != b'%' {
            out.push(fmt[i]);
            i += 1;
            continue;
        }
        i += 1;
        let mut arg = None;
        let digits = fmt[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits > 0 && fmt.get(i + digits) == Some(&b'$') {
            let n: usize = std::str::from_utf8(&fmt[i..i + digits])
                .ok()?
                .parse()
                .ok()?;
            arg = Some(n.checked_sub(1)?);
            i += digits + 1;
        }
        let conv = *fmt.get(i)?;
        i += 1;
        if conv == b'%' {
            out.push(b'%');
            continue;
        }
        let idx = arg.unwrap_or_else(|| {
            next += 1;
            next - 1
        });
        let a = args.get(idx)?;
        match conv {
            b's' => out.extend_from_slice(&a.as_str()?.0),
            b'd' => out.extend_from_slice(a.as_int()?.to_string().as_bytes()),
            b'c' => out.push(a.as_int()?.rem_euclid(256) as u8),
            b'x' => out.extend_from_slice(format!("{:x}", a.as_int()?).as_bytes()),
            b'X' => out.extend_from_slice(format!("{:X}", a.as_int()?).as_bytes()),
            b'o' => out.extend_from_slice(format!("{:o}", a.as_int()?).as_bytes()),
            b'b' => out.extend_from_slice(format!("{:b}", a.as_int()?).as_bytes()),
            _ => return None,
        }
    }
    Some(out)
}

/// `pack` with the formats obfuscators use: `H*`/`h*` (hex) and `c*`/`C*` (bytes).
fn pack(fmt: &[u8], args: &[Val]) -> Option<Vec<u8>> {
    match fmt {
        b"H*" | b"H" => decode::hex(&args.first()?.as_str()?.0),
        b"h*" => {
            let swapped: Vec<u8> = args
                .first()?
                .as_str()?
                .0
                .chunks(2)
                .flat_map(|p| p.iter().rev().copied().collect::<Vec<_>>())
                .collect();
            decode::hex(&swapped)
        }
        b"c*" | b"C*" => args
            .iter()
            .map(|a| a.as_int().map(|n| n.rem_euclid(256) as u8))
            .collect(),
        _ => None,
    }
}

/// Byte-wise `^`, `|`, `&` of two strings (PHP: as long as the shorter for `^` and
/// `&`, as long as the longer for `|`).
pub(crate) fn bitwise(op: u8, a: &[u8], b: &[u8]) -> Vec<u8> {
    match op {
        b'|' => {
            let n = a.len().max(b.len());
            (0..n)
                .map(|i| a.get(i).copied().unwrap_or(0) | b.get(i).copied().unwrap_or(0))
                .collect()
        }
        b'&' => a.iter().zip(b).map(|(x, y)| x & y).collect(),
        _ => a.iter().zip(b).map(|(x, y)| x ^ y).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(s: &str) -> Val<'static> {
        Val::str(s.as_bytes().to_vec(), How::PLAIN)
    }

    fn folded(name: &str, args: &[Val<'static>]) -> Option<String> {
        call(name.as_bytes(), args, 1 << 20).and_then(|v| {
            v.as_str()
                .map(|(s, _)| String::from_utf8_lossy(&s).into_owned())
        })
    }

    #[test]
    fn decoders_and_reshaping() {
        assert_eq!(folded("strrev", &[st("tressa")]).unwrap(), "assert");
        assert_eq!(
            folded("base64_decode", &[st("c3lzdGVt")]).unwrap(),
            "system"
        );
        assert_eq!(
            folded(
                "str_replace",
                &[st("Js"), st(""), st("creJsaJsJste_fuJsnction")]
            )
            .unwrap(),
            "create_function"
        );
        assert_eq!(
            folded("substr", &[st("abcdef"), Val::int(-3), Val::int(2)]).unwrap(),
            "de"
        );
        assert_eq!(folded("chr", &[Val::int(101)]).unwrap(), "e");
        assert_eq!(folded("pack", &[st("H*"), st("6576616c")]).unwrap(), "eval");
        assert_eq!(
            folded("sprintf", &[st("%s%c%2$s"), st("a"), Val::int(98)]).unwrap(),
            "ab98"
        );
        assert_eq!(
            folded("strtr", &[st("abc"), st("ab"), st("xy")]).unwrap(),
            "xyc"
        );
        assert_eq!(folded("trim", &[st("  x \n")]).unwrap(), "x");
        assert!(folded("base64_decode", &[Val::unknown()]).is_none());
        let how = call(b"strrev", &[st("lave")], 100)
            .unwrap()
            .as_str()
            .unwrap()
            .1;
        assert!(how.has(How::TRANSFORMED));
    }

    #[test]
    fn arrays() {
        let parts = call(b"explode", &[st(","), st("sys,tem")], 100).unwrap();
        assert_eq!(folded("implode", &[st(""), parts]).unwrap(), "system");
        assert_eq!(bitwise(b'^', b"ab", b"\x00\x00\x00"), b"ab");
        assert_eq!(bitwise(b'|', b"a", b"\x00b"), b"ab");
    }

    #[test]
    fn limits() {
        assert!(call(b"str_repeat", &[st("ab"), Val::int(1000)], 100).is_none());
    }
}
