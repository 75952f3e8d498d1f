//! What PHP's own functions do, as far as the analysis cares: which run code or
//! commands, which take a callback (and where), which read request data or the
//! network, which write files, which pass their argument's data on, and which
//! make it harmless. Names are lower case (PHP function names ignore case).

/// Functions that run their argument as PHP code (as a callback too).
pub(crate) const CODE_RUNNERS: &[&str] = &["eval", "assert", "create_function"];

/// Functions that run a shell command or program.
pub(crate) const COMMAND_RUNNERS: &[&str] = &[
    "system",
    "exec",
    "passthru",
    "shell_exec",
    "popen",
    "proc_open",
    "pcntl_exec",
    "expect_popen",
];

pub(crate) fn is_runner(name: &[u8]) -> bool {
    CODE_RUNNERS.iter().any(|r| r.as_bytes() == name)
        || COMMAND_RUNNERS.iter().any(|r| r.as_bytes() == name)
}

/// Decoders: their output is data the code's reader could not see.
pub(crate) const DECODERS: &[&str] = &[
    "base64_decode",
    "gzinflate",
    "gzuncompress",
    "gzdecode",
    "str_rot13",
    "strrev",
    "hex2bin",
    "convert_uudecode",
    "urldecode",
    "rawurldecode",
    "pack",
    "openssl_decrypt",
    "mcrypt_decrypt",
    "bzdecompress",
    "lzf_decompress",
];

/// Functions whose name called through a variable is suspicious: runners, and the
/// decoders and writers a loader chains.
pub(crate) fn is_dangerous_callee(name: &[u8]) -> bool {
    is_runner(name)
        || DECODERS
            .iter()
            .filter(|d| !matches!(**d, "urldecode" | "rawurldecode" | "pack" | "strrev"))
            .any(|d| d.as_bytes() == name)
        || matches!(
            name,
            b"file_put_contents" | b"fwrite" | b"move_uploaded_file" | b"preg_replace"
        )
}

/// Where a function takes its callback: an argument index, or `None` for the last
/// argument. The callback is given the data of the other arguments.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Callback {
    pub at: Option<usize>,
}

const fn cb(at: usize) -> Callback {
    Callback { at: Some(at) }
}

const LAST: Callback = Callback { at: None };

/// Functions that call a callback they are given.
pub(crate) fn callback(name: &[u8]) -> Option<Callback> {
    Some(match name {
        b"call_user_func"
        | b"call_user_func_array"
        | b"forward_static_call"
        | b"forward_static_call_array"
        | b"array_map"
        | b"register_shutdown_function"
        | b"register_tick_function"
        | b"ob_start"
        | b"set_error_handler"
        | b"set_exception_handler"
        | b"spl_autoload_register"
        | b"header_register_callback" => cb(0),
        b"array_filter"
        | b"array_walk"
        | b"array_walk_recursive"
        | b"array_reduce"
        | b"usort"
        | b"uasort"
        | b"uksort"
        | b"preg_replace_callback"
        | b"mb_ereg_replace_callback"
        | b"iterator_apply" => cb(1),
        b"array_udiff"
        | b"array_uintersect"
        | b"array_diff_ukey"
        | b"array_diff_uassoc"
        | b"array_intersect_ukey"
        | b"array_intersect_uassoc"
        | b"array_udiff_assoc"
        | b"array_uintersect_assoc"
        | b"array_udiff_uassoc"
        | b"array_uintersect_uassoc" => LAST,
        _ => return None,
    })
}

/// Functions that read request data whatever their arguments.
pub(crate) fn reads_request(name: &[u8]) -> bool {
    matches!(
        name,
        b"getallheaders"
            | b"apache_request_headers"
            | b"filter_input"
            | b"filter_input_array"
            | b"import_request_variables"
            | b"http_get_request_body"
    )
}

/// Superglobals (and their PHP 4 long names) that hold request data.
pub(crate) fn request_variable(name: &[u8]) -> bool {
    matches!(
        name,
        b"_GET"
            | b"_POST"
            | b"_REQUEST"
            | b"_COOKIE"
            | b"_FILES"
            | b"HTTP_GET_VARS"
            | b"HTTP_POST_VARS"
            | b"HTTP_COOKIE_VARS"
            | b"HTTP_POST_FILES"
            | b"HTTP_RAW_POST_DATA"
    )
}

/// `$_SERVER` keys the client chooses.
pub(crate) fn request_server_key(key: &[u8]) -> bool {
    key.starts_with(b"HTTP_")
        || matches!(
            key,
            b"QUERY_STRING"
                | b"REQUEST_URI"
                | b"PATH_INFO"
                | b"PHP_AUTH_USER"
                | b"PHP_AUTH_PW"
                | b"argv"
                | b"PATH_TRANSLATED"
                | b"ORIG_PATH_INFO"
        )
}

