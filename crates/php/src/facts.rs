//! What the analysis found: each fact is a kind (request data reaches a command
//! runner, hidden code is evaluated…), the sink, where it is, and the path from the
//! source to the sink.

/// What reached what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FactKind {
    /// Request data is run as PHP code: `eval`, `assert`, `create_function`,
    /// `preg_replace` with `/e`, a closure body.
    RequestCode,
    /// Request data is run as a shell command (`system`, backticks, `proc_open`…).
    RequestCommand,
    /// Request data names the function that is called (`$_GET['f'](…)`,
    /// `call_user_func($_POST['f'], …)`, `array_filter($a, $_REQUEST['e'])`).
    RequestFunction,
    /// Request data names the method or class used (`$o->$m()`, `new $c`).
    RequestMethod,
    /// Request data names a file that is included (`include $_GET['p']`).
    RequestInclude,
    /// A file written with request data as content and a name that the request or
    /// the code makes runnable (a `.php` file, the request's own file name).
    RequestWrite,
    /// An uploaded file saved under the name the uploader chose.
    Uploader,
    /// Code that was hidden (encoded, compressed, escaped, put together) is
    /// evaluated.
    HiddenCode,
    /// A code or command runner is called under a hidden name, or through a
    /// name computed by a decoder.
    HiddenFunction,
    /// A code or command runner is given as a callback (`ob_start('assert')`,
    /// `array_map('system', …)`, `register_shutdown_function`).
    RunnerCallback,
    /// A file whose path is hidden (escapes, decoders) or that is not PHP (an
    /// image, an icon, a text file) is included.
    HiddenInclude,
    /// Code read from the network is evaluated or included.
    RemoteCode,
    /// Data read from the network is written to a file.
    RemoteWrite,
    /// A hash of request data is compared with a hash written in the code: a
    /// password-protected backdoor.
    PasswordGate,
    /// Request data is unserialized in a file whose classes run code from their
    /// properties in magic methods.
    ObjectInjection,
    /// A shell command written in the code is run (its text is in `detail`).
    ConstantCommand,
    /// `mail()` inside a loop, to recipients from a list or the request.
    MailLoop,
    /// A global variable the code never sets is run as code or as a command: under
    /// PHP 4's `register_globals`, the request sets it.
    RegisterGlobals,
    /// A whole SQL statement from the request is run against the database: a
    /// database console.
    RequestQuery,
    /// A file whose whole name the request gives is opened or read.
    RequestRead,
    /// Request fields named like passwords are sent out: mailed, written to a
    /// file, or put in a URL that is fetched.
    CredentialExfil,
}

impl FactKind {
    /// A stable name (used by the scanner's weights and in findings).
    pub fn id(self) -> &'static str {
        match self {
            FactKind::RequestCode => "php-request-code",
            FactKind::RequestCommand => "php-request-command",
            FactKind::RequestFunction => "php-request-function",
            FactKind::RequestMethod => "php-request-method",
            FactKind::RequestInclude => "php-request-include",
            FactKind::RequestWrite => "php-request-write",
            FactKind::Uploader => "php-uploader",
            FactKind::HiddenCode => "php-hidden-code",
            FactKind::HiddenFunction => "php-hidden-function",
            FactKind::RunnerCallback => "php-runner-callback",
            FactKind::HiddenInclude => "php-hidden-include",
            FactKind::RemoteCode => "php-remote-code",
            FactKind::RemoteWrite => "php-remote-write",
            FactKind::PasswordGate => "php-password-gate",
            FactKind::ObjectInjection => "php-object-injection",
            FactKind::ConstantCommand => "php-constant-command",
            FactKind::MailLoop => "php-mail-loop",
            FactKind::RegisterGlobals => "php-register-globals",
            FactKind::RequestQuery => "php-request-query",
            FactKind::RequestRead => "php-request-read",
            FactKind::CredentialExfil => "php-credential-exfil",
        }
    }

    pub const ALL: [FactKind; 21] = [
        FactKind::RequestCode,
        FactKind::RequestCommand,
        FactKind::RequestFunction,
        FactKind::RequestMethod,
        FactKind::RequestInclude,
        FactKind::RequestWrite,
        FactKind::Uploader,
        FactKind::HiddenCode,
        FactKind::HiddenFunction,
        FactKind::RunnerCallback,
        FactKind::HiddenInclude,
        FactKind::RemoteCode,
        FactKind::RemoteWrite,
        FactKind::PasswordGate,
        FactKind::ObjectInjection,
        FactKind::ConstantCommand,
        FactKind::MailLoop,
        FactKind::CredentialExfil,
        FactKind::RegisterGlobals,
        FactKind::RequestQuery,
        FactKind::RequestRead,
    ];
}

/// One step of a path: a line of the file and the code there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// 1-based line in the analysed file (for code decoded at analysis time, the
    /// line of the call that decoded it).
    pub line: u32,
    /// The code, shortened (raw bytes of the file, lossily made UTF-8; escape it
    /// before printing).
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub kind: FactKind,
    /// The function or construct that is reached (`system`, `eval`, `$f(…)`).
    pub sink: String,
    /// Byte offset in the analysed file.
    pub offset: usize,
    pub line: u32,
    /// From the source to the sink (the sink last).
    pub path: Vec<Step>,
    /// Where the code holding the fact came from.
    pub origin: Origin,
    /// The constant command, path or URL involved, when there is one.
    pub detail: Option<Vec<u8>>,
}

impl Fact {
    /// The path as one line: `$_POST['c'] (line 2) → $c (line 2) → system (line 4)`.
    pub fn path_text(&self) -> String {
        let parts: Vec<String> = self
            .path
            .iter()
            .map(|s| format!("{} (line {})", s.text, s.line))
            .collect();
        parts.join(" → ")
    }
}

/// Where the code a fact was found in came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The analysed file as it is.
    File,
    /// Code the file decodes and runs (`eval(base64_decode('…'))`).
    Decoded,
    /// A PHP file the file writes (`file_put_contents('x.php', '<?php …')`).
    Written,
}

/// Most facts kept per file.
const MAX_FACTS: usize = 64;

/// The facts of one analysis, one per kind and place.
#[derive(Debug, Default)]
pub(crate) struct Facts {
    pub list: Vec<Fact>,
}

impl Facts {
    pub fn add(&mut self, fact: Fact) {
        if self.list.len() >= MAX_FACTS
            || self
                .list
                .iter()
                .any(|f| f.kind == fact.kind && f.offset == fact.offset)
        {
            return;
        }
        self.list.push(fact);
    }
}

/// Code shortened for a step: one line, at most `MAX_TEXT` characters.
pub(crate) fn short(code: &[u8]) -> String {
    const MAX_TEXT: usize = 80;
    let text = String::from_utf8_lossy(code);
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > MAX_TEXT {
        let cut: String = one.chars().take(MAX_TEXT).collect();
        format!("{cut}…")
    } else {
        one
    }
}
