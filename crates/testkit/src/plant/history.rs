//! Planted artifacts for the `history` check.

use crate::{Expect, FakeHost};

pub fn plant(_h: &FakeHost) -> Vec<Expect> {
    Vec::new()
}
