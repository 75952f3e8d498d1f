//! The fixed text of every mail finding. Severities here are the base; the
//! analysis raises or lowers them with the numbers it sees (a handful of deferred
//! messages is not a spam storm).

use breachkit_finding::{Rule, Severity, Step};

const SPAM: Option<&str> = Some("T1496");

pub const QUEUE_SIZE: Rule = Rule {
    id: "mail.queue-size",
    step: Step::Aware,
    severity: Severity::Medium,
    title: "Mail queue pile-up",
    explanation: "The mail queue holds far more than a web server's own mail (password resets, order confirmations, cron reports). A pile-up like this is how a hacked site sending spam is usually noticed.",
    mitre: SPAM,
    next_step: "Look at the tables of `breachkit mail`: which sender, uid and script fill the queue. Do not purge it yet: it is evidence, and it shows what was sent.",
};

pub const QUEUE_GROWTH: Rule = Rule {
    id: "mail.queue-growth",
    step: Step::Aware,
    severity: Severity::Medium,
    title: "Mail queue growing fast",
    explanation: "Many messages entered the queue within one hour. Unless a newsletter went out, something on this host is sending in bulk right now.",
    mitre: SPAM,
    next_step: "Find the sender in the tables of `breachkit mail`; stop the sending script or account before anything else (the queue keeps growing meanwhile).",
};

pub const DEFERRED_SHARE: Rule = Rule {
    id: "mail.deferred-share",
    step: Step::Aware,
    severity: Severity::Medium,
    title: "Most queued mail cannot be delivered",
    explanation: "Most messages in the queue were tried and deferred. Receiving servers refuse mail from hosts that send spam, and spam lists are full of dead addresses.",
    mitre: SPAM,
    next_step: "Read the delay reasons (`breachkit mail --format json`): \"blocked\" or \"spam\" means this host's address is blacklisted.",
};

pub const MANY_RECIPIENTS: Rule = Rule {
    id: "mail.many-recipients",
    step: Step::Aware,
    severity: Severity::Medium,
    title: "Messages with very many recipients",
    explanation: "Queued messages each address dozens or thousands of recipients. A web application writes to one person at a time; a spam script writes to a list.",
    mitre: SPAM,
    next_step: "See who submitted them (uid, script) and remove the sender.",
};

pub const DOMINANT_SENDER: Rule = Rule {
    id: "mail.dominant-sender",
    step: Step::Aware,
    severity: Severity::Medium,
    title: "One sender fills the queue",
    explanation: "Nearly every queued message has the same envelope sender. On a web server that is usually the account of a hacked site or a forged address a spam script uses.",
    mitre: SPAM,
    next_step: "Find which script or account uses this sender (the uid and script tables of `breachkit mail`).",
};

pub const DOMINANT_UID: Rule = Rule {
    id: "mail.dominant-uid",
    step: Step::Aware,
    severity: Severity::Medium,
    title: "One account submitted nearly all queued mail",
    explanation: "Nearly every queued message was handed to the mail system by the same local account.",
    mitre: SPAM,
    next_step: "If it is the web server's account, a PHP script is sending: find it (X-PHP-Originating-Script, PHP's mail.log) and remove it.",
};

pub const WEB_UID: Rule = Rule {
    id: "mail.web-uid",
    step: Step::Aware,
    severity: Severity::Low,
    title: "The web server's account sends mail",
    explanation: "Messages were submitted by the web server's account (www-data, apache, nginx…), that is, by a PHP script. Contact forms do that a few times a day; a spam script does it by the thousand.",
    mitre: SPAM,
    next_step: "Match the volume with what the sites legitimately send; find the script from the script table or PHP's mail.log.",
};

pub const SAME_SUBJECT: Rule = Rule {
    id: "mail.same-subject",
    step: Step::Aware,
    severity: Severity::Medium,
    title: "The same subject on many queued messages",
    explanation: "Many queued messages share one subject: a campaign, not individual mail.",
    mitre: SPAM,
    next_step: "Read one of them (the queue file is named in the evidence) to see what is being sent and on whose behalf.",
};

pub const BLACKLISTED: Rule = Rule {
    id: "mail.blacklisted",
    step: Step::Aware,
    severity: Severity::High,
    title: "Receiving servers say this host is blacklisted",
    explanation: "Delivery was refused because this host's address is on a spam blocklist (Spamhaus, Spamcop, Barracuda…). Lists add a host after it sent spam; until delisted, even honest mail from it is refused.",
    mitre: SPAM,
    next_step: "Stop the spam first (find the sending script or account), then request delisting from each list named in the reasons.",
};

