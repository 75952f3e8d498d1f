#!/bin/bash
# Cleans a VM before it is saved as an image: no shell history, no old logs,
# no host keys, no machine id.
set -e
apt-get clean
rm -f /etc/ssh/ssh_host_*
truncate -s 0 /etc/machine-id
find /var/log -type f -name '*.gz' -delete
cat /dev/null > /var/log/wtmp
cat /dev/null > /var/log/lastlog
rm -f /root/.bash_history /home/*/.bash_history
unset HISTFILE
history -c
