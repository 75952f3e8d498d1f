//! The honest server: what a busy, well-run LAMP/WordPress host has, and nothing that
//! any check should report at medium or above.

use crate::FakeHost;

const KEY_ROOT: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHkKxLq0yFjRC4G2Qd2m4oYyq8v7ZP5dWq1pG3o3rT9a ops@laptop";
const KEY_ADMIN: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG1u0q2e5xN4Vb7ZkqJr8Yp3mX0s9T2aLwQe6Hc1dF5g admin@desk";
const KEY_BACKUP: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB4c7Yh2Qk9sXz0pW3mLr6TtVn8eG1oJdAa5Kf2uHq7w backup@nas";

pub fn build(h: &FakeHost) {
    accounts(h);
    cron(h);
    systemd(h);
    history(h);
    ssh(h);
    web(h);
    crate::clean_files::build(h);
    crate::clean_logs::build(h);
    crate::clean_mail::build(h);
    h.write("/etc/hostname", "web01\n");
    h.write(
        "/var/lib/dpkg/status",
        "Package: nginx\nStatus: install ok installed\n",
    );
    h.age("/var/lib/dpkg/status", 10);
}

fn accounts(h: &FakeHost) {
    h.write(
        "/etc/passwd",
        "root:x:0:0:root:/root:/bin/bash\n\
         daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n\
         bin:x:2:2:bin:/bin:/usr/sbin/nologin\n\
         sys:x:3:3:sys:/dev:/usr/sbin/nologin\n\
         sync:x:4:65534:sync:/bin:/bin/sync\n\
         www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n\
         nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n\
         systemd-network:x:998:998:systemd Network Management:/:/usr/sbin/nologin\n\
         sshd:x:101:65534::/run/sshd:/usr/sbin/nologin\n\
         mysql:x:102:105:MySQL Server,,,:/nonexistent:/bin/false\n\
         postfix:x:103:106::/var/spool/postfix:/usr/sbin/nologin\n\
         postgres:x:104:107:PostgreSQL administrator,,,:/var/lib/postgresql:/bin/bash\n\
         admin:x:1000:1000:Site Admin,,,:/home/admin:/bin/bash\n\
         deploy:x:1001:1001:Deploy,,,:/home/deploy:/bin/bash\n",
    );
    h.write(
        "/etc/shadow",
        "root:$y$j9T$Qk1n2b3c4d5e6f7g8h9i0j$AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdef:19800:0:99999:7:::\n\
         daemon:*:19800:0:99999:7:::\n\
         bin:*:19800:0:99999:7:::\n\
         sys:*:19800:0:99999:7:::\n\
         sync:*:19800:0:99999:7:::\n\
         www-data:*:19800:0:99999:7:::\n\
         nobody:*:19800:0:99999:7:::\n\
         systemd-network:!*:19800::::::\n\
         sshd:!:19800::::::\n\
         mysql:!:19800::::::\n\
         postfix:*:19800:0:99999:7:::\n\
         postgres:*:19800:0:99999:7:::\n\
         admin:$y$j9T$Zx9y8w7v6u5t4s3r2q1p0o$ZyXwVuTsRqPoNmLkJiHgFeDcBa9876543210fedcba:19810:0:99999:7:::\n\
         deploy:!:19810:0:99999:7:::\n",
    );
    h.write(
        "/etc/group",
        "root:x:0:\nadm:x:4:admin\nsudo:x:27:admin\nwww-data:x:33:deploy\nusers:x:100:\n\
         mysql:x:105:\npostfix:x:106:\npostgres:x:107:\nnogroup:x:65534:\nadmin:x:1000:\ndeploy:x:1001:\n",
    );
    h.write(
        "/etc/login.defs",
        "MAIL_DIR /var/mail\nUID_MIN 1000\nUID_MAX 60000\n",
    );
    h.write(
        "/etc/sudoers",
        "Defaults\tenv_reset\nDefaults\tsecure_path=\"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"\n\
         root\tALL=(ALL:ALL) ALL\n%sudo\tALL=(ALL:ALL) ALL\n@includedir /etc/sudoers.d\n",
    );
    h.write(
        "/etc/sudoers.d/README",
        "# Files in this directory are read by sudo.\n",
    );
    // As cloud-init writes it on EC2: the login user may sudo without a password.
    h.write(
        "/etc/sudoers.d/90-cloud-init-users",
        "# Created by cloud-init\nadmin ALL=(ALL) NOPASSWD:ALL\n",
    );
    h.write(
        "/etc/sudoers.d/deploy",
        "deploy ALL=(root) NOPASSWD: /usr/bin/systemctl reload php8.2-fpm, /usr/bin/systemctl reload nginx\n",
    );
}

