//! Sinks: where a value's origin makes a fact. Code runners (`eval`, `assert`,
//! `create_function`, `preg_replace` with `/e`; code known at analysis time is
//! parsed and walked in turn), command runners, `include`, file writes, uploads,
//! `mail`, password checks, and data sent out to the network.

use super::{Interp, Source};
use crate::Cut;
use crate::catalog;
use crate::facts::{Fact, FactKind, Origin, Step, short};
use crate::value::{Flags, How, Val, join, steps};
use tree_sitter::Node;

impl<'a> Interp<'a, '_> {
    /// Records a fact at `site`, with the path of `from`.
    pub(super) fn fact(
        &mut self,
        kind: FactKind,
        sink: &str,
        site: Node<'a>,
        from: &Val<'a>,
        detail: Option<Vec<u8>>,
    ) {
        let (offset, line) = self.place(site);
        let mut path = steps(&from.trail_deep());
        path.push(Step {
            line,
            text: short(self.text(site)),
        });
        self.facts.add(Fact {
            kind,
            sink: sink.to_string(),
            offset,
            line,
            path,
            origin: self.sources[self.src].origin,
            detail,
        });
    }

    /// Code that runs as PHP.
    pub(super) fn code_sink(&mut self, name: &str, code: &Val<'a>, site: Node<'a>) {
        for alt in code.alternatives() {
            if alt.flags.has(Flags::UNSET) {
                self.fact(FactKind::RegisterGlobals, name, site, alt, None);
            }
            if let Some((text, how)) = alt.as_str() {
                let text = text.into_owned();
                if how.has(How::TRANSFORMED) || how.has(How::ESCAPED) {
                    self.fact(FactKind::HiddenCode, name, site, alt, Some(text.clone()));
                }
                if let Some((root, source)) = self.parse_code(&text, site, Origin::Decoded) {
                    let saved = self.src;
                    self.src = source;
                    self.eval_depth += 1;
                    let saved_flow = self.enter_body();
                    self.stmt(root);
                    self.leave_body(saved_flow);
                    self.eval_depth -= 1;
                    self.src = saved;
                }
                continue;
            }
            let flags = alt.flags_deep();
            if flags.has(Flags::REQUEST) {
                self.fact(FactKind::RequestCode, name, site, alt, None);
            }
            if flags.has(Flags::DECODED) {
                self.fact(FactKind::HiddenCode, name, site, alt, None);
            }
            if flags.has(Flags::REMOTE) {
                self.fact(FactKind::RemoteCode, name, site, alt, None);
            }
        }
    }

    /// Parses code known at analysis time (what `eval` or `create_function` would
    /// run) as a new source anchored at `site`; `None` past the limits.
    pub(super) fn parse_code(
        &mut self,
        code: &[u8],
        site: Node<'a>,
        origin: Origin,
    ) -> Option<(Node<'a>, usize)> {
        if code.trim_ascii().is_empty() {
            return None;
        }
        if self.eval_depth >= self.limits.depth {
            self.skipped = Some(Cut::Depth);
            return None;
        }
        let structure = crate::parse::structure(code);
        if self.decoded_bytes + code.len() > self.limits.decoded
            || self.structure + structure > self.limits.structure
        {
            self.skipped = Some(Cut::Decoded);
            return None;
        }
        self.decoded_bytes += code.len();
        self.structure += structure;
        let anchor = self.place(site);
        let mut bytes = code.to_vec();
        crate::legacy::rewrite(&mut bytes);
        // Code that runs has no open tag; a file written has its tags.
        let tree = match origin {
            Origin::Written => self.parsers.file(&bytes, self.deadline)?,
            _ => self.parsers.code(&bytes, self.deadline)?,
        };
        // Code inside code that was written is still the written file's.
        let origin = match self.sources[self.src].origin {
            Origin::File => origin,
            outer => outer,
        };
        let id = self.add_source(Source {
            bytes,
            tree,
            anchor: Some(anchor),
            origin,
        });
        Some((self.sources[id].tree.root_node(), id))
    }

    /// A shell command.
    pub(super) fn command_sink(&mut self, name: &str, cmd: &Val<'a>, site: Node<'a>) {
        for alt in cmd.alternatives() {
            if alt.flags.has(Flags::UNSET) {
                self.fact(FactKind::RegisterGlobals, name, site, alt, None);
            }
            if let Some((text, _)) = alt.as_str() {
                let text = text.into_owned();
                if !text.trim_ascii().is_empty() {
                    self.fact(FactKind::ConstantCommand, name, site, alt, Some(text));
                }
                continue;
            }
            let flags = alt.flags_deep();
            if flags.has(Flags::REQUEST) {
                self.fact(FactKind::RequestCommand, name, site, alt, None);
            }
            if flags.has(Flags::DECODED) {
                self.fact(FactKind::HiddenCode, name, site, alt, None);
            }
            // A command received whole (a back-connect's loop), not a program's
            // options built from a downloaded list.
            if flags.has(Flags::REMOTE) && !flags.has(Flags::MIXED) {
                self.fact(FactKind::RemoteCode, name, site, alt, None);
            }
        }
    }

    /// `include`/`require` of `path`.
    pub(super) fn include_sink(&mut self, path: &Val<'a>, site: Node<'a>) {
        let name = "include";
        for alt in path.alternatives() {
            if alt.flags.has(Flags::UNSET) && alt.as_str().is_some_and(|(p, _)| p.is_empty()) {
                // `include $page;` with `$page` never set: the request's, under
                // register_globals.
                self.fact(FactKind::RegisterGlobals, name, site, alt, None);
                continue;
            }
            if let Some((p, how)) = alt.as_str() {
                let p = p.into_owned();
                let lower = p.to_ascii_lowercase();
                if lower.starts_with(b"php://input") || lower.starts_with(b"data:") {
                    self.fact(FactKind::RequestCode, name, site, alt, Some(p));
                } else if lower.starts_with(b"http://")
                    || lower.starts_with(b"https://")
                    || lower.starts_with(b"ftp://")
                {
                    self.fact(FactKind::RemoteCode, name, site, alt, Some(p));
                } else if catalog::data_path(&p)
                    || how.has(How::ESCAPED)
                    || how.has(How::TRANSFORMED)
                {
                    self.fact(FactKind::HiddenInclude, name, site, alt, Some(p));
                }
                continue;
            }
            let flags = alt.flags_deep();
            if flags.has(Flags::REQUEST) {
                // The whole path from the request; a request value inside a path
                // (a language or skin name between a directory and an extension)
                // is how applications pick their own files.
                if !flags.has(Flags::MIXED) {
                    self.fact(FactKind::RequestInclude, name, site, alt, None);
                }
            } else if flags.has(Flags::REMOTE) {
                self.fact(FactKind::RemoteCode, name, site, alt, None);
            } else if flags.has(Flags::DECODED) {
                self.fact(FactKind::HiddenInclude, name, site, alt, None);
            }
        }
        // `include $dir . '/x.ico'`: a path put together that ends in a data file's name.
        if path.as_str().is_none()
            && let Some(end) = path.tail.as_deref()
            && catalog::data_path(end)
        {
            let end = end.clone();
            self.fact(FactKind::HiddenInclude, name, site, path, Some(end));
        }
    }

    /// An SQL statement run against the database: whole from the request, a
    /// database console (put together with request data, an injection: the code
    /// audit's concern, not a backdoor's).
    pub(super) fn query_sink(&mut self, name: &str, query: &Val<'a>, site: Node<'a>) {
        let flags = query.flags_deep();
        if flags.has(Flags::REQUEST) && !flags.has(Flags::MIXED) {
            self.fact(FactKind::RequestQuery, name, site, query, None);
        }
    }

    /// A file opened or read whose whole name the request gives: any file the web
    /// server can read, for whoever asks (a file browser's reader, a downloader).
    pub(super) fn read_sink(&mut self, name: &str, path: &Val<'a>, site: Node<'a>) {
        let flags = path.flags_deep();
        // (An uploaded file's temporary copy is read by every upload handler.)
        if flags.has(Flags::REQUEST) && !flags.has(Flags::MIXED) && !flags.has(Flags::UPLOAD) {
            self.fact(FactKind::RequestRead, name, site, path, None);
        }
    }

    /// `preg_replace` with the `/e` modifier runs the replacement as code.
    pub(super) fn preg_e(
        &mut self,
        pattern: &Val<'a>,
        replacement: &Val<'a>,
        subject: &Val<'a>,
        site: Node<'a>,
    ) {
        // A pattern with `/e`, or one the code never sets (register_globals lets
        // the request write the modifier).
        let evaluates = pattern.alternatives().iter().any(|p| {
            p.flags.has(Flags::UNSET) || p.as_str().is_some_and(|(pat, _)| has_e_modifier(&pat))
        });
        if evaluates {
            // Back-references put the subject into the code.
            let code = if subject.flags_deep().is_empty() {
                replacement.clone()
            } else {
                join(&Val::tainted_by(replacement), &Val::tainted_by(subject))
            };
            self.code_sink("preg_replace /e", &code, site);
        }
    }

    /// `file_put_contents`/`fwrite` of `data` to `path`.
    pub(super) fn write_sink(
        &mut self,
        name: &str,
        path: &Val<'a>,
        data: &Val<'a>,
        site: Node<'a>,
    ) {
        let data_flags = data.flags_deep();
        let path_flags = path.flags_deep();
        let runnable = path.alternatives().iter().any(|p| {
            p.known_end()
                .is_some_and(|end| catalog::runnable_path(&end))
        });
        let chosen = path_flags.has(Flags::REQUEST);
        // Request data written whole into a file PHP runs, or into a file the
        // request names (an installer quoting a form's values into its
        // configuration writes neither).
        let whole = !data_flags.has(Flags::MIXED);
        if data_flags.has(Flags::REQUEST) && (chosen || (runnable && whole)) {
            self.fact(FactKind::RequestWrite, name, site, data, None);
        }
        // A download saved whole (not a configuration that quotes a fetched value).
        if data_flags.has(Flags::REMOTE) && !data_flags.has(Flags::MIXED) && (chosen || runnable) {
            self.fact(FactKind::RemoteWrite, name, site, data, None);
        }
        if data_flags.has(Flags::DECODED) && runnable {
            self.fact(FactKind::HiddenCode, name, site, data, None);
        }
        for alt in data.alternatives() {
            if let Some((code, _)) = alt.as_str()
                && (runnable || has_open_tag(&code))
            {
                let code = code.into_owned();
                self.written_code(&code, site);
            }
        }
        self.exfil(name, data, site);
    }

    /// A PHP file the code writes: analysed as the file it will be (its own
    /// globals), its facts marked as written.
    fn written_code(&mut self, code: &[u8], site: Node<'a>) {
        let Some((root, source)) = self.parse_code(code, site, Origin::Written) else {
            return;
        };
        let saved_src = self.src;
        let saved_global = std::mem::replace(&mut self.global, super::env::Frame::new(false));
        let saved_locals = std::mem::take(&mut self.locals);
        let saved_flow = self.enter_body();
        self.src = source;
        self.eval_depth += 1;
        self.stmt(root);
        self.eval_depth -= 1;
        self.leave_body(saved_flow);
        self.src = saved_src;
        self.global = saved_global;
        self.locals = saved_locals;
    }

    /// `move_uploaded_file($tmp, $dest)`: saved under a name the uploader chose.
    pub(super) fn upload_sink(&mut self, tmp: &Val<'a>, dest: &Val<'a>, site: Node<'a>) {
        if tmp.flags_deep().has(Flags::REQUEST) && dest.flags_deep().has(Flags::REQUEST) {
            self.fact(FactKind::Uploader, "move_uploaded_file", site, dest, None);
        }
    }

    /// `copy($from, $to)`: a download, or an upload moved into place.
    pub(super) fn copy_sink(&mut self, from: &Val<'a>, to: &Val<'a>, site: Node<'a>) {
        let remote = from.flags_deep().has(Flags::REMOTE)
            || from.as_str().is_some_and(|(p, _)| {
                let l = p.to_ascii_lowercase();
                l.starts_with(b"http://") || l.starts_with(b"https://") || l.starts_with(b"ftp://")
            });
        let runnable = to.as_str().is_some_and(|(p, _)| catalog::runnable_path(&p));
        let chosen = to.flags_deep().has(Flags::REQUEST);
        if remote && (runnable || chosen) {
            self.fact(FactKind::RemoteWrite, "copy", site, from, None);
        }
        if from.flags_deep().has(Flags::REQUEST) && chosen {
            self.fact(FactKind::Uploader, "copy", site, to, None);
        }
    }

    /// `mail($to, $subject, $body, $headers)`: in a loop with request data, a
    /// mass mailer; carrying password fields, a phishing harvester.
    pub(super) fn mail_sink(&mut self, args: &[Val<'a>], site: Node<'a>) {
        let all = args
            .iter()
            .fold(Val::unknown(), |acc, a| join(&acc, &Val::tainted_by(a)));
        // Recipients from the request, one mail each: a newsletter mails its own
        // subscribers, a contact form mails the site's owner.
        let to = args.first().cloned().unwrap_or_default();
        if self.loop_depth > 0 && to.flags_deep().has(Flags::REQUEST) {
            self.fact(FactKind::MailLoop, "mail", site, &to, None);
        }
        self.exfil("mail", &all, site);
    }

    /// Request fields named like passwords sent out by `sink`.
    pub(super) fn exfil(&mut self, sink: &str, data: &Val<'a>, site: Node<'a>) {
        if data.flags_deep().has(Flags::SECRET) {
            let fields = data.fields_deep().map(|f| f.join(&b","[..]));
            self.fact(FactKind::CredentialExfil, sink, site, data, fields);
        }
    }

    /// `hash($request) == 'literal hash'`: a password only the attacker knows.
    pub(super) fn password_gate(&mut self, l: &Val<'a>, r: &Val<'a>, site: Node<'a>) {
        let (hashed, literal) = if l.flags.has(Flags::HASH) {
            (l, r)
        } else {
            (r, l)
        };
        if !hashed.flags.has(Flags::HASH) {
            return;
        }
        let Some((lit, _)) = literal.as_str() else {
            return;
        };
        if looks_like_hash(&lit) {
            self.fact(FactKind::PasswordGate, "comparison", site, hashed, None);
        }
    }
}

