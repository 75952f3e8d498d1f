//! nginx: reads the configuration tree in use (the main file and everything it
//! includes) to find the `http` block and every `server` block in it, with their
//! byte offsets, so the maintenance includes can be inserted without touching
//! anything else. `stream` servers and `upstream` members are not web sites and
//! are left alone.

use super::{Edits, Site};
use crate::{Cidr, QuarantineError};
use breachkit_finding::escape_path;
use std::path::{Path, PathBuf};

/// Deepest include nesting followed (a loop is an error, not a hang).
const MAX_INCLUDE_DEPTH: usize = 16;

/// What the configuration holds.
#[derive(Debug, Default)]
pub(crate) struct Layout {
    /// Offset just after the `{` of each `http` block.
    pub http: Vec<(PathBuf, usize)>,
    pub sites: Vec<Site>,
    /// File and offset after the `{` of each site's server block, in `sites` order.
    pub offsets: Vec<(PathBuf, usize)>,
}

/// Reads the tree starting at `conf`.
pub(crate) fn read_layout(conf: &Path) -> Result<Layout, QuarantineError> {
    let mut layout = Layout::default();
    let base = conf.parent().unwrap_or(Path::new("/")).to_path_buf();
    let mut stack = Vec::new();
    parse_file(conf, &base, &mut stack, &mut layout, 0)?;
    Ok(layout)
}

#[derive(Debug, PartialEq)]
enum Tok {
    Word(String),
    Open,
    Close,
    Semi,
}

fn bad(path: &Path, message: impl Into<String>) -> QuarantineError {
    QuarantineError::BadFile {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// nginx's tokens with their byte offsets (of the token's end for `{`).
fn tokens(path: &Path, text: &[u8]) -> Result<Vec<(Tok, usize)>, QuarantineError> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = text.get(i) {
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'#' => i = find_from(text, i, b'\n'),
            b'{' => {
                out.push((Tok::Open, i + 1));
                i += 1;
            }
            b'}' => {
                out.push((Tok::Close, i));
                i += 1;
            }
            b';' => {
                out.push((Tok::Semi, i));
                i += 1;
            }
            b'"' | b'\'' => {
                let start = i;
                let mut word = Vec::new();
                loop {
                    i += 1;
                    let Some(&(mut b)) = text.get(i) else {
                        return Err(bad(path, format!("unterminated quote at byte {start}")));
                    };
                    if b == c {
                        break;
                    }
                    if let (b'\\', Some(&escaped)) = (b, text.get(i + 1)) {
                        i += 1;
                        b = escaped;
                    }
                    word.push(b);
                }
                i += 1;
                out.push((
                    Tok::Word(String::from_utf8_lossy(&word).into_owned()),
                    start,
                ));
            }
            _ => {
                let start = i;
                while let Some(&b) = text.get(i) {
                    match b {
                        b' ' | b'\t' | b'\r' | b'\n' | b';' | b'{' | b'}' => break,
                        // `${name}` is part of a word.
                        b'$' if text.get(i + 1) == Some(&b'{') => i = find_from(text, i, b'}') + 1,
                        _ => i += 1,
                    }
                }
                let word = text.get(start..i.min(text.len())).unwrap_or_default();
                out.push((Tok::Word(String::from_utf8_lossy(word).into_owned()), start));
            }
        }
    }
    Ok(out)
}

/// The offset of the first `byte` at or after `from`, or the end of `text`.
fn find_from(text: &[u8], from: usize, byte: u8) -> usize {
    text.get(from..)
        .and_then(|rest| rest.iter().position(|&b| b == byte))
        .map_or(text.len(), |at| from + at)
}

fn line_of(text: &[u8], offset: usize) -> usize {
    text.iter().take(offset).filter(|&&b| b == b'\n').count() + 1
}

fn parse_file(
    path: &Path,
    base: &Path,
    stack: &mut Vec<String>,
    layout: &mut Layout,
    depth: usize,
) -> Result<(), QuarantineError> {
    if depth > MAX_INCLUDE_DEPTH {
        return Err(bad(path, "includes nested too deep (an include loop?)"));
    }
    let text = crate::files::read_regular(path)?;
    let start_depth = stack.len();
    let mut words: Vec<String> = Vec::new();
    for (tok, at) in tokens(path, &text)? {
        match tok {
            Tok::Word(w) => words.push(w),
            Tok::Open => {
                let name = words.first().cloned().unwrap_or_default();
                let parent = stack.last().map(String::as_str);
                if name == "http" && parent.is_none() {
                    layout.http.push((path.to_path_buf(), at));
                }
                if name == "server" && parent == Some("http") {
                    layout.sites.push(Site {
                        server: "nginx",
                        file: escape_path(path),
                        line: line_of(&text, at),
                        names: Vec::new(),
                    });
                    layout.offsets.push((path.to_path_buf(), at));
                }
                stack.push(name);
                words.clear();
            }
            Tok::Close => {
                if stack.len() <= start_depth || !words.is_empty() {
                    return Err(bad(
                        path,
                        format!("unexpected }} on line {}", line_of(&text, at)),
                    ));
                }
                stack.pop();
            }
            Tok::Semi => {
                let in_site = matches!(
                    stack.as_slice(),
                    [.., parent, block] if parent == "http" && block == "server"
                );
                match words.first().map(String::as_str) {
                    Some("include") => {
                        let pattern = words.get(1).ok_or_else(|| {
                            bad(
                                path,
                                format!("include without a file on line {}", line_of(&text, at)),
                            )
                        })?;
                        for file in super::glob::expand(base, pattern) {
                            parse_file(&file, base, stack, layout, depth + 1)?;
                        }
                    }
                    Some("server_name") if in_site => {
                        if let Some(site) = layout.sites.last_mut() {
                            site.names.extend(words.iter().skip(1).cloned());
                        }
                    }
                    _ => {}
                }
                words.clear();
            }
        }
    }
    if stack.len() != start_depth {
        return Err(bad(path, "a block is not closed ({ without })"));
    }
    Ok(())
}

