//! Where attackers keep their files: world-writable temp directories and hidden
//! directories. Shared by every check that judges a path.

/// Temp directories any local user or the web server can write to.
pub const TEMP_DIRS: &[&str] = &[
    "/tmp",
    "/var/tmp",
    "/dev/shm",
    "/run/shm",
    "/var/lib/php/sessions",
    "/var/fcgi_ipc",
];

/// True when `path` is inside a temp directory.
pub fn is_temp(path: &str) -> bool {
    TEMP_DIRS.iter().any(|d| {
        path.strip_prefix(d)
            .is_some_and(|rest| rest.starts_with('/'))
    })
}

/// True when a directory on the way to `path` is hidden (`/var/www/.cache/x`). The
/// file's own name does not count: `.htaccess` is not a hidden directory.
pub fn in_hidden_dir(path: &str) -> bool {
    let Some((dirs, _file)) = path.rsplit_once('/') else {
        return false;
    };
    dirs.split('/')
        .any(|c| c.starts_with('.') && c != "." && c != "..")
}

/// True when `path` is in a WordPress (or similar) upload directory, where no code
/// belongs.
pub fn in_uploads(path: &str) -> bool {
    path.contains("/wp-content/uploads/") || path.contains("/uploads/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_hidden_and_uploads() {
        assert!(is_temp("/tmp/x"));
        assert!(is_temp("/dev/shm/.a/b"));
        assert!(!is_temp("/tmpfoo/x"));
        assert!(!is_temp("/tmp"));
        assert!(in_hidden_dir("/var/www/.cache/x"));
        assert!(!in_hidden_dir("/var/www/html/.htaccess"));
        assert!(!in_hidden_dir("/usr/bin/x"));
        assert!(in_uploads("/var/www/html/wp-content/uploads/2024/x.php"));
    }
}
