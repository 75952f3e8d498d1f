//! Phishing kits, and the forged senders of the mail that leads to them.
//!
//! A phishing kit is a copy of a well-known brand's sign-in page dropped on someone
//! else's server, the script its form posts to (it mails the passwords out, hands
//! them to a chat bot or appends them to a drop file: the PHP analysis's
//! `php-credential-exfil`), helpers that hide the kit from the companies that would
//! report it, and often the archive it was unpacked from. This module judges the
//! page, the helpers and the archive by what they do, with two lists as data:
//! `rules/scan/brands.txt` (brands kits imitate, where each can honestly live, the
//! domains its mail comes from) and `rules/scan/kit-avoids.txt` (who kits hide from).
//!
//! - **Page** (`phishing-page`): an HTML or PHP page with a password input and a
//!   form that posts to a local script (a relative action, a `.php`, the PHP page
//!   itself, or a script posting to a relative `.php`), that imitates a brand (the
//!   brand in its title, or twice in its logo places: image alt text and file names,
//!   the icon, `og:site_name`, inline SVG titles, the copyright line; titles and alt
//!   texts are read through HTML entities, invisible characters and look-alike
//!   Cyrillic and Greek letters), **and** lies where that brand cannot be the site's
//!   own. Without knowing the site, its path tells: the part of the path up to the
//!   web root (`/var/www/<site>/`, `…/public_html`, `…/htdocs`) is the site's own
//!   name, the rest is its content. The page is foreign when it lies loose in an
//!   upload or temp folder (an application tree unpacked under `/tmp` is judged on
//!   its content only), in a hidden folder inside the site, or inside the site in a
//!   folder named after the brand (`/var/www/html/paypal/`, a saved copy's
//!   `login.microsoftonline.com/`) when the brand is a service nobody else runs
//!   (webmail software anyone installs in `/webmail/` is no clone). And never when
//!   the site's own name names the brand (`/var/www/paypal.com/…`). A brand the page
//!   only offers to sign in *with* ("Sign in with Google" on the site's own form) is
//!   a partner, not imitated, unless the page's title claims it.
//! - **Anti-bot helper** (`phishing-antibot`): a PHP file that names three or more
//!   of the security companies kits hide from, close together (one list), next to a
//!   check of the visitor (address, host name, user agent, referrer) and a refusal
//!   (404, 403, a redirect, `exit`); or an `.htaccess` whose deny, rewrite or
//!   environment lines name three or more. Honest bad-bot blockers turn away SEO
//!   crawlers and vulnerability scanners, not antivirus and anti-phishing companies.
//! - **Kit archive** (`phishing-kit-archive`): a zip in a web root, upload, temp or
//!   hidden folder whose top folder (or the archive's own name) is a service brand's
//!   name or host, holding a page and PHP to post to. Only the central directory's
//!   names are read, at most [`MAX_ENTRIES`] of them.
//! - **Forged sender** (`forged-sender`, the mailer family): a script that sends mail
//!   with a `From:`, `Return-Path:`, `Sender:` or `Message-ID:` header (or PHPMailer's
//!   `setFrom`, `From`, `Sender`) claiming a domain only that brand mails from.
//!
//! Everything is one pass of one automaton over the file, then bounded looks
//! (tags of at most [`MAX_TAG`] bytes, windows of a few KiB) at what it found.

use super::kind::{Kind, extension_of, position_ci};
use super::{Heuristic, View};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::sync::LazyLock;

const BRANDS_SOURCE: &str = include_str!("../../../../rules/scan/brands.txt");
const AVOIDS_SOURCE: &str = include_str!("../../../../rules/scan/kit-avoids.txt");

/// Brands and avoided companies at most (their sets are bit masks).
const MAX_BRANDS: usize = 128;
const MAX_AVOIDS: usize = 64;
/// A tag longer than this is not read (hostile files have megabyte lines).
const MAX_TAG: usize = 4096;
/// How much of a title is read.
const MAX_TITLE: usize = 1024;
/// Logo places (image, icon, site name, SVG title, copyright line) read at most,
/// and how much of each of their texts.
const MAX_LOGOS: usize = 256;
const MAX_LOGO_TEXT: usize = 512;
/// Mentions of brand names looked at to tell partners ("with Google") at most.
const MAX_MENTIONS: usize = 4096;
/// Three names of avoided companies within this many bytes are one list.
const LIST_WINDOW: usize = 4096;
/// How far around such a list the visitor check and the refusal may be.
const LIST_CONTEXT: usize = 2048;
/// Lists judged at most in one file.
const MAX_LISTS: usize = 8;
/// Mail header markers looked at, at most, and how far after one the address may be.
const MAX_HEADERS: usize = 64;
const HEADER_REACH: usize = 200;
/// Zip entries read at most, and folders of a path looked at at most.
const MAX_ENTRIES: usize = 10_000;
const MAX_FOLDERS: usize = 64;

