<?php
/**
 * A small front controller, shaped like the ones phpMyAdmin and WordPress use: the
 * request picks a route or a registered callback from a table the application
 * filled, and that callable is run. Request data only ever selects among the
 * application's own entries (an index), it never becomes the function.
 */
final class FrontController
{
    private array $routes = [];
    private $container;

    public function __construct($container)
    {
        $this->container = $container;
    }

    public function dispatch(): void
    {
        $route = isset($_GET['route']) ? (string) $_GET['route'] : '/';
        $routeInfo = $this->match($_SERVER['REQUEST_METHOD'], $route);
        if ($routeInfo === null) {
            http_response_code(404);
            return;
        }
        /** @var class-string $controllerName */
        $controllerName = $routeInfo[1];
        $vars = $routeInfo[2];
        /** @psalm-var callable(Request=, array=):void $controller */
        $controller = $this->container->get($controllerName);
        $controller($this->request(), $vars);
    }

    private function match(string $method, string $path): ?array
    {
        return $this->routes[$method][$path] ?? null;
    }

    private function request(): array
    {
        return ['get' => $_GET, 'post' => $_POST];
    }
}

function ajax_get_metabox(array $registry, array $items)
{
    if (isset($_POST['item-type']) && 'post_type' === $_POST['item-type']) {
        $callback = 'render_post_type_box';
    } else {
        $callback = 'render_taxonomy_box';
    }
    $object = $items[$_POST['item-object']] ?? null;
    $box_args = array('id' => 'add-' . $object->name, 'callback' => $callback, 'args' => $object);
    $callback(null, $box_args);

    $control = $registry[sanitize_key($_POST['widget-id'])];
    $control_callback = $control['callback'];
    if (is_callable($control_callback)) {
        call_user_func_array($control_callback, $control['params']);
    }
    $exporter = $registry[(int) $_POST['exporter']];
    $exporter_cb = $exporter['callback'];
    return call_user_func($exporter_cb, $_POST['email'], 1);
}
