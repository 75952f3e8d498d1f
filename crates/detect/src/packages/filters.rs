//! dpkg's path filters: `path-exclude=GLOB` and `path-include=GLOB` lines in
//! `/etc/dpkg/dpkg.cfg.d/*` (read first, in name order) and `/etc/dpkg/dpkg.cfg`.
//! A file whose path an exclude matches was never unpacked, unless a later include
//! matches it again (the last filter that matches decides, as in dpkg). Globs are
//! matched on the whole path, `*` crossing `/` (dpkg's `fnmatch` without flags).

use breachkit_host::{lines, wildcard};

#[derive(Debug, Default)]
pub(super) struct Filters {
    /// In order: (include, pattern).
    rules: Vec<(bool, Vec<u8>)>,
}

impl Filters {
    /// Adds the filters of one dpkg configuration file.
    pub(super) fn add(&mut self, config: &[u8]) {
        for line in lines(config, usize::MAX) {
            let text = line.bytes.trim_ascii();
            let (include, rest) = if let Some(rest) = text.strip_prefix(b"path-exclude") {
                (false, rest)
            } else if let Some(rest) = text.strip_prefix(b"path-include") {
                (true, rest)
            } else {
                continue;
            };
            let rest = rest.trim_ascii_start();
            let rest = rest.strip_prefix(b"=").unwrap_or(rest).trim_ascii();
            let pattern = rest
                .strip_prefix(b"\"")
                .and_then(|r| r.strip_suffix(b"\""))
                .unwrap_or(rest);
            if !pattern.is_empty() {
                self.rules.push((include, pattern.to_vec()));
            }
        }
    }

    /// True when `path` was kept from being unpacked.
    pub(super) fn excludes(&self, path: &[u8]) -> bool {
        self.rules
            .iter()
            .rev()
            .find(|(_, pattern)| wildcard(pattern, path))
            .is_some_and(|(include, _)| !include)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_matching_filter_decides() {
        let mut f = Filters::default();
        f.add(b"# docs\npath-exclude=/usr/share/doc/*\npath-include /usr/share/doc/*/copyright\n");
        f.add(b"path-exclude \"/usr/share/man/*\"\nforce-unsafe-io\n");
        assert!(f.excludes(b"/usr/share/doc/bash/README.gz"));
        assert!(!f.excludes(b"/usr/share/doc/bash/copyright"));
        assert!(f.excludes(b"/usr/share/man/man1/ls.1.gz"));
        assert!(!f.excludes(b"/usr/bin/ls"));
        assert!(!Filters::default().excludes(b"/usr/share/doc/x"));
    }
}