pub(crate) fn run(view: &View, hit: &mut impl FnMut(Heuristic, Option<usize>)) {
    match view.kind {
        Kind::Php | Kind::Script | Kind::Text => text(view, hit),
        Kind::Htaccess => {
            if let Some(at) = htaccess_antibot(view.bytes) {
                hit(Heuristic::PhishingAntibot, Some(at));
            }
        }
        Kind::Binary => {
            if let Some(at) = kit_archive(view) {
                hit(Heuristic::PhishingKitArchive, Some(at));
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------
// The lists.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Only the company runs it.
    Service,
    /// Anyone may install it.
    Software,
}

#[derive(Debug)]
struct Brand {
    class: Class,
    /// Names, folded (see [`fold`]): `" office 365 "`.
    names: Vec<String>,
    /// Names as written, for the search in raw page text.
    raw_names: Vec<&'static str>,
    /// Domains only the brand sends mail from.
    domains: Vec<&'static str>,
}

/// A set of brands or avoided companies, by index.
type Set = u128;

fn parse_brands(text: &'static str) -> Result<Vec<Brand>, String> {
    let mut brands = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |m: &str| format!("line {}: {m}", i + 1);
        let mut columns = line.split('|');
        let head = columns.next().unwrap_or_default();
        let mut words = head.split_whitespace();
        let (Some(_id), Some(class), None) = (words.next(), words.next(), words.next()) else {
            return Err(err("expected `ID CLASS | names | domains`"));
        };
        let class = match class {
            "service" => Class::Service,
            "software" => Class::Software,
            _ => return Err(err("class is service or software")),
        };
        let raw_names: Vec<&str> = columns
            .next()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .collect();
        let names: Vec<String> = raw_names.iter().map(|n| fold(n.as_bytes())).collect();
        if names.is_empty() || names.iter().any(|n| n.trim().is_empty()) {
            return Err(err("a brand needs names of letters or digits"));
        }
        let domains = columns
            .next()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .collect();
        if columns.next().is_some() {
            return Err(err("too many columns"));
        }
        brands.push(Brand {
            class,
            names,
            raw_names,
            domains,
        });
    }
    if brands.is_empty() || brands.len() > MAX_BRANDS {
        return Err(format!("between 1 and {MAX_BRANDS} brands"));
    }
    Ok(brands)
}

fn parse_avoids(text: &'static str) -> Result<Vec<&'static str>, String> {
    let names: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    if names.is_empty() || names.len() > MAX_AVOIDS {
        return Err(format!("between 1 and {MAX_AVOIDS} names"));
    }
    Ok(names)
}

/// The embedded lists; a unit test parses them, so a malformed file cannot ship.
static BRANDS: LazyLock<Vec<Brand>> = LazyLock::new(|| {
    parse_brands(BRANDS_SOURCE).unwrap_or_else(|e| panic!("rules/scan/brands.txt: {e}"))
});
static AVOIDS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    parse_avoids(AVOIDS_SOURCE).unwrap_or_else(|e| panic!("rules/scan/kit-avoids.txt: {e}"))
});

/// What one match of the [`WORDS`] automaton is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Word {
    Password,
    /// An avoided company, by index in [`AVOIDS`].
    Avoid(usize),
    /// A mail header (or PHPMailer property) that names a sender.
    Header,
}

const HEADERS: &[&str] = &[
    "from:",
    "return-path:",
    "sender:",
    "message-id:",
    "setfrom(",
    "->from",
    "->sender",
];

/// The words without which [`text`] finds nothing, with what each is. The
/// scanner's word pass (`words.rs`) looks for them in every file, so that only
/// files with one of them are read again here.
fn word_list() -> Vec<(Word, &'static str)> {
    let mut list = vec![(Word::Password, "password")];
    list.extend(
        AVOIDS
            .iter()
            .enumerate()
            .map(|(i, name)| (Word::Avoid(i), *name)),
    );
    list.extend(HEADERS.iter().map(|h| (Word::Header, *h)));
    list
}

pub(super) fn gate_words() -> Vec<&'static str> {
    word_list().into_iter().map(|(_, w)| w).collect()
}

/// The words of the one pass over a text file, with what each is.
static WORDS: LazyLock<(AhoCorasick, Vec<Word>)> = LazyLock::new(|| {
    let (words, patterns): (Vec<Word>, Vec<&str>) = word_list().into_iter().unzip();
    let ac = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .kind(Some(AhoCorasickKind::DFA))
        .build(&patterns)
        .expect("static phishing words");
    (ac, words)
});

/// Every brand name as written, for the search of partners in a page's text.
static BRAND_NAMES: LazyLock<(AhoCorasick, Vec<usize>)> = LazyLock::new(|| {
    let mut patterns = Vec::new();
    let mut brand = Vec::new();
    for (i, b) in BRANDS.iter().enumerate() {
        for n in &b.raw_names {
            patterns.push(*n);
            brand.push(i);
        }
    }
    let ac = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .build(&patterns)
        .expect("static brand names");
    (ac, brand)
});

// ---------------------------------------------------------------------------
// Text files: pages, anti-bot helpers, forged senders.

/// Extensions of pages served as they are.
const PAGE_EXTENSIONS: &[&str] = &["html", "htm", "shtml", "xhtml"];

fn text(view: &View, hit: &mut impl FnMut(Heuristic, Option<usize>)) {
    let page = view.kind == Kind::Php
        || (view.kind == Kind::Text && PAGE_EXTENSIONS.contains(&extension_of(view.path).as_str()));
    let php = view.kind == Kind::Php;
    let mail = matches!(view.kind, Kind::Php | Kind::Script);
    if !page && !mail {
        return;
    }
    if !view.words.phishing {
        return;
    }
    let bytes = view.bytes;
    let (ac, words) = &*WORDS;
    let mut password = false;
    let mut lists = Lists::default();
    let mut headers: Vec<(usize, usize)> = Vec::new();
    for m in ac.find_iter(bytes) {
        match words[m.pattern().as_usize()] {
            Word::Password => password = true,
            Word::Avoid(i) if php && whole_word(bytes, m.start(), m.end()) => {
                lists.add(i, m.start(), m.end())
            }
            Word::Header if mail && headers.len() < MAX_HEADERS => {
                headers.push((m.start(), m.end()))
            }
            _ => {}
        }
    }
    if page
        && password
        && let Some(at) = phishing_page(view)
    {
        hit(Heuristic::PhishingPage, Some(at));
    }
    if let Some(at) = lists.refused(bytes) {
        hit(Heuristic::PhishingAntibot, Some(at));
    }
    if let Some(at) = forged_sender(bytes, &headers) {
        hit(Heuristic::ForgedSender, Some(at));
    }
}

/// Letters do not touch the match on either side.
fn whole_word(bytes: &[u8], start: usize, end: usize) -> bool {
    let letter = |i: Option<&u8>| i.is_some_and(|b| b.is_ascii_alphabetic());
    !letter(start.checked_sub(1).and_then(|i| bytes.get(i))) && !letter(bytes.get(end))
}

// --- The page.

/// What the tags of a page say.
#[derive(Default)]
struct Page {
    password: bool,
    /// Where the first form that posts to a local script starts.
    local_form: Option<usize>,
    /// Brands the title claims, and those it names only as partners.
    title: Set,
    title_partners: Set,
    /// How many logo places claim each brand.
    logos: Vec<u8>,
    logo_places: usize,
}

