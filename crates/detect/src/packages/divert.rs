//! dpkg's diversions (`/var/lib/dpkg/diversions`): groups of three lines — the
//! path, where it was moved to, and the package that diverted it (`:` for a local
//! diversion by the admin). Every other package's file of that path lives at the
//! new place; the diverting package's own file stays at the path.

use super::complaints::Complaints;
use breachkit_host::lines;
use std::collections::HashMap;

#[derive(Debug, Default)]
pub(super) struct Diversions {
    /// Path → (where it lives now, the diverting package; `None` when local).
    moved: HashMap<Vec<u8>, (Vec<u8>, Option<String>)>,
}

impl Diversions {
    pub(super) fn parse(bytes: &[u8], complaints: &mut Complaints) -> Diversions {
        let all: Vec<_> = lines(bytes, usize::MAX).collect();
        let mut moved = HashMap::new();
        let mut groups = all.chunks_exact(3);
        for group in groups.by_ref() {
            let [from, to, by] = group else { continue };
            if !from.bytes.starts_with(b"/") || !to.bytes.starts_with(b"/") {
                complaints.line(
                    from.number,
                    "not a diversion (path, new path, package); skipped",
                );
                continue;
            }
            let by = match by.bytes {
                b":" => None,
                name => Some(String::from_utf8_lossy(name).into_owned()),
            };
            moved.insert(from.bytes.to_vec(), (to.bytes.to_vec(), by));
        }
        if let Some(first) = groups.remainder().first() {
            complaints.line(first.number, "an incomplete diversion at the end; skipped");
        }
        Diversions { moved }
    }

    /// Where `package`'s file listed as `path` lives, when a diversion moved it.
    pub(super) fn moved(&self, path: &[u8], package: &str) -> Option<&[u8]> {
        let (to, by) = self.moved.get(path)?;
        match by {
            Some(by) if by == package => None,
            _ => Some(to),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diverted_files_of_other_packages_move() {
        let text = b"/bin/sh\n/bin/sh.distrib\ndash\n/etc/x\n/etc/x.local\n:\n/usr/bin/half\n";
        let mut warnings = Vec::new();
        let d = Diversions::parse(text, &mut Complaints::new("/d", &mut warnings));
        assert_eq!(d.moved(b"/bin/sh", "dash"), None);
        assert_eq!(d.moved(b"/bin/sh", "bash"), Some(&b"/bin/sh.distrib"[..]));
        assert_eq!(d.moved(b"/etc/x", "any"), Some(&b"/etc/x.local"[..]));
        assert_eq!(d.moved(b"/usr/bin/half", "any"), None);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].message.starts_with("line 7:"), "{warnings:?}");
    }
}
