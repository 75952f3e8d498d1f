//! Packs a finished bundle directory into one `.tar.zst` (its files in manifest
//! order, the manifest last), then removes the directory. The files keep their
//! bytes, so the manifest and its recorded SHA-256 hold for the archive as well.

use super::manifest::MANIFEST;
use crate::GatherError;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Writes `dir` (a finished bundle) into a new `out`, then removes `dir`. On an
/// error the partial archive is removed and `dir` is kept.
pub fn pack(dir: &Path, names: &[String], out: &Path) -> Result<(), GatherError> {
    let result = write(dir, names, out);
    match result {
        Ok(()) => std::fs::remove_dir_all(dir).map_err(GatherError::io(dir)),
        Err(e) => {
            let _ = std::fs::remove_file(out);
            Err(e)
        }
    }
}

fn write(dir: &Path, names: &[String], out: &Path) -> Result<(), GatherError> {
    let file = super::create_new(out)?;
    let mut encoder = zstd::stream::write::Encoder::new(file, 3).map_err(GatherError::io(out))?;
    encoder.multithread(2).map_err(GatherError::io(out))?;
    let mut tar = tar::Builder::new(BufWriter::with_capacity(256 << 10, encoder));
    for name in names.iter().map(String::as_str).chain([MANIFEST]) {
        let path = dir.join(name);
        let (mut src, meta) = super::open_regular(&path)?;
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Regular);
        h.set_mode(0o400);
        h.set_size(meta.len());
        h.set_mtime(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or_default(),
        );
        tar.append_data(&mut h, name, &mut src)
            .map_err(GatherError::io(out))?;
    }
    let encoder = tar
        .into_inner()
        .map_err(GatherError::io(out))?
        .into_inner()
        .map_err(|e| GatherError::Io {
            path: out.to_path_buf(),
            source: e.into_error(),
        })?;
    let mut file = encoder.finish().map_err(GatherError::io(out))?;
    file.flush()
        .and_then(|()| file.sync_all())
        .map_err(GatherError::io(out))
}
