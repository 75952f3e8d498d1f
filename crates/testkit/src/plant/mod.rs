//! The planted artifacts, one module per check; each returns what must be found.

mod accounts;
mod files;
mod history;
pub mod logs;
pub mod mail;
mod persistence;
mod php;

use crate::{Expect, FakeHost};

pub fn all(h: &FakeHost) -> Vec<Expect> {
    let mut e = Vec::new();
    e.extend(history::plant(h));
    e.extend(persistence::plant(h));
    e.extend(accounts::plant(h));
    e.extend(php::plant(h));
    e.extend(files::plant(h));
    e.extend(logs::plant(h));
    e.extend(mail::plant(h));
    e
}