fn cron(h: &FakeHost) {
    h.write(
        "/etc/crontab",
        "SHELL=/bin/sh\nPATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin\n\n\
         17 *\t* * *\troot\tcd / && run-parts --report /etc/cron.hourly\n\
         25 6\t* * *\troot\ttest -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.daily; }\n\
         47 6\t* * 7\troot\ttest -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.weekly; }\n\
         52 6\t1 * *\troot\ttest -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.monthly; }\n",
    );
    h.write(
        "/etc/cron.d/certbot",
        "SHELL=/bin/sh\nPATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin\n\n\
         0 */12 * * * root test -x /usr/bin/certbot -a \\! -d /run/systemd/system && perl -e 'sleep int(rand(43200))' && certbot -q renew --no-random-sleep-on-renew\n",
    );
    h.write(
        "/etc/cron.d/php",
        "09,39 *     * * *     root   [ -x /usr/lib/php/sessionclean ] && if [ ! -d /run/systemd/system ]; then /usr/lib/php/sessionclean; fi\n",
    );
    h.write("/etc/cron.d/e2scrub_all", "30 3 * * 0 root test -e /run/systemd/system || SERVICE_MODE=1 /usr/lib/x86_64-linux-gnu/e2fsprogs/e2scrub_all_cron\n");
    h.write("/etc/cron.d/.placeholder", "# DO NOT EDIT OR REMOVE\n");
    h.write(
        "/etc/cron.daily/logrotate",
        "#!/bin/sh\n\n# skip in favour of systemd timer\nif [ -d /run/systemd/system ]; then\n    exit 0\nfi\n\n\
         /usr/sbin/logrotate /etc/logrotate.conf\nEXITVALUE=$?\nif [ $EXITVALUE != 0 ]; then\n    \
         /usr/bin/logger -t logrotate \"ALERT exited abnormally with [$EXITVALUE]\"\nfi\nexit $EXITVALUE\n",
    );
    h.write(
        "/etc/cron.daily/apt-compat",
        "#!/bin/sh\nset -e\nif [ -d /run/systemd/system ]; then\n    exit 0\nfi\ncheck_power()\n{\n    return 0\n}\nexec /usr/lib/apt/apt.systemd.daily\n",
    );
    h.write("/etc/cron.daily/dpkg", "#!/bin/sh\nif [ -d /run/systemd/system ]; then\n    exit 0\nfi\n/usr/libexec/dpkg/dpkg-db-backup\n");
    h.write(
        "/var/spool/cron/crontabs/deploy",
        "# DO NOT EDIT THIS FILE - edit the master and reinstall.\n\
         */5 * * * * curl -s https://www.example.com/wp-cron.php?doing_wp_cron >/dev/null 2>&1\n\
         0 3 * * * /home/deploy/bin/backup.sh > /home/deploy/backup.log 2>&1\n",
    );
    h.write(
        "/var/spool/cron/crontabs/root",
        "15 4 * * * /usr/local/bin/db-backup.sh\n@reboot /usr/local/bin/warm-cache\n",
    );
    h.write(
        "/etc/logrotate.d/nginx",
        "/var/log/nginx/*.log {\n\tdaily\n\tmissingok\n\trotate 14\n\tcompress\n\tpostrotate\n\t\tinvoke-rc.d nginx rotate >/dev/null 2>&1\n\tendscript\n}\n",
    );
    h.write(
        "/etc/rc.local",
        "#!/bin/sh -e\n#\n# rc.local\n#\n# This script is executed at the end of each multiuser runlevel.\n\nexit 0\n",
    );
}

