//! Heuristics about what a file is and where it lies: PHP inside an image, an
//! `.htaccess` that makes non-PHP files run as PHP, PHP code in upload and temp
//! folders, programs in temp folders, and an inode changed long after the file's
//! stated modification time.
//!
//! Location is context, not verdict. A loose file in a temp or upload folder (a
//! script by itself, `/tmp/x.php`; a program in `/dev/shm/.x/`) weighs more, and
//! more again in a hidden folder there. A file of an application tree unpacked in
//! such a folder (`/tmp/restore-2024/wp-includes/load.php`, `View::app_path`) gets
//! no weight for where the tree lies, only for where it lies inside the tree: PHP
//! in the tree's own `wp-content/uploads/` is as misplaced as on the live site.

use super::kind::{Kind, find_ci, has_image_extension, position_ci};
use super::{Heuristic, View};
use regex::bytes::Regex;
use std::sync::LazyLock;

/// ctime this much later than mtime looks timestomped.
const TIMESTOMP_GAP: i64 = 30 * 86_400;
/// How far after `<?php` in an image PHP code must show.
const CODE_WINDOW: usize = 300;
/// Folders of a path looked at for a hidden one, at most (a hostile tree is deep).
const MAX_FOLDERS: usize = 64;

pub(crate) fn run(view: &View, hit: &mut impl FnMut(Heuristic, Option<usize>)) {
    match view.kind {
        Kind::Image => {
            if let Some(at) = php_code_in_image(view.bytes) {
                hit(Heuristic::PhpInImage, Some(at));
            }
        }
        Kind::Htaccess => {
            if let Some(at) = handler_abuse(view.bytes) {
                hit(Heuristic::HtaccessHandler, Some(at));
            }
        }
        Kind::Php => {
            let place = Place::of(view);
            let image_name = has_image_extension(view.path);
            if (place.temp || place.uploads || image_name)
                && let Some(at) = first_code(view.bytes)
            {
                if image_name {
                    hit(Heuristic::PhpInImage, Some(at));
                }
                if place.uploads {
                    hit(Heuristic::PhpInUploads, Some(at));
                }
                if place.temp {
                    hit(Heuristic::PhpInTemp, Some(at));
                }
                if place.hidden {
                    hit(Heuristic::HiddenFolder, Some(at));
                }
            }
        }
        Kind::Elf => {
            let place = Place::of(view);
            if place.temp || place.uploads {
                hit(Heuristic::ElfInTemp, Some(0));
            }
            if place.hidden {
                hit(Heuristic::HiddenFolder, Some(0));
            }
        }
        _ => {}
    }
    if matches!(
        view.kind,
        Kind::Php | Kind::Script | Kind::Elf | Kind::Htaccess
    ) && view.ctime - view.mtime > TIMESTOMP_GAP
    {
        hit(Heuristic::Timestomp, None);
    }
}

/// Where a file counts as lying.
struct Place {
    /// In a temp folder, loose (not part of an application tree unpacked there).
    temp: bool,
    /// In an uploads folder: loose there, or inside the uploads folder of an
    /// application tree unpacked in a temp or upload folder.
    uploads: bool,
    /// In one of those, in a hidden folder below it (`/dev/shm/.x/run`).
    hidden: bool,
}

impl Place {
    fn of(view: &View) -> Place {
        let places = view.places;
        let (path, temp) = match view.app_path {
            // Where the tree lies does not count; where the file lies in it does.
            Some(inner) => (inner, false),
            None => (view.path, (places.is_temp)(view.path)),
        };
        let uploads = (places.in_uploads)(path);
        let below = |dir: &str| (places.in_uploads)(dir) || (temp && (places.is_temp)(dir));
        Place {
            temp,
            uploads,
            hidden: (temp || uploads) && hidden_folder_below(path, below),
        }
    }
}

/// True when a folder of `path` for which `below` holds (one inside a temp or
/// uploads folder) is hidden: `/dev/shm/.x/run`, `uploads/.cache/x.php`; not the
/// file's own name (`.htaccess`), not a hidden folder above the place
/// (`/home/u/.local/…/uploads/x.php`).
fn hidden_folder_below(path: &str, below: impl Fn(&str) -> bool) -> bool {
    let Some((dirs, _file)) = path.rsplit_once('/') else {
        return false;
    };
    let mut end = 0;
    for name in dirs.split('/').take(MAX_FOLDERS) {
        end += name.len();
        if name.starts_with('.') && name != "." && name != ".." && below(&dirs[..end]) {
            return true;
        }
        end += 1;
    }
    false
}

