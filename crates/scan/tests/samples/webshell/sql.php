<?php
$l = mysqli_connect($_POST['h'], $_POST['u'], $_POST['p']);
if (isset($_POST['q'])) {
    $r = mysqli_query($l, $_POST['q']);
    while ($row = mysqli_fetch_row($r)) {
        echo implode("\t", $row), "\n";
    }
}