impl Page {
    /// One logo place (an image, the icon, the site's name, an SVG title, the
    /// copyright line), of one or more texts (an image's alt text and file name).
    fn logo(&mut self, texts: &[&[u8]]) {
        if self.logo_places >= MAX_LOGOS {
            return;
        }
        self.logo_places += 1;
        let mut set: Set = 0;
        for t in texts {
            set |= brands_named(&fold(&t[..t.len().min(MAX_LOGO_TEXT)])).0;
        }
        for (i, count) in self.logos.iter_mut().enumerate() {
            if set & (1 << i) != 0 {
                *count = count.saturating_add(1);
            }
        }
    }

    /// Brands claimed by two logo places or more.
    fn logo_brands(&self) -> Set {
        let mut set = 0;
        for (i, count) in self.logos.iter().enumerate() {
            if *count >= 2 {
                set |= 1 << i;
            }
        }
        set
    }
}

/// Where the page's local form (or script post) is, when the page is a clone of a
/// brand's sign-in page lying where that brand cannot be the site's own.
fn phishing_page(view: &View) -> Option<usize> {
    let bytes = view.bytes;
    let php = view.kind == Kind::Php;
    let mut page = Page {
        logos: vec![0; BRANDS.len()],
        ..Page::default()
    };
    let mut title_seen = false;
    let mut i = 0;
    while let Some(rel) = memchr::memchr(b'<', &bytes[i..]) {
        let at = i + rel;
        let name_start = at + 1;
        let name_len = bytes[name_start..]
            .iter()
            .take(6)
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        let name = bytes[name_start..name_start + name_len].to_ascii_lowercase();
        let tag_start = name_start + name_len;
        if !matches!(
            &name[..],
            b"form" | b"input" | b"img" | b"link" | b"meta" | b"title"
        ) {
            i = name_start;
            continue;
        }
        let limit = (tag_start + MAX_TAG).min(bytes.len());
        let Some(close) = memchr::memchr(b'>', &bytes[tag_start..limit]) else {
            i = limit;
            continue;
        };
        let tag = &bytes[tag_start..tag_start + close];
        i = tag_start + close + 1;
        match &name[..] {
            b"input" => {
                if attr(tag, b"type")
                    .is_some_and(|t| t.trim_ascii().eq_ignore_ascii_case(b"password"))
                {
                    page.password = true;
                }
            }
            b"form" => {
                if page.local_form.is_none() && posts_locally(attr(tag, b"action"), php) {
                    page.local_form = Some(at);
                }
            }
            b"img" => {
                let texts: Vec<&[u8]> = [&b"alt"[..], b"src", b"title"]
                    .iter()
                    .filter_map(|a| attr(tag, a))
                    .collect();
                page.logo(&texts);
            }
            b"link" => {
                if attr(tag, b"rel").is_some_and(|r| position_ci(r, b"icon").is_some())
                    && let Some(v) = attr(tag, b"href")
                {
                    page.logo(&[v]);
                }
            }
            b"meta" => {
                let what = attr(tag, b"property").or_else(|| attr(tag, b"name"));
                if what.is_some_and(|w| {
                    w.eq_ignore_ascii_case(b"og:site_name")
                        || w.eq_ignore_ascii_case(b"application-name")
                }) && let Some(v) = attr(tag, b"content")
                {
                    page.logo(&[v]);
                }
            }
            _ => {
                // A title: the page's first, or an inline SVG logo's.
                let end = (i + MAX_TITLE).min(bytes.len());
                let text_end = position_ci(&bytes[i..end], b"</title").map_or(end, |e| i + e);
                let text = &bytes[i..text_end];
                if title_seen {
                    page.logo(&[text]);
                } else {
                    title_seen = true;
                    (page.title, page.title_partners) = brands_named(&fold(text));
                }
                i = text_end;
            }
        }
    }
    if !page.password {
        return None;
    }
    for at in copyright_lines(bytes) {
        page.logo(&[&bytes[at..(at + 120).min(bytes.len())]]);
    }
    let post = page.local_form.or_else(|| script_post(bytes))?;
    // The title's claim stands; a logo's claim falls to a partner mention anywhere
    // on the page ("Sign in with <b>Google</b>").
    let mut by_logo = page.logo_brands() & !page.title & !page.title_partners;
    if by_logo != 0 {
        by_logo &= !partners(bytes);
    }
    let imitated = page.title | by_logo;
    if imitated == 0 {
        return None;
    }
    let place = PathFacts::of(view);
    (0..BRANDS.len())
        .any(|b| imitated & (1 << b) != 0 && place.foreign_for(b))
        .then_some(post)
}

/// A form's action posts to a local script: a relative URL (the site's own), a
/// `.php` anywhere, or no action at all on a PHP page (it posts to itself).
fn posts_locally(action: Option<&[u8]>, php: bool) -> bool {
    let Some(action) = action.map(<[u8]>::trim_ascii) else {
        return php;
    };
    if action.is_empty() {
        return php;
    }
    let path_end = memchr::memchr2(b'?', b'#', action).unwrap_or(action.len());
    let php_target = action[..path_end].to_ascii_lowercase().ends_with(b".php");
    let lower = action.to_ascii_lowercase();
    let absolute =
        lower.starts_with(b"http:") || lower.starts_with(b"https:") || lower.starts_with(b"//");
    let elsewhere = lower.starts_with(b"mailto:")
        || lower.starts_with(b"javascript:")
        || lower.starts_with(b"#");
    php_target || (!absolute && !elsewhere)
}

/// A script posting to a relative `.php` (`url: "next.php"`, `fetch('post.php')`):
/// a quoted relative URL ending in `.php` that is no link's or asset's address.
fn script_post(bytes: &[u8]) -> Option<usize> {
    for at in memchr::memmem::find_iter(bytes, b".php").take(256) {
        let after = bytes.get(at + 4);
        if !matches!(after, Some(b'"' | b'\'' | b'?')) {
            continue;
        }
        let from = at.saturating_sub(200);
        let Some(open) = bytes[from..at]
            .iter()
            .rposition(|b| matches!(b, b'"' | b'\'' | b'<' | b'>' | b' ' | b'\n'))
            .map(|p| from + p)
        else {
            continue;
        };
        if !matches!(bytes[open], b'"' | b'\'') {
            continue;
        }
        let url = &bytes[open + 1..at];
        if position_ci(url, b"://").is_some() || url.starts_with(b"//") {
            continue;
        }
        let before = bytes[open.saturating_sub(8)..open].trim_ascii_end();
        let before = before.strip_suffix(b"=").unwrap_or(before).trim_ascii_end();
        let lower = before.to_ascii_lowercase();
        if lower.ends_with(b"href") || lower.ends_with(b"src") {
            continue;
        }
        return Some(open);
    }
    None
}

