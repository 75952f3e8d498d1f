<?php
$to_list = explode(",", $_POST['list']);
foreach ($to_list as $rcpt) {
    mail($rcpt, $_POST['s'], $_POST['m'], "From: " . $_POST['f']);
}
