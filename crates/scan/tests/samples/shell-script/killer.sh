#!/bin/sh
pkill -9 -f kdevtmpfsi
pkill -9 -f kinsing
killall -9 xmrig 2>/dev/null
ps aux | grep -v grep | grep -E 'cryptonight|stratum' | awk '{print $2}' | xargs kill -9