/// Where copyright lines start (`© 2024 PayPal`), a few of them.
fn copyright_lines(bytes: &[u8]) -> Vec<usize> {
    let mut at = Vec::new();
    for mark in [
        &b"\xc2\xa9"[..],
        b"&copy;",
        b"&#169;",
        b"copyright",
        b"Copyright",
    ] {
        at.extend(memchr::memmem::find_iter(bytes, mark).take(8));
    }
    at
}

/// Brands a folded text names: those it claims, and those it names only as
/// partners (after "with", "via" or "using": "Sign in with Google").
fn brands_named(folded: &str) -> (Set, Set) {
    let (mut claimed, mut partner): (Set, Set) = (0, 0);
    for (i, b) in BRANDS.iter().enumerate() {
        for n in &b.names {
            let mut from = 0;
            while let Some(p) = folded[from..].find(n.as_str()) {
                let p = from + p;
                if ends_with_with(&folded[..p]) {
                    partner |= 1 << i;
                } else {
                    claimed |= 1 << i;
                }
                // Names start and end with a space: the next may share this one's last.
                from = p + n.len() - 1;
            }
        }
    }
    (claimed, partner & !claimed)
}

/// A folded text's last word is "with", "via" or "using".
fn ends_with_with(folded: &str) -> bool {
    let t = folded.trim_end();
    [" with", " via", " using"].iter().any(|w| t.ends_with(w))
}

/// Brands the page's text offers to sign in or pay *with* (`Sign in with
/// <b>Google</b>`): partners of the site, not imitated.
fn partners(bytes: &[u8]) -> Set {
    let (ac, brand) = &*BRAND_NAMES;
    let mut set = 0;
    for m in ac.find_iter(bytes).take(MAX_MENTIONS) {
        if !whole_word(bytes, m.start(), m.end()) {
            continue;
        }
        let before = &bytes[m.start().saturating_sub(48)..m.start()];
        if last_word_is_with(before) {
            set |= 1 << brand[m.pattern().as_usize()];
        }
    }
    set
}

/// The last word of `text`, tags left out, is "with", "via" or "using".
fn last_word_is_with(text: &[u8]) -> bool {
    let mut plain = Vec::with_capacity(text.len());
    let mut in_tag = false;
    for &b in text {
        match b {
            b'<' => in_tag = true,
            b'>' => in_tag = false,
            _ if !in_tag => plain.push(b),
            _ => {}
        }
    }
    ends_with_with(&fold(&plain))
}

/// The value of a tag's attribute (quoted or not), when the attribute is there.
fn attr<'t>(tag: &'t [u8], name: &[u8]) -> Option<&'t [u8]> {
    let mut from = 0;
    while let Some(rel) = position_ci(&tag[from..], name) {
        let at = from + rel;
        from = at + name.len();
        let starts_word = at == 0
            || matches!(
                tag[at - 1],
                b' ' | b'\t' | b'\r' | b'\n' | b'/' | b'"' | b'\''
            );
        if !starts_word {
            continue;
        }
        let rest = tag[from..].trim_ascii_start();
        let Some(rest) = rest.strip_prefix(b"=") else {
            continue;
        };
        let rest = rest.trim_ascii_start();
        return Some(match rest.first() {
            Some(&q @ (b'"' | b'\'')) => {
                let body = &rest[1..];
                &body[..memchr::memchr(q, body).unwrap_or(body.len())]
            }
            _ => {
                let end = rest
                    .iter()
                    .position(|b| b.is_ascii_whitespace())
                    .unwrap_or(rest.len());
                &rest[..end]
            }
        });
    }
    None
}

// --- Folding text for names.