fn systemd(h: &FakeHost) {
    h.write(
        "/lib/systemd/system/nginx.service",
        "[Unit]\nDescription=A high performance web server\nAfter=network-online.target\n\n[Service]\nType=forking\n\
         PIDFile=/run/nginx.pid\nExecStartPre=/usr/sbin/nginx -t -q -g 'daemon on; master_process on;'\n\
         ExecStart=/usr/sbin/nginx -g 'daemon on; master_process on;'\n\
         ExecReload=/usr/sbin/nginx -g 'daemon on; master_process on;' -s reload\n\
         ExecStop=-/sbin/start-stop-daemon --quiet --stop --retry QUIT/5 --pidfile /run/nginx.pid\n\n[Install]\nWantedBy=multi-user.target\n",
    );
    h.write(
        "/lib/systemd/system/php8.2-fpm.service",
        "[Unit]\nDescription=The PHP 8.2 FastCGI Process Manager\n\n[Service]\nType=notify\n\
         ExecStart=/usr/sbin/php-fpm8.2 --nodaemonize --fpm-config /etc/php/8.2/fpm/php-fpm.conf\n\
         ExecStartPost=-/usr/lib/php/php-fpm-socket-helper install /run/php/php-fpm.sock /etc/php/8.2/fpm/pool.d/www.conf 82\n\
         ExecReload=/bin/kill -USR2 $MAINPID\n\n[Install]\nWantedBy=multi-user.target\n",
    );
    h.write(
        "/lib/systemd/system/certbot.service",
        "[Unit]\nDescription=Certbot\n\n[Service]\nType=oneshot\nExecStart=/usr/bin/certbot -q renew --no-random-sleep-on-renew\nPrivateTmp=true\n",
    );
    h.write(
        "/lib/systemd/system/certbot.timer",
        "[Unit]\nDescription=Run certbot twice daily\n\n[Timer]\nOnCalendar=*-*-* 00,12:00:00\nRandomizedDelaySec=43200\nPersistent=true\n\n[Install]\nWantedBy=timers.target\n",
    );
    h.write(
        "/lib/systemd/system/systemd-tmpfiles-clean.service",
        "[Unit]\nDescription=Cleanup of Temporary Directories\n\n[Service]\nType=oneshot\nExecStart=systemd-tmpfiles --clean\n",
    );
    h.symlink(
        "/lib/systemd/system/nginx.service",
        "/etc/systemd/system/multi-user.target.wants/nginx.service",
    );
    h.write(
        "/etc/systemd/system/myapp.service",
        "[Unit]\nDescription=Company app\n\n[Service]\nUser=deploy\nWorkingDirectory=/srv/myapp\n\
         ExecStart=/usr/local/bin/myapp --listen 127.0.0.1:8080\nRestart=always\n\n[Install]\nWantedBy=multi-user.target\n",
    );
    h.write(
        "/etc/systemd/system/php8.2-fpm.service.d/override.conf",
        "[Service]\nLimitNOFILE=65535\n",
    );
}

fn history(h: &FakeHost) {
    h.write(
        "/root/.bash_history",
        "apt update\napt upgrade -y\nsystemctl status nginx\nvim /etc/nginx/sites-available/default\nnginx -t\n\
         systemctl reload nginx\ncrontab -l\ncrontab -e\ntail -f /var/log/nginx/error.log\ncertbot renew --dry-run\n\
         journalctl -u php8.2-fpm --since today\ndf -h\ndu -sh /var/log/*\nls -la /tmp\nrm -rf /tmp/build\n\
         mysql -u root -p\ncat ~/.ssh/authorized_keys\nhistory | grep nginx\ngrep -r base64_decode /var/www/html/wp-content/plugins | head\n",
    );
    h.write(
        "/home/admin/.bash_history",
        "#1716200000\ncd /var/www/html\n#1716200010\ngit status\n#1716200020\ngit pull origin main\n\
         #1716200030\nsudo -u www-data wp plugin update --all\n#1716200040\nsudo systemctl restart php8.2-fpm\n\
         #1716200050\ncurl -I https://www.example.com/\n#1716200060\nssh-keygen -t ed25519\n",
    );
    h.write(
        "/home/admin/.zsh_history",
        ": 1716300000:0;ls -la\n: 1716300005:0;htop\n: 1716300010:0;tar czf /tmp/site.tgz /var/www/html\n",
    );
    h.write(
        "/home/admin/.python_history",
        "import json\njson.dumps({'a': 1})\nexit()\n",
    );
    h.write(
        "/root/.mysql_history",
        "show databases;\nuse wordpress;\nselect count(*) from wp_posts;\n",
    );
    h.write(
        "/home/deploy/.local/share/fish/fish_history",
        "- cmd: cd /srv/myapp\n  when: 1716400000\n- cmd: git pull\n  when: 1716400005\n- cmd: composer install --no-dev\n  when: 1716400010\n",
    );
    h.write(
        "/home/deploy/.bash_history",
        "ls\ncd /srv/myapp\n./deploy.sh\n",
    );
}

