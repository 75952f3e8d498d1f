//! The planted artifacts, one module per check; each returns what must be found.

mod accounts;
mod history;
mod persistence;
mod php;

use crate::{Expect, FakeHost};

pub fn all(h: &FakeHost) -> Vec<Expect> {
    let mut e = Vec::new();
    e.extend(history::plant(h));
    e.extend(persistence::plant(h));
    e.extend(accounts::plant(h));
    e.extend(php::plant(h));
    e
}
