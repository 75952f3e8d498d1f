<?php
// An avatar upload: the name is made by the site, the type is checked.
$ext = strtolower(pathinfo($_FILES['avatar']['name'], PATHINFO_EXTENSION));
if (in_array($ext, array('jpg', 'png', 'gif'), true)) {
    $dest = __DIR__ . '/avatars/' . md5(uniqid('', true)) . '.' . $ext;
    move_uploaded_file($_FILES['avatar']['tmp_name'], $dest);
}
