<?php
/** A template engine: compiles templates to PHP and runs the cached result. */
class View
{
    private $cacheDir;

    public function __construct($cacheDir)
    {
        $this->cacheDir = $cacheDir;
    }

    public function render($name, array $vars)
    {
        $compiled = $this->cacheDir . '/' . md5($name) . '.php';
        $code = file_get_contents($compiled);
        extract($vars);
        ob_start();
        eval('?>' . $code);
        return ob_get_clean();
    }

    public function filter($value, $filter)
    {
        $filters = array('upper' => 'strtoupper', 'lower' => 'strtolower', 'trim' => 'trim');
        $fn = $filters[$filter];
        return $fn($value);
    }
}