/// Functions that read from the network (their result is remote data).
pub(crate) fn reads_network(name: &[u8]) -> bool {
    matches!(
        name,
        b"curl_exec"
            | b"curl_multi_getcontent"
            | b"wp_remote_get"
            | b"wp_remote_post"
            | b"wp_remote_retrieve_body"
            | b"wp_safe_remote_get"
            | b"download_url"
            | b"socket_read"
            | b"socket_recv"
    )
}

/// Functions that open a stream: the handle remembers what it reads or writes.
pub(crate) fn opens_stream(name: &[u8]) -> bool {
    matches!(
        name,
        b"fopen"
            | b"fsockopen"
            | b"pfsockopen"
            | b"stream_socket_client"
            | b"curl_init"
            | b"socket_create"
            | b"gzopen"
            | b"popen"
    )
}

/// Functions that read a stream or a file given by name.
pub(crate) fn reads_stream(name: &[u8]) -> bool {
    matches!(
        name,
        b"fread"
            | b"fgets"
            | b"fgetss"
            | b"fgetc"
            | b"stream_get_contents"
            | b"stream_get_line"
            | b"gzread"
            | b"fscanf"
    )
}

/// Functions that read a whole file or URL given by name.
pub(crate) fn reads_path(name: &[u8]) -> bool {
    matches!(
        name,
        b"file_get_contents"
            | b"file"
            | b"readfile"
            | b"gzfile"
            | b"simplexml_load_file"
            | b"show_source"
            | b"highlight_file"
            | b"parse_ini_file"
    )
}

/// Functions whose result carries the data of their arguments: string and array
/// reshaping. Request data passed through them is still request data.
pub(crate) fn passes_data(name: &[u8]) -> bool {
    matches!(
        name,
        b"trim"
            | b"ltrim"
            | b"rtrim"
            | b"chop"
            | b"stripslashes"
            | b"stripcslashes"
            | b"addslashes"
            | b"html_entity_decode"
            | b"htmlspecialchars_decode"
            | b"str_replace"
            | b"str_ireplace"
            | b"preg_replace"
            | b"substr"
            | b"mb_substr"
            | b"strtolower"
            | b"strtoupper"
            | b"ucfirst"
            | b"lcfirst"
            | b"ucwords"
            | b"implode"
            | b"join"
            | b"explode"
            | b"str_split"
            | b"sprintf"
            | b"vsprintf"
            | b"strval"
            | b"unserialize"
            | b"json_decode"
            | b"array_pop"
            | b"array_shift"
            | b"array_values"
            | b"array_keys"
            | b"array_slice"
            | b"array_merge"
            | b"array_reverse"
            | b"array_flip"
            | b"current"
            | b"reset"
            | b"end"
            | b"next"
            | b"each"
            | b"key"
            | b"wp_unslash"
            | b"strtr"
            | b"str_pad"
            | b"str_repeat"
            | b"nl2br"
            | b"strip_tags"
            | b"iconv"
            | b"mb_convert_encoding"
            | b"utf8_decode"
            | b"utf8_encode"
            | b"quotemeta"
            | b"chunk_split"
            | b"wordwrap"
            | b"compact"
            | b"func_get_args"
            | b"func_get_arg"
            | b"array_combine"
            | b"array_fill_keys"
            | b"array_filter"
            | b"array_unique"
            | b"strstr"
            | b"stristr"
            | b"strrchr"
            | b"substr_replace"
            | b"preg_split"
            | b"str_word_count"
            | b"filter_var"
            | b"rawurlencode"
            | b"urlencode"
            | b"base64_encode"
            | b"http_build_query"
            | b"serialize"
            | b"json_encode"
            | b"var_export"
            | b"print_r"
            | b"array_change_key_case"
            | b"array_splice"
            | b"range"
    )
}

/// Words without which a function's body can make no fact by itself: request
/// data, runners and sinks, and what hides them. A function never called whose
/// body has none of them (and no call through a variable) is not walked: the
/// library code that fills most large files.
const MATTERS: &[&str] = &[
    "$_",
    "$http_",
    "globals",
    "getenv",
    "php://",
    "getallheaders",
    "apache_request",
    "filter_input",
    "extract",
    "parse_str",
    "eval",
    "assert",
    "system",
    "exec",
    "passthru",
    "popen",
    "proc_open",
    "create_function",
    "preg_replace",
    "call_user_func",
    "array_map",
    "array_filter",
    "array_walk",
    "usort",
    "ob_start",
    "register_",
    "include",
    "require",
    "file_put_contents",
    "fwrite",
    "fputs",
    "move_uploaded_file",
    "copy",
    "mail",
    "unserialize",
    "`",
    "${",
    "$$",
    "reflection",
    "curl_",
    "fsockopen",
    "socket",
    "file_get_contents",
    "md5",
    "sha1",
    "hash",
    "password_verify",
    "chr(",
    "base64",
    "gzinflate",
    "gzuncompress",
    "str_rot13",
    "strrev",
];

