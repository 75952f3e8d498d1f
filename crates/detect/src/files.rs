//! `files`: the content scanner (breachkit-scan: YARA rules and native heuristics)
//! on the places attackers drop files: the temp folders (`/tmp`, `/var/tmp`,
//! `/dev/shm`, `/var/fcgi_ipc`, PHP's session folder) and every web root (the usual
//! places, `/home/*/public_html`, and the roots in the nginx and apache
//! configuration). Nothing is skipped for being hidden, root-owned or ignored by
//! git; symlinks are not followed; FIFOs, sockets and devices are not opened.
//! PHP configuration backdoors (`auto_prepend_file`, `.user.ini`) are the `php`
//! check's job, not this one's.

use crate::Context;
use crate::paths::{TEMP_DIRS, in_uploads, is_temp};
use breachkit_scan::{Engine, Options, Places, Progress, Tree, scan_tree};
use std::path::PathBuf;

/// How the scanner judges places: the same way as every other check.
pub const PLACES: Places = Places {
    is_temp,
    in_uploads,
};

pub struct Files;

impl crate::Check for Files {
    fn name(&self) -> &'static str {
        "files"
    }

    fn about(&self) -> &'static str {
        "webshells, injected loaders, mailers, bots, miners and droppers in temp folders and web roots (YARA + heuristics)"
    }

    fn run(&self, ctx: &mut Context) {
        let engine = match Engine::new(Options::new(PLACES)) {
            Ok(e) => e,
            Err(e) => {
                ctx.warn_general(format!("the files check could not load its rules: {e}"));
                return;
            }
        };
        let mut roots: Vec<PathBuf> = TEMP_DIRS.iter().map(PathBuf::from).collect();
        roots.extend(ctx.web_roots());
        let tree = Tree {
            host: ctx.host,
            roots,
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
        };
        let (findings, warnings, _) = scan_tree(&engine, &tree, &Progress::default());
        for f in findings {
            ctx.report(f);
        }
        ctx.warn_all(warnings);
    }
}
