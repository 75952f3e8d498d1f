#!/bin/bash
# Provisions the deploy account on a new web server.
set -eu
useradd -m -s /bin/bash deploy
install -d -m 700 -o deploy -g deploy /home/deploy/.ssh
echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBogusKeyForBreachkitTestsOnly11111111111 deploy@ci" >> /home/deploy/.ssh/authorized_keys
chown deploy:deploy /home/deploy/.ssh/authorized_keys
echo "15 3 * * * /home/deploy/bin/backup-db.sh >/dev/null 2>&1" | crontab -u deploy -
ufw allow 'Nginx Full'