/// `<?php` or `<?=` followed closely by PHP code (a variable, a call, a statement
/// end), somewhere in an image. A bare `<?` (common in compressed image data) or an
/// XMP `<?xpacket` is not code.
fn php_code_in_image(bytes: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(rel) = memchr::memmem::find(&bytes[from..], b"<?") {
        let at = from + rel;
        let after = &bytes[at + 2..];
        let body = if after.len() >= 3 && after[..3].eq_ignore_ascii_case(b"php") {
            Some(&after[3..])
        } else if after.first() == Some(&b'=') {
            Some(&after[1..])
        } else {
            None
        };
        if let Some(body) = body {
            let window = &body[..body.len().min(CODE_WINDOW)];
            let looks_like_code = window
                .first()
                .is_some_and(|b| b.is_ascii_whitespace() || *b == b'$')
                && window.contains(&b'(')
                && (window.contains(&b';') || find_ci(window, b"?>"));
            if looks_like_code {
                return Some(at);
            }
        }
        from = at + 2;
    }
    None
}

static HANDLER_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?im)^[ \t]*(AddType|AddHandler|SetHandler|ForceType)[ \t]+(\S+)[ \t]*([^\r\n]*)")
        .expect("static regex")
});
static FILES_BLOCK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^[ \t]*<\s*Files(Match)?\b([^>]*)>").expect("static regex"));
/// Handlers that run PHP (mod_php types, CGI/FPM handler names, FPM proxies).
static PHP_HANDLER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)x-httpd-(ea-)?php|php\d*-(script|cgi|fcgi)|^php\d*$|proxy:.*fcgi")
        .expect("static regex")
});
/// File names that must never run as PHP.
static NOT_PHP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(jpe?g|png|gif|ico|bmp|webp|svg|txt|htaccess|css|js|pdf|zip|log|\.\*)\b")
        .expect("static regex")
});

/// A handler line in an `.htaccess` that makes images, text or `.htaccess` itself
/// run as PHP: `AddType`/`AddHandler` with such extensions, or
/// `SetHandler`/`ForceType` inside a `<Files>` block naming them or with no block.
fn handler_abuse(bytes: &[u8]) -> Option<usize> {
    let mut files_block: Option<Vec<u8>> = None;
    let mut offset = 0;
    for line in bytes.split(|&b| b == b'\n') {
        let here = offset;
        offset += line.len() + 1;
        if let Some(c) = FILES_BLOCK.captures(line) {
            files_block = Some(c[2].to_vec());
            continue;
        }
        if find_ci(line, b"</Files") {
            files_block = None;
            continue;
        }
        let Some(c) = HANDLER_LINE.captures(line) else {
            continue;
        };
        if !PHP_HANDLER.is_match(&c[2]) {
            continue;
        }
        let abused = match &c[1].to_ascii_lowercase()[..] {
            b"addtype" | b"addhandler" => c[3]
                .split(|b| b.is_ascii_whitespace())
                .any(|ext| !ext.is_empty() && NOT_PHP.is_match(ext)),
            _ => files_block
                .as_ref()
                .is_none_or(|pattern| NOT_PHP.is_match(pattern)),
        };
        if abused {
            return Some(here);
        }
    }
    None
}

/// Where the first PHP code (not a comment, not whitespace) starts; `None` for a
/// file that only holds comments (`<?php // Silence is golden`).
fn first_code(bytes: &[u8]) -> Option<usize> {
    // A loop, not recursion: a file of millions of `<?php ?>` blocks must not
    // exhaust the stack.
    let mut base = 0;
    loop {
        let rest = bytes.get(base..)?;
        let start = position_ci(rest, b"<?php")
            .map(|i| i + 5)
            .or_else(|| memchr::memmem::find(rest, b"<?=").map(|i| i + 3))?;
        match code_or_close(rest, start) {
            Block::Code(at) => return Some(base + at),
            Block::Closed(after) => base += after,
            Block::End => return None,
        }
    }
}

