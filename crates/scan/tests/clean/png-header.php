<?php
// Writes a PNG signature and an IHDR chunk: bytes spelled as character codes.
function png_header($width, $height)
{
    $sig = chr(137) . chr(80) . chr(78) . chr(71) . chr(13) . chr(10) . chr(26) . chr(10);
    $ihdr = pack('NNCCCCC', $width, $height, 8, 2, 0, 0, 0);
    return $sig . pack('N', 13) . 'IHDR' . $ihdr . pack('N', crc32('IHDR' . $ihdr));
}

header('Content-Type: image/png');
echo png_header((int) ($_GET['w'] ?? 1), (int) ($_GET['h'] ?? 1));
