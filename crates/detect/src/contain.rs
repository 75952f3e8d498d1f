//! Containing a panic. A panic in breachkit is a bug met on some host data the code
//! was not written for; it must cost the piece of work that met it (a check, a
//! source, a file), never the whole command. [`contain`] runs one such piece and
//! turns a panic into a [`Failure`] naming it: the work's results are missing, the
//! rest of the command goes on, and the binary reports every failure as an error
//! (exit code 2) after the results it could gather.
//!
//! [`install_hook`] is for the binary, once, at start: inside contained work the
//! default panic message (and its backtrace note) gives way to the failure's own
//! report, which carries the panic's message and source location; and every panic
//! is counted ([`panics`]), also those caught elsewhere (the scanner contains each
//! file itself), so none goes unreported.
//!
//! This helper serves the checks and every command of the binary. The engines
//! below `detect` (`mail`, `logs`, `scan`) cannot use it from here; it belongs in a
//! crate they all depend on once they contain per file themselves.

use breachkit_finding::Warning;
use std::any::Any;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A piece of work that panicked: its results are missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The work: `check mail`, `scanning /var/www/html/x.php`.
    pub what: String,
    /// The panic's message, and where in breachkit's code it happened when known.
    pub cause: String,
}

impl Failure {
    /// The failure of `what` from a panic's payload (its message; the location too
    /// when the hook saw the panic on this thread).
    pub fn of_panic(what: impl Into<String>, payload: &(dyn Any + Send)) -> Failure {
        let cause = LAST
            .try_with(RefCell::take)
            .ok()
            .flatten()
            .unwrap_or_else(|| message(payload));
        Failure {
            what: what.into(),
            cause,
        }
    }

    /// The failure as a warning of the report it is missing from.
    pub fn warning(&self) -> Warning {
        Warning {
            path: None,
            message: self.to_string(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed internally (a bug in breachkit: {}); its results are missing",
            self.what, self.cause
        )
    }
}

thread_local! {
    /// How many [`contain`] calls this thread is inside.
    static DEPTH: Cell<usize> = const { Cell::new(0) };
    /// The last panic seen by the hook on this thread inside contained work.
    static LAST: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Every panic the hook saw.
static PANICS: AtomicUsize = AtomicUsize::new(0);

/// Runs `work`; a panic in it (or in threads it waits for) becomes a [`Failure`]
/// of `what`.
pub fn contain<T>(what: impl Into<String>, work: impl FnOnce() -> T) -> Result<T, Failure> {
    let _ = LAST.try_with(RefCell::take);
    let _ = DEPTH.try_with(|d| d.set(d.get().saturating_add(1)));
    // Unwind safety: on a panic the work's state is dropped with its results
    // (callers keep nothing it was filling but what they replace).
    let outcome = panic::catch_unwind(AssertUnwindSafe(work));
    let _ = DEPTH.try_with(|d| d.set(d.get().saturating_sub(1)));
    match outcome {
        Ok(value) => {
            let _ = LAST.try_with(RefCell::take);
            Ok(value)
        }
        Err(payload) => Err(Failure::of_panic(what, &*payload)),
    }
}

/// Installs the panic hook described in the module comment (the binary calls it
/// once; outside contained work panics print as before).
pub fn install_hook() {
    let default = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::Relaxed);
        if DEPTH.try_with(Cell::get).unwrap_or(0) == 0 {
            default(info);
            return;
        }
        let mut cause = message(info.payload());
        if let Some(at) = info.location() {
            cause.push_str(&format!(" at {}:{}", at.file(), at.line()));
        }
        let _ = LAST.try_with(|last| last.replace(Some(cause)));
    }));
}

/// How many panics happened since [`install_hook`], contained or not.
pub fn panics() -> usize {
    PANICS.load(Ordering::Relaxed)
}

/// The message of a panic payload (`panic!` gives a `&str` or a `String`).
fn message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_failure_naming_the_work() {
        let slice: &[u8] = b"From";
        let failure = contain("reading /var/mail/www-data", || slice[5..].len()).unwrap_err();
        assert_eq!(failure.what, "reading /var/mail/www-data");
        assert!(failure.cause.contains("out of range"), "{failure}");
        let shown = failure.to_string();
        assert!(shown.contains("failed internally"), "{shown}");
        assert!(shown.contains("results are missing"), "{shown}");
        assert_eq!(failure.warning().message, shown);
    }

    #[test]
    fn work_that_finishes_gives_its_value() {
        assert_eq!(contain("adding", || 1 + 1), Ok(2));
    }

    #[test]
    fn messages_of_every_payload() {
        let formatted = contain("x", || panic!("bad {}", 7)).unwrap_err();
        assert!(formatted.cause.starts_with("bad 7"), "{formatted}");
        let other = contain("x", || std::panic::panic_any(42_u8)).unwrap_err();
        assert!(other.cause.contains("without a message"), "{other}");
    }

    #[test]
    fn a_panic_in_a_thread_the_work_waits_for_is_contained() {
        let failure = contain("a parallel pass", || {
            std::thread::scope(|s| {
                s.spawn(|| panic!("in a worker"));
            })
        })
        .unwrap_err();
        assert_eq!(failure.what, "a parallel pass");
    }

    #[test]
    fn the_hook_adds_where_and_counts() {
        install_hook();
        let before = panics();
        let failure = contain("x", || panic!("here")).unwrap_err();
        assert!(failure.cause.starts_with("here at "), "{failure}");
        assert!(failure.cause.contains("contain.rs:"), "{failure}");
        assert!(panics() > before);
    }
}
