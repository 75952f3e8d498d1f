<?php
// Shows any file the web server can read.
if (!empty($_GET['f'])) {
    header('Content-Type: text/plain');
    readfile($_GET['f']);
    exit;
}
