//! The external programs step 2 drives where they are the real interface (`nft`,
//! `nginx -t`, `apache2ctl configtest`): found in `PATH`, run with their output
//! captured so a failure says what the program said.

use crate::QuarantineError;
use std::path::PathBuf;
use std::process::Command;

/// `program` in `PATH`, if it is there.
pub(crate) fn find(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| {
            use std::os::unix::fs::PermissionsExt;
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// `program` in `PATH`, or an error that says how to get it.
pub(crate) fn require(
    program: &'static str,
    hint: &'static str,
) -> Result<PathBuf, QuarantineError> {
    find(program).ok_or(QuarantineError::MissingTool { program, hint })
}

/// Runs a command to completion; a non-zero exit is an error carrying its output.
pub(crate) fn run(cmd: &mut Command) -> Result<String, QuarantineError> {
    let shown = describe(cmd);
    let out = cmd.output().map_err(|e| QuarantineError::ToolFailed {
        command: shown.clone(),
        output: e.to_string(),
    })?;
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    if out.status.success() {
        Ok(text)
    } else {
        Err(QuarantineError::ToolFailed {
            command: shown,
            output: format!("{} ({})", text.trim(), out.status),
        })
    }
}

fn describe(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}
