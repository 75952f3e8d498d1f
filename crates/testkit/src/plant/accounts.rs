//! Planted artifacts for the `accounts` check: a second UID 0 with an empty password,
//! a web server account with a shell, NOPASSWD sudo and an SSH key, a forced command
//! that starts an implant before the shell, an `LD_PRELOAD` key option, a freshly
//! added key and a key file that is a symlink.

use crate::{Expect, FakeHost};

const KEY_IMPLANT: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ7tq3X9mV2cR8wLk4PzY6nB1sD0fH5gE2aQ9uT7yW3x";
const KEY_WEB: &str =
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7pX2yQ9kVn4mR8sT1wL6eF3dH0jK5gA2zC9bN7vM4xY1uI8oP";
const KEY_PRELOAD: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK3mN8bV5cX2zL9kJ4hG7fD1sA6pO0iU3yT8rE5wQ2eR";
const KEY_NEW: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE9wQ4rT7yU2iO5pA8sD1fG6hJ3kL0zX9cV4bN7mQ1aZ";

const WWW_DATA: &str = "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin";

pub fn plant(h: &FakeHost) -> Vec<Expect> {
    // The web server account gets a shell: its passwd line is rewritten in place.
    let passwd = std::fs::read_to_string(h.path("/etc/passwd")).expect("base /etc/passwd");
    assert!(passwd.contains(WWW_DATA), "base passwd has www-data");
    h.write(
        "/etc/passwd",
        passwd.replace(WWW_DATA, "www-data:x:33:33:www-data:/var/www:/bin/bash"),
    );
    // A second root, with no password at all.
    h.append("/etc/passwd", "toor:x:0:0:root:/root:/bin/bash\n");
    h.append("/etc/shadow", "toor::19950:0:99999:7:::\n");

    h.write(
        "/etc/sudoers.d/www-data",
        "www-data ALL=(ALL) NOPASSWD: ALL\n",
    );
    h.chmod("/etc/sudoers.d/www-data", 0o440);

    h.write(
        "/var/www/.ssh/authorized_keys",
        format!("{KEY_WEB} www-data@web01\n"),
    );
    h.append(
        "/root/.ssh/authorized_keys",
        format!("command=\"nohup /tmp/.x/agent >/dev/null 2>&1 & exec $SHELL\",no-X11-forwarding {KEY_IMPLANT} root@web01\n"),
    );
    h.append(
        "/home/admin/.ssh/authorized_keys",
        format!("environment=\"LD_PRELOAD=/tmp/x.so\" {KEY_PRELOAD} admin@desk\n"),
    );
    // Added today; the base ages its key files 150–200 days and dpkg's status 10.
    // `ssh.keys-recent` is low by design, so it is not among the expectations (which
    // must all reach medium); the accounts tests check it on this file.
    h.append(
        "/home/deploy/.ssh/authorized_keys",
        format!("{KEY_NEW} deploy@ci\n"),
    );
    h.symlink("/var/tmp/.k", "/var/lib/postgresql/.ssh/authorized_keys");

    vec![
        Expect::new("accounts.uid0-duplicate", "/etc/passwd"),
        Expect::new("accounts.empty-password", "/etc/shadow"),
        Expect::new("accounts.service-shell", "/etc/passwd"),
        Expect::new("accounts.sudo-nopasswd-service", "/etc/sudoers.d/www-data"),
        Expect::new("ssh.service-account-key", "/var/www/.ssh/authorized_keys"),
        Expect::new("ssh.forced-command", "/root/.ssh/authorized_keys"),
        Expect::new("ssh.key-environment", "/home/admin/.ssh/authorized_keys"),
        Expect::new(
            "ssh.keys-symlink",
            "/var/lib/postgresql/.ssh/authorized_keys",
        ),
    ]
}
