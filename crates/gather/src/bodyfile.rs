//! The filesystem timeline of the places an intruder writes (web roots, temp
//! directories, `/etc`, homes) in the Sleuth Kit's bodyfile 3.x format, one line per
//! file, which `mactime -b FILE -d` turns into a timeline:
//!
//! ```text
//! MD5|name|inode|mode_as_string|UID|GID|size|atime|mtime|ctime|crtime
//! 0|/var/www/html/x.php|1234|r/rrw-r--r--|33|33|5120|1714979289|1714979289|1714979289|1714979289
//! ```
//!
//! Times are Unix seconds; `crtime` is the birth time from `statx` where the
//! filesystem keeps one, else 0; `MD5` is `0` when not computed; the mode string is
//! the one `fls -m` writes (`r/rrwxr-xr-x`, `d/drwxr-xr-x`, `l/lrwxrwxrwx`,
//! `p/prw-r--r--` …); with [`Options::link_targets`] a symbolic link's name is
//! followed by ` -> ` and its target, as `fls` writes it. Names are host paths
//! (never the image prefix).
//!
//! Names are escaped so that no name breaks a line or a field, and so that what
//! `mactime` prints is safe on a terminal:
//! 1. the path's bytes become text losslessly: invalid UTF-8 is `\xNN`, a backslash
//!    `\\` ([`breachkit_finding::escape_bytes`]);
//! 2. control and bidi characters become visible escapes: `\n`, `\t`, `\r`, `\e`,
//!    `\xNN`, `\u{NNNN}` ([`breachkit_finding::terminal_safe`]);
//! 3. `%` becomes `%25` and `|` becomes `%7C`: `mactime` decodes `%XX` in every
//!    field, so it shows the name of step 2 with its `|` back;
//! 4. `"` becomes `\x22`: `mactime -d` quotes names in its CSV without doubling
//!    quotes, so a quote would end the field there.
//!
//! Reading `%XX` as byte `XX`, `\\` as `\`, `\xNN` as byte `NN` and the named
//! escapes of step 2 as their characters gives the name back (a C1 control, which
//! step 2 also writes `\xNN`, reads back as the byte rather than its UTF-8).
//!
//! Directories are walked without following symbolic links (a link is listed as a
//! link, so a link loop is just two lines) and listed with `O_NOATIME`, files hashed
//! with it: the walk leaves the access times it records as they were. FIFOs,
//! sockets and devices are listed, never opened. An unreadable directory, a file
//! that vanishes during the walk or cannot be hashed is a warning, and the walk
//! goes on.

use breachkit_finding::{Warning, escape_path, terminal_safe};
use breachkit_host::Host;
use md5::{Digest, Md5};
use std::ffi::{OsStr, OsString};
use std::fs::Metadata;
use std::io::{self, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

/// What to compute besides the metadata.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Compute the MD5 of regular files of at most this many bytes; `None`: none.
    pub md5_max: Option<u64>,
    /// Follow a symbolic link's name with ` -> ` and its target, as `fls` does.
    /// Off by default: the kernel updates a link's access time when its target is
    /// read, and no flag prevents it.
    pub link_targets: bool,
}

