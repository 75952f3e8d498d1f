<?php
$k = ini_get('upload_tmp_dir');
echo $k;
