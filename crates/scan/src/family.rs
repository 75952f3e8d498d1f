//! The kinds of bad file the scanner reports, each with its rule (id, title,
//! explanation, next step). A file's finding takes the family of its strongest hit;
//! its severity comes from the file's score, not from the rule.

use breachkit_finding::{Rule, Severity, Step};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    Webshell,
    Loader,
    Mailer,
    Phishing,
    Bot,
    Miner,
    Dropper,
    ShellScript,
    Obfuscated,
    Misplaced,
    PhpInImage,
    Htaccess,
    KnownBad,
    UserRule,
}

impl Family {
    /// The family named in a rule's `family` meta or in the weights file.
    pub fn parse(name: &str) -> Option<Family> {
        Some(match name {
            "webshell" => Family::Webshell,
            "loader" => Family::Loader,
            "mailer" => Family::Mailer,
            "phishing" => Family::Phishing,
            "bot" => Family::Bot,
            "miner" => Family::Miner,
            "dropper" => Family::Dropper,
            "shell-script" => Family::ShellScript,
            "obfuscated" => Family::Obfuscated,
            "misplaced" => Family::Misplaced,
            "php-in-image" => Family::PhpInImage,
            "htaccess" => Family::Htaccess,
            "known-bad" => Family::KnownBad,
            "user" => Family::UserRule,
            _ => return None,
        })
    }

    pub fn rule(self) -> &'static Rule {
        match self {
            Family::Webshell => &WEBSHELL,
            Family::Loader => &LOADER,
            Family::Mailer => &MAILER,
            Family::Phishing => &PHISHING,
            Family::Bot => &BOT,
            Family::Miner => &MINER,
            Family::Dropper => &DROPPER,
            Family::ShellScript => &SHELL_SCRIPT,
            Family::Obfuscated => &OBFUSCATED,
            Family::Misplaced => &MISPLACED,
            Family::PhpInImage => &PHP_IN_IMAGE,
            Family::Htaccess => &HTACCESS,
            Family::KnownBad => &KNOWN_BAD,
            Family::UserRule => &USER_RULE,
        }
    }
}

/// Every rule the scanner can report, for listings and tests.
pub const RULES: &[&Rule] = &[
    &WEBSHELL,
    &LOADER,
    &MAILER,
    &PHISHING,
    &BOT,
    &MINER,
    &DROPPER,
    &SHELL_SCRIPT,
    &OBFUSCATED,
    &MISPLACED,
    &PHP_IN_IMAGE,
    &HTACCESS,
    &KNOWN_BAD,
    &USER_RULE,
];

const KEEP: &str = "Keep a copy for evidence (breachkit quarantine backup), then remove it; find how it got there (web logs around its modification time, other files changed then) and rotate the site's passwords.";

const WEBSHELL: Rule = Rule {
    id: "scan.webshell",
    step: Step::Aware,
    severity: Severity::Critical,
    title: "PHP webshell or backdoor",
    explanation: "This file runs commands or PHP code chosen by whoever sends it a request. It gives an attacker the web server's rights from a browser, and it is how most hacked sites are used and re-infected.",
    mitre: Some("T1505.003"),
    next_step: KEEP,
};

const LOADER: Rule = Rule {
    id: "scan.loader",
    step: Step::Aware,
    severity: Severity::Critical,
    title: "Injected loader: decodes hidden code and runs it",
    explanation: "The code that runs is hidden (base64, compression, escapes, strings put together at run time) and handed to eval or a function picked at run time. Honest applications do not hide what they run; injected lines at the top of wp-config.php, index.php or a theme's functions.php look like this.",
    mitre: Some("T1027"),
    next_step: "Compare the file with a clean copy of the application (or the package); remove the injected code or restore the file. Then look for the way in and other files changed at the same time.",
};

const MAILER: Rule = Rule {
    id: "scan.mailer",
    step: Step::Aware,
    severity: Severity::High,
    title: "Mass mailer script",
    explanation: "This script sends mail in bulk to a list it is given: spam or phishing sent in the server's name, which gets its IP address and domain blacklisted.",
    mitre: Some("T1566"),
    next_step: "Check the mail queue (breachkit mail), keep a copy of the script, remove it, and look for who called it in the web logs.",
};

const PHISHING: Rule = Rule {
    id: "scan.phishing",
    step: Step::Aware,
    severity: Severity::High,
    title: "Phishing kit: a fake sign-in page, the script that collects its passwords, or a helper",
    explanation: "Someone put a copy of a well-known company's sign-in page (a bank, PayPal, Microsoft 365, Apple, a webmail…) on this server, with a script that sends whatever victims type into it to the attacker by mail, to a chat bot or into a file, and helpers that hide the kit from security companies. Your site is being used to steal other people's accounts, and your domain and IP address will be blocklisted.",
    mitre: Some("T1566"),
    next_step: "Keep a copy of the kit's whole folder and any archive it came in (breachkit quarantine backup), then remove them. The web logs show when it was uploaded and who sent the form (their passwords were stolen: report the page to the imitated company's abuse or phishing address). Then find how it got in and rotate the site's passwords.",
};

