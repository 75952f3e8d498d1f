//! Planted artifacts for the `persistence` check.

use crate::{Expect, FakeHost};

pub fn plant(_h: &FakeHost) -> Vec<Expect> {
    Vec::new()
}
