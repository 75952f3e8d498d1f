//! Resolving host paths inside the tree. In an image, a symlink `/var/www -> /srv/www`
//! must lead to `IMAGE/srv/www`, never to the analyst's own `/srv/www`; so each
//! component is looked at with `lstat` and links are re-rooted by hand. On the live
//! host the root is `/` and the kernel's own resolution is the right one.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

/// The kernel's own limit on links in one resolution (`ELOOP`).
const MAX_LINKS: usize = 40;

/// Maps `host_path` into `root`. With `follow_last` false the last component is left
/// as it is. A loop or a path past [`MAX_LINKS`] links resolves to the unresolved
/// path, which then fails to open with the OS's own `ELOOP`.
pub(crate) fn resolve(root: &Path, host_path: &Path, follow_last: bool) -> PathBuf {
    if root == Path::new("/") {
        return Path::new("/").join(host_path);
    }
    let mut queue: VecDeque<OsString> = normal_parts(host_path);
    let mut done: Vec<OsString> = Vec::new();
    let mut links = 0;
    while let Some(part) = queue.pop_front() {
        if part == ".." {
            done.pop();
            continue;
        }
        let here = join(root, &done).join(&part);
        let is_last = queue.is_empty();
        let is_link = std::fs::symlink_metadata(&here)
            .map(|m| m.file_type().is_symlink())
            .unwrap_or(false);
        if !is_link || (is_last && !follow_last) {
            done.push(part);
            continue;
        }
        links += 1;
        let Ok(target) = std::fs::read_link(&here) else {
            done.push(part);
            continue;
        };
        if links > MAX_LINKS {
            return root.join(host_path.strip_prefix("/").unwrap_or(host_path));
        }
        if target.is_absolute() {
            done.clear();
        }
        for (i, p) in normal_parts(&target).into_iter().enumerate() {
            queue.insert(i, p);
        }
    }
    join(root, &done)
}

/// The components of a path as names, `..` kept, `/` and `.` dropped.
fn normal_parts(path: &Path) -> VecDeque<OsString> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n.to_os_string()),
            Component::ParentDir => Some(OsString::from("..")),
            _ => None,
        })
        .collect()
}

fn join(root: &Path, parts: &[OsString]) -> PathBuf {
    let mut p = root.to_path_buf();
    p.extend(parts);
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn links_are_rerooted_inside_the_image() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path();
        std::fs::create_dir_all(root.join("srv/www")).unwrap();
        std::fs::create_dir_all(root.join("var")).unwrap();
        symlink("/srv/www", root.join("var/www")).unwrap();
        symlink("../../..", root.join("srv/www/up")).unwrap();
        symlink("loop", root.join("loop")).unwrap();
        assert_eq!(
            resolve(root, Path::new("/var/www/x"), true),
            root.join("srv/www/x")
        );
        assert_eq!(
            resolve(root, Path::new("/var/www"), false),
            root.join("var/www")
        );
        // `..` cannot climb out of the root.
        assert_eq!(
            resolve(root, Path::new("/srv/www/up/etc"), true),
            root.join("etc")
        );
        assert_eq!(
            resolve(root, Path::new("/../../etc"), true),
            root.join("etc")
        );
        // A loop resolves to the unresolved path; opening it then fails.
        assert_eq!(resolve(root, Path::new("/loop"), true), root.join("loop"));
    }
}
