<?php
echo php_uname(), "\n", get_current_user(), "\n";
