//! Planted artifacts for the `files` check: the scanner's own samples
//! (crates/scan/tests/samples) dropped where attackers put them — a webshell in
//! uploads, an injected wp-config.php, PHP in an image, an .htaccess handler, a mass
//! mailer, an IRC bot and a dropper in temp folders, a miner in /dev/shm, a reverse
//! shell, obfuscated code in a user's public_html.

use crate::{Expect, FakeHost};

macro_rules! sample {
    ($path:literal) => {
        include_bytes!(concat!("../../../scan/tests/samples/", $path))
    };
}

pub fn plant(h: &FakeHost) -> Vec<Expect> {
    let planted: &[(&str, &[u8], &'static str)] = &[
        (
            "/var/www/html/wp-content/uploads/2024/05/thumb.php",
            sample!("webshell/cmd.php"),
            "scan.webshell",
        ),
        (
            "/var/www/html/wp-content/themes/twentyone/gate.php",
            sample!("webshell/gate.php"),
            "scan.webshell",
        ),
        (
            "/var/www/html/wp-config-sample.php",
            sample!("loader/wp-config.php"),
            "scan.loader",
        ),
        (
            "/var/www/html/wp-content/uploads/2024/05/smile.jpg",
            sample!("place/avatar.jpg"),
            "scan.php-in-image",
        ),
        (
            "/var/www/html/wp-content/uploads/.htaccess",
            sample!("place/htaccess"),
            "scan.htaccess-handler",
        ),
        (
            "/var/www/html/wp-content/plugins/contact/inbox.php",
            sample!("mailer/mass.php"),
            "scan.mailer",
        ),
        (
            "/var/tmp/.ICE-unix/.b/httpd.pl",
            sample!("bot/ircbot.pl"),
            "scan.bot",
        ),
        (
            "/dev/shm/.cache/config.json",
            sample!("miner/config.json"),
            "scan.miner",
        ),
        (
            "/dev/shm/.cache/kswapd0",
            sample!("miner/kswapd0"),
            "scan.miner",
        ),
        ("/tmp/.p.sh", sample!("dropper/pipe.sh"), "scan.dropper"),
        (
            "/tmp/.X25-unix/rs.sh",
            sample!("shell-script/revshell.sh"),
            "scan.shell-script",
        ),
        (
            "/var/fcgi_ipc/sess.php",
            sample!("place/tmp.php"),
            "scan.misplaced",
        ),
        (
            "/home/admin/public_html/data.php",
            sample!("place/blob.php"),
            "scan.obfuscated",
        ),
    ];
    planted
        .iter()
        .map(|(path, bytes, rule)| {
            h.write(path, bytes);
            Expect::new(rule, *path)
        })
        .collect()
}