/// `<?php` or `<?=` in text: PHP code to be written somewhere.
fn has_open_tag(text: &[u8]) -> bool {
    memchr::memmem::find(text, b"<?php").is_some() || memchr::memmem::find(text, b"<?=").is_some()
}

/// `'/x/e'`, `"#x#ie"`, `'{x}e'`: a pattern whose modifiers include `e`.
pub(crate) fn has_e_modifier(pat: &[u8]) -> bool {
    let pat = pat.trim_ascii();
    let Some(&open) = pat.first() else {
        return false;
    };
    let close = match open {
        b'(' => b')',
        b'{' => b'}',
        b'[' => b']',
        b'<' => b'>',
        b if b.is_ascii_alphanumeric() || b == b'\\' => return false,
        b => b,
    };
    let Some(end) = pat.iter().rposition(|&b| b == close).filter(|&e| e > 0) else {
        return false;
    };
    let mods = &pat[end + 1..];
    mods.contains(&b'e') && mods.iter().all(u8::is_ascii_alphabetic)
}

/// A hex digest (MD5, SHA-1, SHA-256, SHA-512) or a crypt(3) hash.
fn looks_like_hash(s: &[u8]) -> bool {
    let hex = matches!(s.len(), 32 | 40 | 64 | 128) && s.iter().all(u8::is_ascii_hexdigit);
    let crypt = s.len() >= 20
        && (s.starts_with(b"$1$")
            || s.starts_with(b"$2y$")
            || s.starts_with(b"$2a$")
            || s.starts_with(b"$5$")
            || s.starts_with(b"$6$")
            || s.starts_with(b"$argon2"));
    hex || crypt
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e_modifier() {
        assert!(has_e_modifier(b"/.*/e"));
        assert!(has_e_modifier(b"#x#ie"));
        assert!(has_e_modifier(b"{a}es"));
        assert!(!has_e_modifier(b"/e/i"));
        assert!(!has_e_modifier(b"/x/"));
        assert!(!has_e_modifier(b"e"));
    }

    #[test]
    fn hashes() {
        assert!(looks_like_hash(b"5f4dcc3b5aa765d61d8327deb882cf99"));
        assert!(!looks_like_hash(b"password"));
    }
}
