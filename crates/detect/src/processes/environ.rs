//! What a process's environment (the one it was started with, `/proc/PID/environ`)
//! says: libraries preloaded with `LD_PRELOAD`, and miner settings.

use breachkit_finding::escape_bytes;
use breachkit_scan::shellcmd::miner_word;

/// Directories only root can write to, where distribution packages put libraries.
const SYSTEM_LIB_DIRS: &[&[u8]] = &[
    b"/usr/lib/",
    b"/lib/",
    b"/usr/lib64/",
    b"/lib64/",
    b"/usr/local/lib/",
];

/// The values of the `LD_PRELOAD=` entries that name at least one library.
pub(super) fn ld_preload(environ: &[Vec<u8>]) -> Vec<&[u8]> {
    environ
        .iter()
        .filter_map(|e| e.strip_prefix(b"LD_PRELOAD="))
        .filter(|value| preloaded(value).next().is_some())
        .collect()
}

/// The libraries of an `LD_PRELOAD` value; the dynamic linker splits it on blanks
/// and colons.
pub(super) fn preloaded(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value
        .split(|b| matches!(b, b' ' | b':' | b'\t'))
        .filter(|lib| !lib.is_empty())
}

/// Whether a preloaded library is named by a plain path in a system library
/// directory (no `..`, no `$LIB`-style token that could point elsewhere).
pub(super) fn in_system_lib_dir(lib: &[u8]) -> bool {
    SYSTEM_LIB_DIRS.iter().any(|dir| lib.starts_with(dir))
        && !lib.split(|&b| b == b'/').any(|c| c == b"..")
        && !lib.contains(&b'$')
}

/// The first environment entry that names a miner, with the word, escaped.
pub(super) fn miner_entry(environ: &[Vec<u8>]) -> Option<(&'static str, String)> {
    environ.iter().find_map(|entry| {
        let text = escape_bytes(entry);
        miner_word(&text).map(|word| (word, text))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(entries: &[&str]) -> Vec<Vec<u8>> {
        entries.iter().map(|e| e.as_bytes().to_vec()).collect()
    }

    #[test]
    fn preload_entries_and_libraries() {
        let e = env(&[
            "PATH=/bin",
            "LD_PRELOAD=",
            "LD_PRELOAD= : ",
            "LD_PRELOAD=/a.so:/b.so c.so",
        ]);
        assert_eq!(ld_preload(&e), vec![&b"/a.so:/b.so c.so"[..]]);
        let libs: Vec<&[u8]> = preloaded(b"/a.so:/b.so c.so").collect();
        assert_eq!(libs, vec![&b"/a.so"[..], b"/b.so", b"c.so"]);
        assert!(ld_preload(&env(&["XLD_PRELOAD=/x.so"])).is_empty());
    }

    #[test]
    fn system_library_paths() {
        assert!(in_system_lib_dir(
            b"/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"
        ));
        assert!(in_system_lib_dir(b"/lib64/libeatmydata.so"));
        assert!(!in_system_lib_dir(b"/tmp/x.so"));
        assert!(!in_system_lib_dir(b"/usr/lib/../../tmp/x.so"));
        assert!(!in_system_lib_dir(b"/usr/lib/$LIB/x.so"));
        assert!(!in_system_lib_dir(b"libjemalloc.so"));
        assert!(!in_system_lib_dir(b"/usr/libexec/x.so"));
    }

    #[test]
    fn miner_settings_in_the_environment() {
        let e = env(&["HOME=/root", "POOL=stratum+tcp://pool.example.org:3333"]);
        let (word, entry) = miner_entry(&e).unwrap();
        assert_eq!(word, "stratum+tcp://");
        assert!(entry.starts_with("POOL="));
        assert_eq!(miner_entry(&env(&["HOME=/root", "LANG=C.UTF-8"])), None);
    }
}