/// What follows an opening tag.
enum Block {
    /// Code starts at this offset.
    Code(usize),
    /// The block closes with no code in it; PHP resumes after this offset.
    Closed(usize),
    /// Only comments and whitespace to the end.
    End,
}

fn code_or_close(bytes: &[u8], start: usize) -> Block {
    let mut i = start;
    while let Some(&b) = bytes.get(i) {
        match b {
            b if b.is_ascii_whitespace() => i += 1,
            b'#' => i = skip_line(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'/') => i = skip_line(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = memchr::memmem::find(bytes.get(i + 2..).unwrap_or_default(), b"*/")
                    .map_or(bytes.len(), |e| i + 2 + e + 2)
            }
            b'?' if bytes.get(i + 1) == Some(&b'>') => return Block::Closed(i + 2),
            _ => return Block::Code(i),
        }
    }
    Block::End
}

fn skip_line(bytes: &[u8], i: usize) -> usize {
    memchr::memchr(b'\n', bytes.get(i..).unwrap_or_default()).map_or(bytes.len(), |e| i + e + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_with_and_without_code() {
        assert!(php_code_in_image(b"GIF89a\x01\x00<?php system($_GET['c']); ?>").is_some());
        assert!(php_code_in_image(b"\xff\xd8\xff\xe0<?=$x('y');").is_some());
        assert!(php_code_in_image(b"\xff\xd8\xff\xe0 <?xpacket begin='' id='W5M0'?>").is_none());
        assert!(php_code_in_image(b"\x89PNG\r\n\x1a\n\x00<?\x93\x11<?phpx").is_none());
    }

    #[test]
    fn htaccess_handlers() {
        let bad = [
            "AddType application/x-httpd-php .jpg .php\n",
            "AddHandler php7-script .png\n",
            "<Files ~ \"\\.(gif)$\">\n  SetHandler application/x-httpd-php\n</Files>\n",
            "<Files .htaccess>\nForceType application/x-httpd-php\n</Files>\n",
            "SetHandler application/x-httpd-php\n",
        ];
        for b in bad {
            assert!(handler_abuse(b.as_bytes()).is_some(), "{b}");
        }
        let good = [
            "AddHandler application/x-httpd-ea-php81 .php .php8 .phtml\n",
            "AddType application/x-httpd-php .html .htm\n",
            "<FilesMatch \\.php$>\n SetHandler \"proxy:unix:/run/php/php8.2-fpm.sock|fcgi://localhost\"\n</FilesMatch>\n",
            "AddType image/webp .webp\nAddHandler cgi-script .cgi\n",
            "# AddType application/x-httpd-php .jpg\n",
        ];
        for g in good {
            assert!(handler_abuse(g.as_bytes()).is_none(), "{g}");
        }
    }

    #[test]
    fn hidden_folders_below_the_place() {
        let temp = |d: &str| d.starts_with("/tmp/") || d.starts_with("/dev/shm/");
        assert!(hidden_folder_below("/dev/shm/.x/run", temp));
        assert!(hidden_folder_below("/tmp/a/.b/c/x.php", temp));
        assert!(!hidden_folder_below("/tmp/x.php", temp));
        assert!(
            !hidden_folder_below("/tmp/.x.php", temp),
            "the file's own name"
        );
        assert!(!hidden_folder_below("/home/u/.local/tmp/x.php", temp));
        let uploads = |d: &str| d.contains("/uploads/");
        assert!(hidden_folder_below(
            "/wp-content/uploads/.cache/x.php",
            uploads
        ));
        assert!(!hidden_folder_below(
            "/srv/.site/wp-content/uploads/x.php",
            uploads
        ));
    }

    #[test]
    fn comment_only_php_has_no_code() {
        assert_eq!(first_code(b"<?php\n// Silence is golden.\n"), None);
        assert_eq!(first_code(b"<?php /* x */ # y\n?>\n<html>"), None);
        assert_eq!(first_code(b"<?php\n// x\n@eval($_POST[1]);"), Some(11));
        assert_eq!(first_code(b"<html><?= $x ?>"), Some(10));
        // Two million empty blocks: once a stack overflow that aborted the scan.
        let mut many = b"<?php ?>".repeat(2_000_000);
        assert_eq!(first_code(&many), None);
        many.extend_from_slice(b"<?php x();");
        assert_eq!(first_code(&many), Some(16_000_006));
    }
}