fn ssh(h: &FakeHost) {
    h.write(
        "/etc/ssh/sshd_config",
        "Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin prohibit-password\nPasswordAuthentication no\n\
         KbdInteractiveAuthentication no\nUsePAM yes\nX11Forwarding no\nSubsystem sftp /usr/lib/openssh/sftp-server\n",
    );
    h.write("/root/.ssh/authorized_keys", format!("{KEY_ROOT}\n"));
    h.age("/root/.ssh/authorized_keys", 200);
    h.write(
        "/home/admin/.ssh/authorized_keys",
        format!("from=\"203.0.113.0/24\" {KEY_ADMIN}\n"),
    );
    h.age("/home/admin/.ssh/authorized_keys", 180);
    h.write(
        "/home/deploy/.ssh/authorized_keys",
        format!("command=\"/usr/local/bin/backup-receive\",no-pty,no-port-forwarding,no-agent-forwarding {KEY_BACKUP}\n"),
    );
    h.age("/home/deploy/.ssh/authorized_keys", 150);
}

fn web(h: &FakeHost) {
    let ini = "[PHP]\nengine = On\nshort_open_tag = Off\nmemory_limit = 256M\n\
               ; Automatically add files before PHP document.\nauto_prepend_file =\nauto_append_file =\n\
               upload_max_filesize = 64M\n";
    h.write("/etc/php/8.2/fpm/php.ini", ini);
    h.write("/etc/php/8.2/cli/php.ini", ini);
    h.write(
        "/etc/php/8.2/fpm/conf.d/10-opcache.ini",
        "; configuration for php opcache module\nzend_extension=opcache.so\n",
    );
    h.write("/etc/php/8.2/fpm/pool.d/www.conf", "[www]\nuser = www-data\ngroup = www-data\nlisten = /run/php/php8.2-fpm.sock\npm = dynamic\n");
    h.write(
        "/etc/nginx/sites-enabled/default",
        "server {\n\tlisten 80 default_server;\n\troot /var/www/html;\n\tindex index.php index.html;\n\
         \tlocation ~ \\.php$ {\n\t\tinclude snippets/fastcgi-php.conf;\n\t\tfastcgi_pass unix:/run/php/php8.2-fpm.sock;\n\t}\n}\n",
    );
    h.write(
        "/var/www/html/index.php",
        "<?php\n/**\n * Front to the WordPress application.\n */\ndefine( 'WP_USE_THEMES', true );\nrequire __DIR__ . '/wp-blog-header.php';\n",
    );
    h.write(
        "/var/www/html/wp-config.php",
        "<?php\ndefine( 'DB_NAME', 'wordpress' );\ndefine( 'DB_USER', 'wp' );\ndefine( 'DB_PASSWORD', 'correct horse' );\n\
         $table_prefix = 'wp_';\nif ( ! defined( 'ABSPATH' ) ) {\n\tdefine( 'ABSPATH', __DIR__ . '/' );\n}\nrequire_once ABSPATH . 'wp-settings.php';\n",
    );
    h.write(
        "/var/www/html/.htaccess",
        "# BEGIN WordPress\n<IfModule mod_rewrite.c>\nRewriteEngine On\nRewriteBase /\nRewriteRule ^index\\.php$ - [L]\n\
         RewriteCond %{REQUEST_FILENAME} !-f\nRewriteCond %{REQUEST_FILENAME} !-d\nRewriteRule . /index.php [L]\n</IfModule>\n# END WordPress\n",
    );
    h.write(
        "/var/www/html/.user.ini",
        "upload_max_filesize = 64M\npost_max_size = 64M\n",
    );
    h.write(
        "/var/www/html/wp-content/mu-plugins/disable-emojis.php",
        "<?php\n/* Plugin Name: Disable emojis */\nadd_action( 'init', function () {\n\tremove_action( 'wp_head', 'print_emoji_detection_script', 7 );\n} );\n",
    );
    // A real plugin that decodes data (not code): base64 without eval.
    h.write(
        "/var/www/html/wp-content/mu-plugins/cache-helper.php",
        "<?php\n/* Plugin Name: Cache helper */\nfunction ch_get( $k ) {\n\t$raw = get_option( 'ch_' . $k );\n\treturn $raw ? json_decode( base64_decode( $raw ), true ) : null;\n}\n",
    );
    h.write(
        "/var/www/html/wp-content/uploads/2024/05/photo.jpg",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01",
    );
}
