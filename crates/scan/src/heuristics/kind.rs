//! What kind of file this is, from its first bytes and its name: the heuristics
//! that apply depend on it.

/// The kind of a file, as far as the heuristics care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// PHP source: a PHP extension, or `<?php` near the start of a text file.
    Php,
    /// A shell, Perl or Python script (`#!` or a script extension).
    Script,
    /// An Apache `.htaccess` file.
    Htaccess,
    /// Starts with an image format's magic bytes.
    Image,
    /// An ELF program or library.
    Elf,
    /// Other text.
    Text,
    /// Other binary data.
    Binary,
}

/// Extensions Apache or PHP-FPM may run as PHP.
const PHP_EXTENSIONS: &[&str] = &[
    "php", "php3", "php4", "php5", "php7", "php8", "phtml", "pht", "phps", "phar", "inc",
];
const SCRIPT_EXTENSIONS: &[&str] = &["sh", "bash", "pl", "pm", "py", "cgi"];
const IMAGE_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "png", "gif", "bmp", "ico", "webp", "svg", "tif", "tiff",
];
/// How much of the start of a file decides its kind.
const HEAD: usize = 4096;

impl Kind {
    pub fn of(path: &str, bytes: &[u8]) -> Kind {
        let head = &bytes[..bytes.len().min(HEAD)];
        if head.starts_with(b"\x7fELF") {
            return Kind::Elf;
        }
        if is_image(head) {
            return Kind::Image;
        }
        let name = path.rsplit('/').next().unwrap_or(path);
        if name == ".htaccess" {
            return Kind::Htaccess;
        }
        let ext = extension(name);
        let binary = has_nul_in_head(bytes);
        if PHP_EXTENSIONS.contains(&ext.as_str()) || (!binary && find_ci(head, b"<?php")) {
            return Kind::Php;
        }
        if head.starts_with(b"#!") || SCRIPT_EXTENSIONS.contains(&ext.as_str()) {
            return Kind::Script;
        }
        if binary { Kind::Binary } else { Kind::Text }
    }

    pub fn is_text(self) -> bool {
        matches!(self, Kind::Php | Kind::Script | Kind::Htaccess | Kind::Text)
    }
}

/// A NUL byte in the first 4 KiB: binary data, not text (shells refuse such files).
pub(crate) fn has_nul_in_head(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(HEAD)]).is_some()
}

/// The lower-case extension of a file name (`""` when none).
pub(crate) fn extension(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// The lower-case extension of the file a path names.
pub(crate) fn extension_of(path: &str) -> String {
    extension(path.rsplit('/').next().unwrap_or(path))
}

/// True when the file name has an image extension.
pub(crate) fn has_image_extension(path: &str) -> bool {
    IMAGE_EXTENSIONS.contains(&extension_of(path).as_str())
}

/// GIF, PNG, JPEG, BMP (with its header size field), ICO and WebP.
fn is_image(head: &[u8]) -> bool {
    head.starts_with(b"GIF87a")
        || head.starts_with(b"GIF89a")
        || head.starts_with(b"\x89PNG\r\n\x1a\n")
        || head.starts_with(b"\xff\xd8\xff")
        || (head.starts_with(b"BM") && head.len() > 14 && head[6..10] == [0, 0, 0, 0])
        || head.starts_with(b"\x00\x00\x01\x00\x01\x00")
        || (head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP"))
}

/// ASCII case-insensitive substring search.
pub(crate) fn find_ci(hay: &[u8], needle: &[u8]) -> bool {
    position_ci(hay, needle).is_some()
}

/// Where `needle` first occurs in `hay`, ignoring ASCII case.
pub(crate) fn position_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let first = needle.first()?;
    let (lo, up) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    memchr::memchr2_iter(lo, up, hay).find(|&i| {
        hay.get(i..i + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(Kind::of("/x/a.php", b"hello"), Kind::Php);
        assert_eq!(Kind::of("/x/a.txt", b"x\n<?PHP echo 1;"), Kind::Php);
        assert_eq!(Kind::of("/x/a.jpg", b"GIF89a<?php"), Kind::Image);
        assert_eq!(Kind::of("/x/.htaccess", b"AddType x"), Kind::Htaccess);
        assert_eq!(Kind::of("/x/run", b"#!/bin/sh\n"), Kind::Script);
        assert_eq!(Kind::of("/x/m", b"\x7fELF\x02"), Kind::Elf);
        assert_eq!(Kind::of("/x/a.js", b"var a=1;"), Kind::Text);
        assert_eq!(Kind::of("/x/a.bin", b"a\0b<?php"), Kind::Binary);
        assert_eq!(extension(".htaccess"), "");
        assert!(has_image_extension("/u/2024/a.PNG"));
        assert_eq!(position_ci(b"xxEvAl(", b"eval"), Some(2));
    }
}