const BOT: Rule = Rule {
    id: "scan.bot",
    step: Step::Aware,
    severity: Severity::Critical,
    title: "IRC/Perl bot",
    explanation: "A bot connects to a command channel and runs what its master sends: commands, floods, scans of other servers.",
    mitre: Some("T1071"),
    next_step: "Look for its process (breachkit check --only processes) and kill it, keep a copy of the file, remove it and its start-up entry (cron, rc.local).",
};

const MINER: Rule = Rule {
    id: "scan.miner",
    step: Step::Aware,
    severity: Severity::High,
    title: "Cryptominer or its configuration",
    explanation: "A cryptocurrency miner uses the server's CPU for someone else's profit; it is usually started from cron or a dropper and kills competing miners.",
    mitre: Some("T1496"),
    next_step: "Find and stop its process, remove the binary, its configuration and how it starts (cron, systemd, rc.local), then find the way in.",
};

const DROPPER: Rule = Rule {
    id: "scan.dropper",
    step: Step::Aware,
    severity: Severity::High,
    title: "Dropper: fetches a program and runs it",
    explanation: "This code downloads a file from the network (or takes it from the request), writes it to disk, makes it executable and starts it: how miners, bots and more webshells get onto a server.",
    mitre: Some("T1105"),
    next_step: "Keep a copy, note the URL it fetches from, look for what it dropped (temp folders, cron), then remove it.",
};

const SHELL_SCRIPT: Rule = Rule {
    id: "scan.shell-script",
    step: Step::Aware,
    severity: Severity::High,
    title: "Malicious shell script",
    explanation: "A script that opens a reverse shell, installs itself in cron or SSH keys, kills other miners, or wipes history and logs.",
    mitre: Some("T1059.004"),
    next_step: "Keep a copy, undo what it installed (crontabs, authorized_keys, immutable flags), then remove it.",
};

const OBFUSCATED: Rule = Rule {
    id: "scan.obfuscated",
    step: Step::Aware,
    severity: Severity::Medium,
    title: "Obfuscated code",
    explanation: "The file carries long encoded blobs or very long, random-looking lines. Some honest code ships packed data, so on its own this is a lead, not a verdict.",
    mitre: Some("T1027"),
    next_step: "Look at the line: if the file belongs to an application, compare it with a clean copy of that version.",
};

const MISPLACED: Rule = Rule {
    id: "scan.misplaced",
    step: Step::Aware,
    severity: Severity::Medium,
    title: "Code where none belongs",
    explanation: "PHP code in an uploads or temp folder, or a compiled program in a temp folder. Upload folders hold media and temp folders hold data; attackers put their tools there because those folders are writable by the web server.",
    mitre: Some("T1505.003"),
    next_step: "Open the file: if no application you run put it there, keep a copy and remove it.",
};

const PHP_IN_IMAGE: Rule = Rule {
    id: "scan.php-in-image",
    step: Step::Aware,
    severity: Severity::Critical,
    title: "PHP code hidden in an image",
    explanation: "The file starts like an image so an upload form accepts it, but carries PHP code after the header. It runs when the server is made to treat it as PHP (an include, or an .htaccess handler).",
    mitre: Some("T1027.003"),
    next_step: "Keep a copy, remove it, and look for the include or .htaccess line that runs it.",
};

const HTACCESS: Rule = Rule {
    id: "scan.htaccess-handler",
    step: Step::Aware,
    severity: Severity::High,
    title: ".htaccess makes non-PHP files run as PHP",
    explanation: "An AddType, AddHandler or SetHandler line tells Apache to run images, text files or the .htaccess file itself as PHP, so a webshell can hide in a file that looks harmless.",
    mitre: Some("T1505.003"),
    next_step: "Remove the handler line (keep a copy first) and look in that folder for the files it was meant to run.",
};

const KNOWN_BAD: Rule = Rule {
    id: "scan.known-bad-hash",
    step: Step::Aware,
    severity: Severity::Critical,
    title: "File matches a known-bad hash",
    explanation: "The file's SHA-256 is in the hash list given with --hashes.",
    mitre: None,
    next_step: KEEP,
};

const USER_RULE: Rule = Rule {
    id: "scan.user-rule",
    step: Step::Aware,
    severity: Severity::High,
    title: "Matched a YARA rule given with --rules",
    explanation: "One of your own YARA rules matched this file.",
    mitre: None,
    next_step: "Read the rule's description and the excerpt, and judge the file.",
};