/// What a walk wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Lines for anything but a directory (files, links, FIFOs, sockets, devices).
    pub files: u64,
    /// Lines for directories (the walked directories themselves included).
    pub dirs: u64,
    /// Regular files whose MD5 was computed.
    pub hashed: u64,
    /// Entries that could not be listed, stat'ed or hashed (each one a warning).
    pub errors: u64,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BodyfileError {
    /// The output failed; the walk stops.
    #[error("writing the bodyfile: {0}")]
    Write(#[source] io::Error),
}

/// A host path as a bodyfile name (see the module comment).
pub fn escape_name(host_path: &Path) -> String {
    let text = escape_path(host_path);
    let safe = terminal_safe(&text);
    let mut out = String::with_capacity(safe.len());
    for c in safe.chars() {
        match c {
            '%' => out.push_str("%25"),
            '|' => out.push_str("%7C"),
            '"' => out.push_str("\\x22"),
            c => out.push(c),
        }
    }
    out
}

/// The mode as `fls -m` writes it: the name's type, `/`, then the type and the
/// permissions as `ls -l` shows them (`r/rrwsr-xr-x`, `d/drwxrwxrwt`).
pub fn mode_string(meta: &Metadata) -> String {
    let ft = meta.file_type();
    let t = if ft.is_dir() {
        'd'
    } else if ft.is_symlink() {
        'l'
    } else if ft.is_file() {
        'r'
    } else if ft.is_fifo() {
        'p'
    } else if ft.is_char_device() {
        'c'
    } else if ft.is_block_device() {
        'b'
    } else if ft.is_socket() {
        's'
    } else {
        '-'
    };
    let mode = meta.mode();
    let bit = |mask: u32, c: char| if mode & mask != 0 { c } else { '-' };
    let special = |exec: bool, set: bool, on: char, off: char| match (exec, set) {
        (true, true) => on,
        (false, true) => off,
        (true, false) => 'x',
        (false, false) => '-',
    };
    let mut s = String::with_capacity(12);
    s.push(t);
    s.push('/');
    s.push(t);
    s.push(bit(0o400, 'r'));
    s.push(bit(0o200, 'w'));
    s.push(special(mode & 0o100 != 0, mode & 0o4000 != 0, 's', 'S'));
    s.push(bit(0o040, 'r'));
    s.push(bit(0o020, 'w'));
    s.push(special(mode & 0o010 != 0, mode & 0o2000 != 0, 's', 'S'));
    s.push(bit(0o004, 'r'));
    s.push(bit(0o002, 'w'));
    s.push(special(mode & 0o001 != 0, mode & 0o1000 != 0, 't', 'T'));
    s
}

/// The birth time in Unix seconds, 0 when the filesystem keeps none.
fn crtime(meta: &Metadata) -> i64 {
    match meta.created() {
        Ok(t) => match t.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(0),
            Err(before) => i64::try_from(before.duration().as_secs()).map_or(0, |s| -s),
        },
        Err(_) => 0,
    }
}

/// One bodyfile line (without the newline). `name` is already escaped
/// ([`escape_name`]); `md5` is `None` when not computed.
pub fn line(name: &str, meta: &Metadata, md5: Option<&str>) -> String {
    format!(
        "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}",
        md5.unwrap_or("0"),
        name,
        meta.ino(),
        mode_string(meta),
        meta.uid(),
        meta.gid(),
        meta.size(),
        meta.atime(),
        meta.mtime(),
        meta.ctime(),
        crtime(meta),
    )
}

/// The directories to walk on this machine, each once: a directory inside another
/// one of the list (or reached twice through links) is left to the outer one.
fn starts(host: &Host, dirs: &[PathBuf]) -> Vec<PathBuf> {
    // In an image `resolve` re-roots every link; on `/` it leaves them to the kernel,
    // which resolves them the same way here (a web root linked elsewhere is walked
    // where it is, not listed as a link).
    let on_root = host.root() == Path::new("/");
    let reals: Vec<PathBuf> = dirs
        .iter()
        .map(|d| {
            let real = host.resolve(d);
            match on_root.then(|| std::fs::canonicalize(&real)) {
                Some(Ok(canonical)) => canonical,
                _ => real,
            }
        })
        .collect();
    let mut out: Vec<PathBuf> = Vec::new();
    for (i, real) in reals.iter().enumerate() {
        let covered = reals.iter().enumerate().any(|(j, other)| {
            (other != real && real.starts_with(other)) || (other == real && j < i)
        });
        if !covered {
            out.push(real.clone());
        }
    }
    out
}

/// The names in a directory, sorted by their bytes. The directory is opened with
/// `O_NOATIME` (listing it would otherwise update its access time, which is
/// evidence) and `O_NOFOLLOW` (a directory swapped for a link is not entered).
fn list(dir: &Path) -> io::Result<Vec<OsString>> {
    use std::os::unix::fs::OpenOptionsExt;
    let flags = nix::libc::O_DIRECTORY
        | nix::libc::O_NOFOLLOW
        | nix::libc::O_NONBLOCK
        | nix::libc::O_CLOEXEC;
    let open = |extra| {
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(flags | extra)
            .open(dir)
    };
    // O_NOATIME needs ownership or CAP_FOWNER; without them the walk goes on.
    let file = match open(nix::libc::O_NOATIME) {
        Err(e) if e.raw_os_error() == Some(nix::libc::EPERM) => open(0)?,
        other => other?,
    };
    let mut handle = nix::dir::Dir::from_fd(file.into()).map_err(io::Error::from)?;
    let mut names = Vec::new();
    for entry in handle.iter() {
        let entry = entry.map_err(io::Error::from)?;
        let name = entry.file_name().to_bytes();
        if name != b"." && name != b".." {
            names.push(OsStr::from_bytes(name).to_os_string());
        }
    }
    names.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    Ok(names)
}

/// A directory being walked and the names in it still to visit.
type Frame = (PathBuf, std::vec::IntoIter<OsString>);

