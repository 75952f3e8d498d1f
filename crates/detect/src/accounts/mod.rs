//! The `accounts` check: who can get in, and who can become root.
//!
//! Reads the host's own account files (never NSS), sudoers with its includes, sshd's
//! `AuthorizedKeysFile` setting and every home's key files, through [`Context`] so
//! that an offline image is read inside the image and nothing is followed or
//! blocked on. Each file has one job:
//! - `passwd`: a second UID 0, empty password hashes, service accounts with shells;
//! - `sudoers`: `NOPASSWD` rules for service accounts (or everyone);
//! - `sshd_config`: which key files sshd reads;
//! - `authorized_keys`: parsing one key line and its options;
//! - `key_options`: what a key's `command=` and `environment=` options do;
//! - `ssh_keys`: the key files of every home.

mod authorized_keys;
mod key_options;
mod passwd;
mod ssh_keys;
mod sshd_config;
mod sudoers;

use crate::Context;

pub struct Accounts;

impl crate::Check for Accounts {
    fn name(&self) -> &'static str {
        "accounts"
    }

    fn about(&self) -> &'static str {
        "second UID 0, empty passwords, service accounts with shells, NOPASSWD sudo or SSH keys; forced-command tricks, recently changed keys"
    }

    fn run(&self, ctx: &mut Context) {
        let accounts = ctx.host.accounts();
        // Problems reading /etc/passwd, shadow and group, reported by this check only.
        ctx.warn_all(accounts.warnings.iter().cloned());
        passwd::check(ctx, accounts);
        sudoers::check(ctx, accounts);
        ssh_keys::check(ctx, accounts);
    }
}