/// Quotes a path for nginx.
fn quoted(path: &Path) -> String {
    let s = path.to_string_lossy();
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The files to write and the includes to insert for nginx at `conf`.
pub(crate) fn edits(
    conf: &Path,
    layout: &Layout,
    allow: &[Cidr],
    page: &[u8],
    edits: &mut Edits,
) -> Result<(), QuarantineError> {
    if layout.http.is_empty() {
        return Err(bad(conf, "unknown nginx layout: no http block found"));
    }
    if layout.sites.is_empty() {
        return Err(bad(
            conf,
            "unknown nginx layout: no server block in the http block",
        ));
    }
    let dir = conf.parent().unwrap_or(Path::new("/"));
    let http_inc = dir.join("breachkit-maintenance-http.inc");
    let server_inc = dir.join("breachkit-maintenance-server.inc");
    let page_file = dir.join("breachkit-maintenance.html");
    let mut geo = String::from(
        "# breachkit maintenance: visitors get 503, these addresses the real site.\n\
         geo $breachkit_visitor {\n    default 1;\n",
    );
    for c in allow {
        geo.push_str(&format!("    {c} 0;\n"));
    }
    geo.push_str("}\n");
    let server = format!(
        "# breachkit maintenance: every request of a visitor answers 503 with the page.\n\
         if ($breachkit_visitor) {{\n    return 503;\n}}\n\
         error_page 503 @breachkit_maintenance;\n\
         location @breachkit_maintenance {{\n    root {root};\n    try_files /breachkit-maintenance.html =503;\n    \
         add_header Retry-After {retry} always;\n    add_header Cache-Control \"no-store\" always;\n}}\n",
        root = quoted(dir),
        retry = super::page::RETRY_AFTER_SECS,
    );
    edits.new_file(http_inc.clone(), geo.into_bytes());
    edits.new_file(server_inc.clone(), server.into_bytes());
    edits.new_file(page_file, page.to_vec());
    let mark = "# breachkit maintenance";
    for (file, at) in &layout.http {
        edits.insert(
            file,
            *at,
            format!("\n    include {}; {mark}\n", quoted(&http_inc)),
        );
    }
    for (file, at) in &layout.offsets {
        edits.insert(
            file,
            *at,
            format!("\n    include {}; {mark}\n", quoted(&server_inc)),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_http_servers_only() {
        let t = tempfile::tempdir().unwrap();
        let conf = t.path().join("nginx.conf");
        std::fs::create_dir(t.path().join("sites")).unwrap();
        std::fs::write(
            &conf,
            "events {}\n# server { in a comment }\nstream { server { listen 1; } }\n\
             http {\n upstream u { server 10.0.0.1; }\n include sites/*;\n}\n",
        )
        .unwrap();
        std::fs::write(
            t.path().join("sites/a"),
            "server {\n server_name a.example 'b.example';\n location / { set ${x} \"}\"; }\n}\n",
        )
        .unwrap();
        let l = read_layout(&conf).unwrap();
        assert_eq!(l.http.len(), 1);
        assert_eq!(l.sites.len(), 1);
        assert_eq!(l.sites[0].names, ["a.example", "b.example"]);
        assert_eq!(l.sites[0].line, 1);
        std::fs::write(t.path().join("sites/b"), "server {\n").unwrap();
        assert!(read_layout(&conf).is_err());
        std::fs::write(t.path().join("sites/b"), "include sites/*;\n").unwrap();
        assert!(
            read_layout(&conf)
                .unwrap_err()
                .to_string()
                .contains("too deep")
        );
    }

    #[test]
    fn odd_tokens_end_cleanly() {
        let words = |text: &[u8]| {
            tokens(Path::new("x"), text)
                .unwrap()
                .into_iter()
                .filter_map(|(t, _)| match t {
                    Tok::Word(w) => Some(w),
                    _ => None,
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(words(br#"a "b\"c" 'd'"#), ["a", "b\"c", "d"]);
        assert_eq!(words(b"set ${open"), ["set", "${open"]);
        assert_eq!(words(b"x ${a}b;"), ["x", "${a}b"]);
        assert_eq!(words(b"# only a comment"), Vec::<String>::new());
        for unterminated in [&b"\"abc"[..], b"'", b"\"ab\\"] {
            assert!(tokens(Path::new("x"), unterminated).is_err());
        }
    }
}
