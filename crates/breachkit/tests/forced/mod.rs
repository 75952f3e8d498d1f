//! A real failure forced from outside, with no test hook in the binary: breachkit
//! runs as an unused uid allowed one process (`prlimit --nproc=1`), so no thread
//! can be started and the engines' thread pools panic. Each test file passes its
//! own uid: the tests of different files run at once.

use std::os::unix::process::CommandExt;
use std::process::{Command, Output};

/// Runs breachkit with `args` as `uid` (a uid no process runs as) limited to one
/// process: itself, no threads. The case is a fresh directory that uid may write.
pub fn without_threads(uid: u32, args: &[&str]) -> Output {
    let case = tempfile::tempdir().unwrap();
    std::fs::set_permissions(
        case.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o777),
    )
    .unwrap();
    Command::new("prlimit")
        .args(["--nproc=1", "--", env!("CARGO_BIN_EXE_breachkit")])
        .args(["--case", case.path().to_str().unwrap()])
        .args(args)
        .env("NO_COLOR", "1")
        .uid(uid)
        .gid(uid)
        .output()
        .expect("prlimit (util-linux) runs breachkit")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