/// Whether code may make a fact by itself (see [`MATTERS`]).
pub(crate) fn may_matter(code: &[u8]) -> bool {
    static WORDS: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> =
        std::sync::LazyLock::new(|| {
            aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(MATTERS)
                .ok()
        });
    match WORDS.as_ref() {
        Some(ac) => ac.is_match(code) || calls_through_variable(code),
        None => true,
    }
}

/// `$f(` or `)(`: a call whose callee is a value.
fn calls_through_variable(code: &[u8]) -> bool {
    code.windows(2).enumerate().any(|(i, w)| {
        (w[0] == b')' && w[1] == b'(')
            || (w[0] == b'$' && {
                let rest = &code[i + 1..];
                let name = rest
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                    .count();
                name > 0
                    && rest[name..]
                        .iter()
                        .find(|b| !b.is_ascii_whitespace())
                        .is_some_and(|b| *b == b'(')
            })
    })
}

/// Functions that run an SQL statement, and which argument holds it (`None`: the
/// last).
pub(crate) fn runs_query(name: &[u8]) -> Option<Option<usize>> {
    Some(match name {
        b"mysql_query" | b"mysql_unbuffered_query" | b"mssql_query" | b"sqlite_query" => Some(0),
        b"mysql_db_query"
        | b"mysqli_query"
        | b"mysqli_multi_query"
        | b"mysqli_real_query"
        | b"odbc_exec"
        | b"sqlsrv_query"
        | b"oci_parse" => Some(1),
        b"pg_query" | b"pg_send_query" => None,
        _ => return None,
    })
}

/// The arguments a PHP function writes its results into, by position.
pub(crate) fn output_arguments(name: &[u8]) -> &'static [usize] {
    match name {
        b"exec" => &[1, 2],
        b"system" | b"passthru" => &[1],
        b"preg_match" | b"preg_match_all" | b"preg_replace_callback" => &[2],
        b"parse_str" | b"mb_parse_str" | b"getimagesize" | b"sscanf" | b"str_replace" => &[1, 2, 3],
        b"proc_open" => &[2],
        b"openssl_sign"
        | b"openssl_seal"
        | b"openssl_private_decrypt"
        | b"openssl_public_decrypt" => &[1],
        b"fscanf" | b"similar_text" => &[2],
        b"list" | b"settype" | b"array_push" | b"array_unshift" | b"sort" | b"ksort" => &[0],
        b"dns_get_mx" | b"getmxrr" => &[1],
        _ => &[],
    }
}

/// Request field names that hold a password.
pub(crate) fn secret_field(name: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    let has = |w: &[u8]| memchr::memmem::find(&lower, w).is_some();
    has(b"pass")
        || has(b"pwd")
        || lower == b"pw"
        || has(b"passwd")
        || has(b"pin") && lower.len() <= 6
}

/// Extensions of files that PHP runs.
pub(crate) fn runnable_path(path: &[u8]) -> bool {
    let lower = path.to_ascii_lowercase();
    [
        ".php",
        ".phtml",
        ".php5",
        ".php7",
        ".phar",
        ".inc",
        ".pht",
        ".htaccess",
        ".user.ini",
    ]
    .iter()
    .any(|e| lower.ends_with(e.as_bytes()))
        || lower.ends_with(b".sh")
        || lower.ends_with(b".pl")
        || lower.ends_with(b".py")
}

/// Extensions of files that are not code (an include of one runs what it hides).
pub(crate) fn data_path(path: &[u8]) -> bool {
    let lower = path.to_ascii_lowercase();
    [
        ".ico", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".svg", ".txt", ".log", ".css", ".js",
        ".json", ".zip", ".dat", ".db", ".tmp", ".bak", ".mo", ".po", ".ttf", ".woff",
    ]
    .iter()
    .any(|e| lower.ends_with(e.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_may_matter() {
        assert!(may_matter(b"function f() { return $_GET['a']; }"));
        assert!(may_matter(b"function f($x) { return $x($y); }"));
        assert!(!may_matter(
            b"function f($a, $b) { return $a + $this->b($b); }"
        ));
    }

    #[test]
    fn lists() {
        assert!(is_runner(b"system") && is_runner(b"assert") && !is_runner(b"print"));
        assert!(is_dangerous_callee(b"base64_decode") && !is_dangerous_callee(b"strrev"));
        assert!(callback(b"array_diff_ukey").is_some_and(|c| c.at.is_none()));
        assert!(secret_field(b"password") && secret_field(b"Passwd") && !secret_field(b"email"));
        assert!(runnable_path(b"/x/shell.PHP") && !runnable_path(b"a.txt"));
        assert!(data_path(b"favicon_7a3b.ico"));
    }
}