/// Text as words for name matching: lower-case letters and digits, every other run
/// of characters one space, padded with a space on each side (`" pay pal "`). HTML
/// entities are decoded, invisible characters dropped (they may split a name) and
/// Cyrillic, Greek and full-width look-alikes of Latin letters read as those.
fn fold(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    let mut rest = &*text;
    while let Some(c) = rest.chars().next() {
        rest = &rest[c.len_utf8()..];
        let c = if c == '&' {
            match entity(rest) {
                Some((decoded, len)) => {
                    rest = &rest[len..];
                    decoded
                }
                None => ' ',
            }
        } else {
            c
        };
        if matches!(c, '\u{ad}' | '\u{34f}' | '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
        {
            continue;
        }
        let c = look_alike(c);
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

/// An HTML entity after `&`: the character and the length of the entity's text.
fn entity(after: &str) -> Option<(char, usize)> {
    let semi = after.bytes().take(10).position(|b| b == b';')?;
    let body = &after[..semi];
    let c = if let Some(hex) = body.strip_prefix("#x").or_else(|| body.strip_prefix("#X")) {
        char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
    } else if let Some(dec) = body.strip_prefix('#') {
        char::from_u32(dec.parse().ok()?)?
    } else if body == "amp" {
        '&'
    } else {
        ' '
    };
    Some((c, semi + 1))
}

/// The Latin letter a Cyrillic, Greek or full-width letter looks like.
fn look_alike(c: char) -> char {
    match c {
        'а' | 'А' | 'α' | 'Α' => 'a',
        'В' | 'Β' => 'b',
        'с' | 'С' => 'c',
        'ԁ' => 'd',
        'е' | 'Е' | 'Ε' => 'e',
        'һ' | 'Н' | 'Η' => 'h',
        'і' | 'І' | 'ι' | 'Ι' | 'ӏ' => 'i',
        'ј' | 'Ј' => 'j',
        'К' | 'Κ' | 'κ' => 'k',
        'М' | 'Μ' => 'm',
        'Ν' => 'n',
        'о' | 'О' | 'ο' | 'Ο' => 'o',
        'р' | 'Р' | 'Ρ' | 'ρ' => 'p',
        'ԛ' => 'q',
        'ѕ' | 'Ѕ' => 's',
        'Т' | 'Τ' => 't',
        'ν' => 'v',
        'ԝ' => 'w',
        'х' | 'Х' | 'Χ' => 'x',
        'у' | 'Υ' => 'y',
        'Ζ' => 'z',
        '\u{ff21}'..='\u{ff3a}' | '\u{ff41}'..='\u{ff5a}' => {
            let base = if c >= '\u{ff41}' { 0xff41 } else { 0xff21 };
            char::from(b'a' + (c as u32 - base) as u8)
        }
        c => c,
    }
}

// --- Where a file lies.

/// Folder names that are a web root, or under which web roots lie.
const WEB_ROOTS: &[&str] = &[
    "html",
    "htdocs",
    "httpdocs",
    "httpsdocs",
    "public_html",
    "private_html",
    "wwwroot",
    "webroot",
    "web",
    "public",
    "http",
    "www",
];

/// A file's path, read for whether a brand can be the site's own there.
struct PathFacts {
    /// The folders of the path (not the file's name), folded.
    folders: Vec<String>,
    /// The folders of the path, lower-case as written.
    raw: Vec<String>,
    /// How many of the folders are the site's own name and web root: up to the
    /// first web root folder (`html`, `public_html`…), or `/var/www/<site>`; 0 when
    /// the path shows no web root.
    site: usize,
    /// Loose in an upload or temp folder, or in a hidden folder inside the site.
    foreign: bool,
}

impl PathFacts {
    fn of(view: &View) -> PathFacts {
        let path = view.path;
        let dirs = path.rsplit_once('/').map_or("", |(d, _)| d);
        let raw: Vec<String> = dirs
            .split('/')
            .filter(|c| !c.is_empty())
            .take(MAX_FOLDERS)
            .map(str::to_ascii_lowercase)
            .collect();
        let folders = raw.iter().map(|c| fold(c.as_bytes())).collect();
        let site = match raw
            .iter()
            .position(|c| WEB_ROOTS.contains(&c.as_str()) && c != "www")
        {
            Some(root) => root + 1,
            None => raw
                .iter()
                .position(|c| c == "www")
                .map_or(0, |www| (www + 2).min(raw.len())),
        };
        let hidden = raw[site..]
            .iter()
            .any(|c| c.starts_with('.') && c != "." && c != "..");
        let places = view.places;
        let loose_temp = (places.is_temp)(path) && view.app_path.is_none();
        PathFacts {
            folders,
            raw,
            site,
            foreign: (places.in_uploads)(path) || loose_temp || hidden,
        }
    }

    /// The site's own name or web root names the brand.
    fn own_site(&self, brand: usize) -> bool {
        let b = &BRANDS[brand];
        self.folders[..self.site]
            .iter()
            .any(|f| b.names.iter().any(|n| f.contains(n.as_str())))
    }

    /// A page of `brand` here is no page of the site's own.
    fn foreign_for(&self, brand: usize) -> bool {
        if self.own_site(brand) {
            return false;
        }
        self.foreign
            || (self.site > 0
                && BRANDS[brand].class == Class::Service
                && (self.site..self.folders.len())
                    .any(|i| names_folder(brand, &self.folders[i], &self.raw[i])))
    }
}

/// A folder (folded, and lower-case as written) is named after a brand: exactly one
/// of its names (digits after it allowed: `paypal2`), or one of its domains as a
/// host name (`login.microsoftonline.com`, a saved copy of the brand's page).
fn names_folder(brand: usize, folded: &str, raw: &str) -> bool {
    let b = &BRANDS[brand];
    let bare = folded
        .trim_end()
        .trim_end_matches(|c: char| c.is_ascii_digit());
    let bare = format!("{} ", bare.trim_end());
    b.names.iter().any(|n| n == folded || *n == bare) || b.domains.iter().any(|d| in_domain(raw, d))
}

/// `host` is `domain` or a host under it.
fn in_domain(host: &str, domain: &str) -> bool {
    host.strip_suffix(domain)
        .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
}

// --- Anti-bot helpers.

/// Lists of avoided companies found in one pass: a sliding window of the names
/// met in the last [`LIST_WINDOW`] bytes.
#[derive(Default)]
struct Lists {
    recent: std::collections::VecDeque<(usize, usize)>,
    counts: Vec<u16>,
    /// Windows with three different names: (first name's start, last name's end).
    found: Vec<(usize, usize)>,
}

impl Lists {
    fn add(&mut self, name: usize, start: usize, end: usize) {
        if self.counts.is_empty() {
            self.counts = vec![0; AVOIDS.len()];
        }
        while let Some(&(at, old)) = self.recent.front() {
            if at + LIST_WINDOW >= start {
                break;
            }
            self.recent.pop_front();
            self.counts[old] -= 1;
        }
        self.recent.push_back((start, name));
        self.counts[name] += 1;
        let distinct = self.counts.iter().filter(|c| **c > 0).count();
        if distinct >= 3 && self.found.len() < MAX_LISTS {
            let first = self.recent.front().map_or(start, |r| r.0);
            match self.found.last_mut() {
                // The same list, grown.
                Some(last) if last.0 == first || first <= last.1 => last.1 = end,
                _ => self.found.push((first, end)),
            }
        }
    }

    /// Where a list starts that is used to turn a visitor away: a check of the
    /// visitor and a refusal around it.
    fn refused(&self, bytes: &[u8]) -> Option<usize> {
        static CONTEXT: LazyLock<AhoCorasick> = LazyLock::new(|| {
            AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(VISITOR.iter().chain(REFUSAL))
                .expect("static anti-bot words")
        });
        self.found.iter().find_map(|&(start, end)| {
            let around =
                &bytes[start.saturating_sub(LIST_CONTEXT)..(end + LIST_CONTEXT).min(bytes.len())];
            let (mut visitor, mut refusal) = (false, false);
            for m in CONTEXT.find_iter(around) {
                if m.pattern().as_usize() < VISITOR.len() {
                    visitor = true;
                } else {
                    refusal = true;
                }
            }
            (visitor && refusal).then_some(start)
        })
    }
}

/// What identifies a visitor to an anti-bot check.
const VISITOR: &[&str] = &[
    "remote_addr",
    "remote_host",
    "http_user_agent",
    "http_referer",
    "http_x_forwarded_for",
    "gethostbyaddr",
];
/// How a visitor is turned away.
const REFUSAL: &[&str] = &["404", "403", "location:", "die(", "die;", "exit"];

/// Lines of an `.htaccess` that refuse or mark visitors.
const HTACCESS_DIRECTIVES: &[&[u8]] = &[
    b"deny ",
    b"rewritecond",
    b"setenvif",
    b"browsermatch",
    b"require not",
];

/// Where the first refusing line is, when those lines name three or more avoided
/// companies.
fn htaccess_antibot(bytes: &[u8]) -> Option<usize> {
    let (ac, words) = &*WORDS;
    let mut seen: Set = 0;
    let mut first = None;
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len())) {
        let line = &bytes[start..end];
        let here = start;
        start = end + 1;
        let t = line.trim_ascii_start();
        let head = &t[..t.len().min(16)];
        if !HTACCESS_DIRECTIVES
            .iter()
            .any(|d| head.len() >= d.len() && head[..d.len()].eq_ignore_ascii_case(d))
        {
            continue;
        }
        let mut named = false;
        for m in ac.find_iter(line) {
            if let Word::Avoid(i) = words[m.pattern().as_usize()]
                && whole_word(line, m.start(), m.end())
            {
                seen |= 1 << i;
                named = true;
            }
        }
        if named && first.is_none() {
            first = Some(here);
        }
    }
    (seen.count_ones() >= 3).then_some(first).flatten()
}

// --- Forged senders.

/// Where a sender header claims a brand's own mail domain, in a file that sends mail.
fn forged_sender(bytes: &[u8], headers: &[(usize, usize)]) -> Option<usize> {
    let forged = headers.iter().find_map(|&(start, end)| {
        let reach = &bytes[end..(end + HEADER_REACH).min(bytes.len())];
        let line = &reach[..memchr::memchr(b'\n', reach).unwrap_or(reach.len())];
        memchr::memchr_iter(b'@', line)
            .any(|at| {
                let host: Vec<u8> = line[at + 1..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'))
                    .map(u8::to_ascii_lowercase)
                    .collect();
                let host = String::from_utf8_lossy(&host);
                let host = host.trim_end_matches('.');
                BRANDS
                    .iter()
                    .any(|b| b.domains.iter().any(|d| in_domain(host, d)))
            })
            .then_some(start)
    })?;
    static SENDS: LazyLock<AhoCorasick> = LazyLock::new(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(["mail(", "->send(", "sendmail", "smtp"])
            .expect("static mail words")
    });
    SENDS.is_match(bytes).then_some(forged)
}

// --- Kit archives.

/// Where the first telling entry name is, when the file is a zip archive of a kit.
fn kit_archive(view: &View) -> Option<usize> {
    let bytes = view.bytes;
    if !bytes.starts_with(b"PK\x03\x04") {
        return None;
    }
    let place = PathFacts::of(view);
    if !place.foreign && place.site == 0 {
        return None;
    }
    let name = view.path.rsplit('/').next().unwrap_or(view.path);
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let stem_brand = service_brand_named(stem.as_bytes());
    // Per brand: PHP files, pages, the first entry's offset.
    let mut kits: Vec<(u16, bool, usize)> = vec![(0, false, 0); BRANDS.len()];
    // Entries come folder by folder: the last top folder's brand is kept.
    let mut last_top: (&[u8], Option<usize>) = (b"", None);
    for (offset, entry) in zip_names(bytes).take(MAX_ENTRIES) {
        let mut parts = entry.split(|b| *b == b'/').filter(|p| !p.is_empty());
        let Some(top) = parts.next() else { continue };
        if top.eq_ignore_ascii_case(b"__MACOSX") {
            continue;
        }
        let depth = 1 + parts.clone().take(3).count();
        let file = parts.next_back().unwrap_or(top);
        let ext = extension_of(&String::from_utf8_lossy(file));
        let php = ext == "php";
        let html = ext == "html" || ext == "htm";
        if last_top.0 != top {
            last_top = (top, service_brand_named(top));
        }
        let brands = [
            last_top.1.filter(|_| depth >= 2),
            stem_brand.filter(|_| depth <= 2),
        ];
        for b in brands.into_iter().flatten() {
            let kit = &mut kits[b];
            if kit.0 == 0 && !kit.1 {
                kit.2 = offset;
            }
            kit.0 = kit.0.saturating_add(u16::from(php));
            kit.1 |= html;
        }
    }
    kits.iter().enumerate().find_map(|(b, &(php, page, at))| {
        let kit = (page && php >= 1) || php >= 2;
        (kit && !place.own_site(b)).then_some(at)
    })
}

/// The service brand a name (a folder, an archive's name) is named after.
fn service_brand_named(name: &[u8]) -> Option<usize> {
    let raw = String::from_utf8_lossy(name).to_ascii_lowercase();
    let folded = fold(raw.as_bytes());
    (0..BRANDS.len()).find(|&b| BRANDS[b].class == Class::Service && names_folder(b, &folded, &raw))
}

/// The names in a zip archive's central directory, with their offsets, read from the
/// end-of-central-directory record. Nothing but the directory is read; a damaged or
/// zip64 archive gives no names.
fn zip_names(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let u16_at = move |at: usize| {
        bytes
            .get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
    };
    let u32_at = move |at: usize| {
        bytes
            .get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    // The record is 22 bytes and ends the file, after a comment of up to 64 KiB.
    let tail = bytes.len().saturating_sub(22 + 0xffff);
    let directory = memchr::memmem::rfind(&bytes[tail..], b"PK\x05\x06").and_then(|rel| {
        let eocd = tail + rel;
        let size = u32_at(eocd + 12)?;
        let start = u32_at(eocd + 16)?;
        let end = start.checked_add(size)?;
        (end <= eocd).then_some((start, end))
    });
    let (mut at, end) = directory.unwrap_or((0, 0));
    std::iter::from_fn(move || {
        if at + 46 > end || bytes.get(at..at + 4) != Some(b"PK\x01\x02") {
            return None;
        }
        let name_len = u16_at(at + 28)?;
        let skip = name_len + u16_at(at + 30)? + u16_at(at + 32)?;
        let name_at = at + 46;
        let name = bytes.get(name_at..name_at + name_len)?;
        at = name_at + skip;
        Some((name_at, name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Places;
    use crate::heuristics::Words;

    const PLACES: Places = Places {
        is_temp: |p| p.starts_with("/tmp/") || p.starts_with("/dev/shm/"),
        in_uploads: |p| p.contains("/uploads/"),
    };

    fn hits(path: &str, bytes: &[u8]) -> Vec<Heuristic> {
        let words = Words::native(bytes);
        let view = View {
            path,
            bytes,
            kind: Kind::of(path, bytes),
            mtime: 0,
            ctime: 0,
            places: &PLACES,
            app_path: None,
            words: &words,
        };
        let mut v = Vec::new();
        run(&view, &mut |h, _| v.push(h));
        v
    }

    #[test]
    fn embedded_lists_parse() {
        let brands = parse_brands(BRANDS_SOURCE).unwrap();
        assert!(
            brands
                .iter()
                .any(|b| b.names.contains(&" paypal ".to_string()))
        );
        assert!(parse_avoids(AVOIDS_SOURCE).unwrap().contains(&"phishtank"));
        assert!(parse_brands("x service |").is_err());
        assert!(parse_brands("x cloud | x").is_err());
        assert!(parse_brands("x service | a | b | c").is_err());
    }

    #[test]
    fn folding_reads_through_disguises() {
        assert_eq!(fold(b"P&#97;y&#x50;al | Log in"), " paypal log in ");
        assert_eq!(fold("Pay\u{200b}Pal".as_bytes()), " paypal ");
        // Cyrillic а and о in "Microsoft Оffice".
        assert_eq!(
            fold("Micrоsоft Оffice-365".as_bytes()),
            " microsoft office 365 "
        );
        assert_eq!(fold(b"&copy;2024&nbsp;Apple&amp;Co"), " 2024 apple co ");
        assert_eq!(fold("ＰａｙＰａｌ".as_bytes()), " paypal ");
    }

    fn page(title: &str, action: &str, extra: &str) -> String {
        format!(
            "<!DOCTYPE html><html><head><title>{title}</title></head><body>{extra}\
             <form method=\"post\" action=\"{action}\"><input type=\"email\" name=\"login\">\
             <input type=\"password\" name=\"passwd\"><button>Next</button></form></body></html>"
        )
    }

    #[test]
    fn brand_pages_by_place() {
        let kit = page("Sign in to your Microsoft account", "next.php", "");
        let up = "/var/www/html/wp-content/uploads/2024/04/o365/index.html";
        assert_eq!(hits(up, kit.as_bytes()), [Heuristic::PhishingPage]);
        // A folder named after the brand inside the web root.
        assert_eq!(
            hits("/var/www/html/office365/index.html", kit.as_bytes()),
            [Heuristic::PhishingPage]
        );
        assert_eq!(
            hits(
                "/home/u/public_html/login.microsoftonline.com/index.html",
                kit.as_bytes()
            ),
            [Heuristic::PhishingPage]
        );
        assert_eq!(
            hits("/var/www/html/.well-known/x/index.html", kit.as_bytes()),
            [Heuristic::PhishingPage]
        );
        assert_eq!(
            hits("/tmp/x/index.html", kit.as_bytes()),
            [Heuristic::PhishingPage]
        );
        // The site's own page: in its web root, or the site is the brand.
        assert!(hits("/var/www/html/login.html", kit.as_bytes()).is_empty());
        assert!(
            hits(
                "/var/www/microsoft.example/html/office365/index.html",
                kit.as_bytes()
            )
            .is_empty()
        );
        assert!(
            hits(
                "/var/www/paypal/uploads/x.html",
                page("PayPal", "p.php", "").as_bytes()
            )
            .is_empty()
        );
        // Software anyone installs, in its own folder; in uploads it is a clone.
        let mail = page("Roundcube Webmail :: Welcome", "./?_task=login", "");
        assert!(hits("/var/www/html/roundcube/index.html", mail.as_bytes()).is_empty());
        assert_eq!(hits(up, mail.as_bytes()), [Heuristic::PhishingPage]);
    }

    #[test]
    fn what_makes_a_clone() {
        let up = "/var/www/html/wp-content/uploads/2024/04/x/index.html";
        // Posting to the brand itself, or a page without a password, is no harvester.
        assert!(
            hits(
                up,
                page("PayPal", "https://www.paypal.com/signin", "").as_bytes()
            )
            .is_empty()
        );
        assert!(
            hits(
                up,
                page("PayPal", "next.php", "")
                    .replace("password", "text")
                    .as_bytes()
            )
            .is_empty()
        );
        // No brand: a site's own sign-in page.
        assert!(
            hits(
                up,
                page("Sign in – Example Shop", "login.php", "").as_bytes()
            )
            .is_empty()
        );
        // Social sign-in buttons name brands as partners.
        let social = page(
            "Sign in – Example Shop",
            "/account/login",
            "<a href=\"/oauth/google\"><img src=\"google-logo.svg\" alt=\"Google\"> Sign in with <b>Google</b></a>\
             <a href=\"/oauth/fb\"><img src=\"facebook.png\" alt=\"Facebook\">Continue with Facebook</a>",
        );
        assert!(hits(up, social.as_bytes()).is_empty());
        // A generic title, the brand in its logo and its copyright line.
        let logo = page(
            "Sign in to your account",
            "post.php",
            "<img src=\"images/microsoft_logo.svg\" alt=\"\"><p>&copy;2024 Microsoft</p>",
        );
        assert_eq!(hits(up, logo.as_bytes()), [Heuristic::PhishingPage]);
        // An escaped, look-alike title.
        let disguised = page("&#80;аyPal: Log in", "", "").replace("action=\"\"", "");
        assert_eq!(
            hits(&up.replace(".html", ".php"), disguised.as_bytes()),
            [Heuristic::PhishingPage]
        );
        // A static page that posts with a script.
        let ajax = page(
            "Netflix",
            "#",
            "<script>$.ajax({type:'POST', url: 'send/login.php', data: d});</script>",
        );
        assert_eq!(hits(up, ajax.as_bytes()), [Heuristic::PhishingPage]);
    }

    #[test]
    fn anti_bot_helpers() {
        let php = b"<?php\n$host = gethostbyaddr($_SERVER['REMOTE_ADDR']);\n\
            $words = array('phishtank', 'kaspersky', 'BitDefender', 'trendmicro', 'crawler');\n\
            foreach ($words as $w) { if (stripos($host, $w) !== false) { header('HTTP/1.0 404 Not Found'); exit; } }\n";
        assert_eq!(
            hits("/var/www/html/x/blocker.php", php),
            [Heuristic::PhishingAntibot]
        );
        // A site-status plugin that queries the same companies turns nobody away.
        let status = b"<?php\n$lists = ['phishtank' => 'https://checkurl.phishtank.com/', 'norton' => 'https://safeweb.norton.com/',\n\
            'mcafee' => 'https://www.siteadvisor.com/'];\nforeach ($lists as $k => $u) { $r[$k] = wp_remote_get($u . urlencode(home_url())); }\n";
        assert!(hits("/var/www/html/wp-content/plugins/status/check.php", status).is_empty());
        let deny = b"RewriteEngine on\nRewriteCond %{HTTP_USER_AGENT} (phishtank|kaspersky|sophos) [NC,OR]\nRewriteCond %{REMOTE_HOST} bitdefender [NC]\nRewriteRule .* - [F]\n";
        assert_eq!(
            hits("/var/www/html/x/.htaccess", deny),
            [Heuristic::PhishingAntibot]
        );
        // An honest blocker: SEO bots and scanners; comments do not count; no `reset` for eset.
        let honest = b"# kaspersky sophos avast\nRewriteCond %{HTTP_USER_AGENT} (AhrefsBot|SemrushBot|MJ12bot|Netcraft|Nikto) [NC]\nRewriteCond %{QUERY_STRING} reset [NC]\nRewriteRule .* - [F]\n";
        assert!(hits("/var/www/html/.htaccess", honest).is_empty());
    }

    #[test]
    fn forged_senders() {
        let php = b"<?php\n$h = \"From: PayPal <service@intl.paypal.com>\\r\\n\";\nforeach ($to as $r) mail($r, $s, $b, $h);\n";
        assert_eq!(hits("/var/www/html/a.php", php), [Heuristic::ForgedSender]);
        let mid = b"<?php\n$h .= \"Message-ID: <\" . md5(uniqid()) . \"@apple.com>\\r\\n\"; mail($t, $s, $b, $h);";
        assert_eq!(hits("/var/www/html/a.php", mid), [Heuristic::ForgedSender]);
        // The site's own address, a free-mail address, a lookalike domain, or no sending.
        for ok in [
            &b"<?php mail($t, $s, $b, \"From: shop@example.com\");"[..],
            b"<?php $m->setFrom('myshop@gmail.com'); $m->send();",
            b"<?php mail($t, $s, $b, \"From: x@notpaypal.com\");",
            b"<?php // From: service@paypal.com\n$x = 1;",
        ] {
            assert!(
                hits("/var/www/html/a.php", ok).is_empty(),
                "{}",
                String::from_utf8_lossy(ok)
            );
        }
    }

    fn zip(names: &[&str]) -> Vec<u8> {
        let mut z = b"PK\x03\x04".to_vec();
        z.extend([0u8; 26]);
        let start = z.len();
        for n in names {
            z.extend(b"PK\x01\x02");
            z.extend([0u8; 24]);
            z.extend((n.len() as u16).to_le_bytes());
            z.extend([0u8; 16]);
            z.extend(n.as_bytes());
        }
        let size = z.len() - start;
        z.extend(b"PK\x05\x06");
        z.extend([0u8; 6]);
        z.extend((names.len() as u16).to_le_bytes());
        z.extend((size as u32).to_le_bytes());
        z.extend((start as u32).to_le_bytes());
        z.extend([0u8; 2]);
        z
    }

    #[test]
    fn kit_archives() {
        let kit = zip(&[
            "PayPal/",
            "PayPal/index.html",
            "PayPal/css/app.css",
            "PayPal/next.php",
        ]);
        assert_eq!(zip_names(&kit).count(), 4);
        assert_eq!(
            hits("/var/www/html/wp-content/uploads/2024/04/pp.zip", &kit),
            [Heuristic::PhishingKitArchive]
        );
        assert_eq!(
            hits("/var/www/html/pp.zip", &kit),
            [Heuristic::PhishingKitArchive]
        );
        let named = zip(&["index.php", "send.php", "img/logo.png"]);
        assert_eq!(
            hits("/home/u/public_html/office365.zip", &named),
            [Heuristic::PhishingKitArchive]
        );
        // Out of any web root, a plugin named after a brand, a brand folder deep in
        // a library, webmail software, the brand's own site, a damaged archive.
        assert!(hits("/root/samples/pp.zip", &kit).is_empty());
        let plugin = zip(&[
            "woocommerce-paypal-payments/",
            "woocommerce-paypal-payments/a.php",
            "woocommerce-paypal-payments/b.php",
        ]);
        assert!(hits("/var/www/html/wp-content/uploads/p.zip", &plugin).is_empty());
        let deep = zip(&[
            "shop/includes/gateways/paypal/a.php",
            "shop/includes/gateways/paypal/b.php",
        ]);
        assert!(hits("/var/www/html/wp-content/uploads/s.zip", &deep).is_empty());
        let roundcube = zip(&["roundcube/index.php", "roundcube/program/x.php"]);
        assert!(hits("/var/www/html/roundcube.zip", &roundcube).is_empty());
        assert!(hits("/var/www/paypal.com/html/pp.zip", &kit).is_empty());
        assert!(hits("/var/www/html/pp.zip", &kit[..kit.len() - 10]).is_empty());
    }

    /// Hostile shapes stay linear: megabytes of unclosed tags and names.
    #[test]
    fn hostile_pages_are_bounded() {
        let mut b = b"<title>PayPal</title><input type=password>".to_vec();
        b.extend(b"<form action=x".repeat(200_000));
        b.extend(b"paypal phishtank kaspersky sophos From: @paypal.com ".repeat(20_000));
        let t = std::time::Instant::now();
        let _ = hits("/var/www/html/wp-content/uploads/x.php", &b);
        assert!(t.elapsed().as_secs() < 20, "{:?}", t.elapsed());
    }
}