pub const SENDING_SCRIPT: Rule = Rule {
    id: "mail.sending-script",
    step: Step::Aware,
    severity: Severity::Low,
    title: "A PHP script sends mail",
    explanation: "This script called mail() (PHP names it in X-PHP-Originating-Script or X-PHP-Script, or in its mail.log). Contact forms and WordPress do this a few times a day; a script sending in bulk, or one in an upload or temp directory, is a spam mailer or a web shell.",
    mitre: Some("T1505.003"),
    next_step: "Read the file. If it is not part of the site, keep a copy (breachkit quarantine backup), remove it, and look in the web logs for who requested it.",
};

pub const FORGED_FROM: Rule = Rule {
    id: "mail.forged-from",
    step: Step::Aware,
    severity: Severity::Low,
    title: "Mail written here claims to come from other domains",
    explanation: "Messages submitted on this host carry a From (or Sender, Return-Path) domain that is none of the host's own domains or sites. Phishing sent from hacked sites poses as banks, PayPal or parcel services this way.",
    mitre: Some("T1566"),
    next_step: "Look at one of the messages; then find the script that sends them.",
};

pub const MESSAGE_ID_DOMAIN: Rule = Rule {
    id: "mail.message-id-domain",
    step: Step::Aware,
    severity: Severity::Low,
    title: "Message-IDs made up elsewhere",
    explanation: "Messages submitted on this host carry Message-IDs from domains that are not the host's. Mail software names its own host there; spam tools invent them to look like someone else's mail.",
    mitre: Some("T1566"),
    next_step: "Check which script sends these messages.",
};

pub const FORGED_RECEIVED: Rule = Rule {
    id: "mail.forged-received",
    step: Step::Aware,
    severity: Severity::Medium,
    title: "Impossible Received chains",
    explanation: "A message submitted on this host already carried Received headers from other servers, or its Received dates run backwards or into the future. Spam tools add fake relay headers so the mail seems to come from elsewhere.",
    mitre: Some("T1036"),
    next_step: "Treat the messages as spam made here; find the sending script.",
};

pub const DATE_SKEW: Rule = Rule {
    id: "mail.date-skew",
    step: Step::Aware,
    severity: Severity::Low,
    title: "Date headers far from when the mail was queued",
    explanation: "Messages submitted on this host carry a Date days away from the moment they entered the queue. Mail software writes the current time; spam tools often copy a template's date.",
    mitre: None,
    next_step: "Look at which script sends these messages.",
};

pub const HEADER_INJECTION: Rule = Rule {
    id: "mail.header-injection",
    step: Step::Aware,
    severity: Severity::High,
    title: "Header injection through a web form",
    explanation: "A Subject carries line breaks or extra header lines (Bcc:, To:, Content-Type:). That is what is left when a contact form passes visitor input to mail() unchecked and a spammer uses it to add recipients.",
    mitre: Some("T1190"),
    next_step: "Find the form (the sending script, PHP's mail.log) and fix or disable it: strip CR/LF from every value that reaches a mail header.",
};

pub const BULK_MAILER: Rule = Rule {
    id: "mail.bulk-mailer",
    step: Step::Aware,
    severity: Severity::High,
    title: "Spam tool signature in X-Mailer",
    explanation: "Queued messages name a bulk-mailing tool in X-Mailer (Leaf PHPMailer, Mailer Inbox, Mass Mailer…), or a desktop mail program that cannot run on this server. These PHP mailers are uploaded to hacked sites to send spam.",
    mitre: SPAM,
    next_step: "Find the mailer script (the script table, PHP's mail.log) and remove it; look for the web shell that uploaded it.",
};

pub const BACKSCATTER: Rule = Rule {
    id: "mail.backscatter",
    step: Step::Aware,
    severity: Severity::Low,
    title: "A mailbox fills with bounces",
    explanation: "This mailbox receives delivery failure reports for mail its owner did not write: bounces of spam sent from this host, or of spam that forged this host's domain as its sender.",
    mitre: SPAM,
    next_step: "Read a few bounces: the returned original shows what was sent, by which script (X-PHP-Originating-Script) and when.",
};

pub const QUEUE_HIDDEN: Rule = Rule {
    id: "mail.queue-hidden",
    step: Step::Aware,
    severity: Severity::High,
    title: "postqueue hides queued messages",
    explanation: "Messages that are in Postfix's queue directories, read directly, are missing from what `postqueue` reports. A tampered mail tool hides the spam from the admin.",
    mitre: Some("T1564"),
    next_step: "Compare /usr/sbin/postqueue with the package's checksum (dpkg --verify postfix) and treat the host as compromised.",
};