/// One walk: where lines go and what was counted.
struct Walk<'a, W: Write> {
    host: &'a Host,
    options: &'a Options,
    out: W,
    counts: Counts,
    warnings: &'a mut Vec<Warning>,
}

impl<W: Write> Walk<'_, W> {
    fn warn(&mut self, real: &Path, message: String) {
        self.warnings
            .push(Warning::new(self.host.display(real), message));
        self.counts.errors += 1;
    }

    /// Writes the line of `real`; returns whether it is a directory to enter.
    fn entry(&mut self, real: &Path) -> Result<bool, BodyfileError> {
        let meta = match std::fs::symlink_metadata(real) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                self.warn(real, "vanished during the walk; not listed".into());
                return Ok(false);
            }
            Err(e) => {
                self.warn(real, format!("{e}; not listed"));
                return Ok(false);
            }
        };
        let host_path = self.host.host_path(real);
        let mut name = escape_name(&host_path);
        if self.options.link_targets && meta.file_type().is_symlink() {
            match std::fs::read_link(real) {
                Ok(target) => {
                    name.push_str(" -> ");
                    name.push_str(&escape_name(&target));
                }
                Err(e) => self.warn(real, format!("cannot read the link: {e}")),
            }
        }
        let md5 = match self.options.md5_max {
            Some(max) if meta.file_type().is_file() && meta.len() <= max => {
                match md5_of(self.host, &host_path, max) {
                    Ok(Some(sum)) => {
                        self.counts.hashed += 1;
                        Some(sum)
                    }
                    Ok(None) => None,
                    Err(w) => {
                        self.warnings.push(w);
                        self.counts.errors += 1;
                        None
                    }
                }
            }
            _ => None,
        };
        if meta.is_dir() {
            self.counts.dirs += 1;
        } else {
            self.counts.files += 1;
        }
        writeln!(self.out, "{}", line(&name, &meta, md5.as_deref()))
            .map_err(BodyfileError::Write)?;
        Ok(meta.is_dir())
    }

    fn enter(&mut self, dir: &Path, stack: &mut Vec<Frame>) {
        match list(dir) {
            Ok(names) => stack.push((dir.to_path_buf(), names.into_iter())),
            Err(e) => self.warn(dir, format!("cannot list the directory: {e}")),
        }
    }

    /// The directory `start` and everything below it, depth first in name order.
    /// The stack holds the names still to visit of each open directory, so a deep
    /// tree costs no recursion.
    fn tree(&mut self, start: &Path) -> Result<(), BodyfileError> {
        if std::fs::symlink_metadata(start).is_err_and(|e| e.kind() == io::ErrorKind::NotFound) {
            return Ok(());
        }
        let mut stack: Vec<Frame> = Vec::new();
        if self.entry(start)? {
            self.enter(start, &mut stack);
        }
        while let Some((dir, names)) = stack.last_mut() {
            let Some(name) = names.next() else {
                stack.pop();
                continue;
            };
            let real = dir.join(name);
            if self.entry(&real)? {
                self.enter(&real, &mut stack);
            }
        }
        Ok(())
    }
}

/// Walks `dirs` (host paths) and writes one line per entry, the directories
/// themselves included, depth first in name order. A missing directory yields
/// nothing.
pub fn write_bodyfile(
    host: &Host,
    dirs: &[PathBuf],
    options: &Options,
    out: impl Write,
    warnings: &mut Vec<Warning>,
) -> Result<Counts, BodyfileError> {
    let mut walk = Walk {
        host,
        options,
        out: io::BufWriter::new(out),
        counts: Counts::default(),
        warnings,
    };
    for start in starts(host, dirs) {
        walk.tree(&start)?;
    }
    walk.out.flush().map_err(BodyfileError::Write)?;
    Ok(walk.counts)
}

/// The MD5 of a regular file read through [`Host::open`] (`O_NOATIME`, never a
/// FIFO or a device, no symlink); `None` when it grew past `max` while read.
fn md5_of(host: &Host, host_path: &Path, max: u64) -> Result<Option<String>, Warning> {
    let (file, _) = host.open(host_path).map_err(|e| e.warning())?;
    let mut hasher = Md5::new();
    let mut reader = file.take(max.saturating_add(1));
    let mut buf = vec![0u8; 64 << 10];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(Warning::new(
                    escape_path(host_path),
                    format!("read error while hashing: {e}"),
                ));
            }
        };
        hasher.update(buf.get(..n).unwrap_or_default());
        total += n as u64;
    }
    Ok((total <= max).then(|| hex::encode(hasher.finalize())))
}
