//! Honest content of the web roots and temp folders the `files` check scans: the
//! scanner's clean look-alikes (crates/scan/tests/clean) — a plugin that uses
//! base64_decode, a template engine that evals compiled templates, a contact form,
//! a newsletter class, a minified library, an image with `<?` in its data, an
//! uploads `.htaccess` and `index.php`, a front controller, docblocks naming request
//! variables, strrev as a callback, font metrics — plus ordinary temp-folder files.

use crate::FakeHost;

macro_rules! clean {
    ($path:literal) => {
        include_bytes!(concat!("../../scan/tests/clean/", $path))
    };
}

pub fn build(h: &FakeHost) {
    let files: &[(&str, &[u8])] = &[
        (
            "/var/www/html/wp-content/plugins/honest-cache/honest-cache.php",
            clean!("plugin.php"),
        ),
        (
            "/var/www/html/wp-content/plugins/views/src/View.php",
            clean!("template-cache.php"),
        ),
        ("/var/www/html/contact.php", clean!("contact.php")),
        (
            "/var/www/html/wp-content/plugins/newsletter/Newsletter.php",
            clean!("mailer-class.php"),
        ),
        ("/home/deploy/public_html/deploy.sh", clean!("deploy.sh")),
        (
            "/var/www/html/wp-content/uploads/index.php",
            clean!("index.php"),
        ),
        (
            "/var/www/html/wp-content/uploads/.htaccess",
            clean!("htaccess"),
        ),
        (
            "/var/www/html/wp-content/uploads/2024/05/banner.jpg",
            clean!("photo.jpg"),
        ),
        (
            "/var/www/html/wp-includes/js/minilib.min.js",
            clean!("minilib.min.js"),
        ),
        (
            "/var/www/html/lib/FrontController.php",
            clean!("router.php"),
        ),
        ("/var/www/html/lib/Guid.php", clean!("docblocks.php")),
        ("/var/www/html/inc/StyleUtils.php", clean!("paths.php")),
        (
            "/var/www/html/lib/tcpdf/fonts/examplesans.php",
            clean!("font-metrics.php"),
        ),
        (
            "/tmp/sess_3f9a1c",
            b"wp_user|s:5:\"admin\";last|i:1716200000;",
        ),
        ("/var/lib/php/sessions/sess_b71e0d", b"cart|a:0:{}"),
        ("/var/tmp/systemd-private-4c1d/tmp/.keep", b""),
        (
            "/tmp/composer-cache/files/monolog/monolog.zip",
            b"PK\x03\x04\x14\x00\x00\x00\x08\x00",
        ),
    ];
    for (path, bytes) in files {
        h.write(path, bytes);
    }
    h.mkdir("/var/fcgi_ipc");
    h.mkfifo("/tmp/.php-fpm.fifo");
}
