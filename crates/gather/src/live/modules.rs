//! Loaded kernel modules (`/proc/modules`) and the hidden-module check: a module
//! whose directory in `/sys/module` has an `initstate` file (only loadable modules
//! have one; built-in ones do not) but which `/proc/modules` leaves out was removed
//! from the kernel's module list on purpose, the way rootkits such as Diamorphine
//! hide.

use super::LiveError;
use breachkit_finding::{Finding, Rule, Severity, Step, escape_bytes, escape_path};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// The most of `/proc/modules` that is read (a few hundred lines is usual).
const MAX_MODULES_BYTES: u64 = 4 << 20;

pub const HIDDEN_MODULE: Rule = Rule {
    id: "gather.hidden-module",
    step: Step::Gather,
    severity: Severity::High,
    title: "Kernel module hidden from the module list",
    explanation: "The kernel has this module loaded (it has a directory with an initstate \
        file under /sys/module) but leaves it out of /proc/modules, the list lsmod shows. \
        Only a module that unlinked itself from the kernel's list does that: it is how \
        kernel rootkits hide, and such a rootkit can hide processes, files and connections \
        from every tool on the host.",
    mitre: Some("T1014"),
    next_step: "Do not reboot yet: capture the memory first (LiME or AVML) for analysis. \
        Then treat the host as fully compromised: rebuild it from known-good media instead of \
        cleaning it, and look for how the attacker got root.",
};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Module {
    pub name: String,
    pub size: u64,
    /// The reference count (`-` when the kernel cannot unload modules).
    pub refcount: String,
    /// The modules that use this one.
    pub used_by: Vec<String>,
    /// `Live`, `Loading` or `Unloading`.
    pub state: String,
    /// Taint letters (`(OE)`), when any.
    pub taint: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Modules {
    /// False when the kernel has no loadable-module support (no `/proc/modules`).
    pub supported: bool,
    pub modules: Vec<Module>,
    /// `gather.hidden-module` findings.
    pub hidden: Vec<Finding>,
}

/// `name size refcount used-by state address [taint]`.
pub(super) fn parse_modules(text: &[u8]) -> Vec<Module> {
    text.split(|&b| b == b'\n')
        .filter_map(|line| {
            let f: Vec<&[u8]> = line
                .split(|&b| b == b' ')
                .filter(|x| !x.is_empty())
                .collect();
            let used_by = f.get(3)?;
            Some(Module {
                name: escape_bytes(f.first()?),
                size: std::str::from_utf8(f.get(1)?).ok()?.parse().ok()?,
                refcount: escape_bytes(f.get(2)?),
                used_by: used_by
                    .split(|&b| b == b',')
                    .filter(|m| !m.is_empty() && *m != b"-")
                    .map(escape_bytes)
                    .collect(),
                state: escape_bytes(f.get(4)?),
                taint: f.get(6).map(|t| escape_bytes(t)),
            })
        })
        .collect()
}

/// The module list, or `None` when the file does not exist (no module support).
fn read_list(proc_modules: &Path) -> Result<Option<Vec<Module>>, LiveError> {
    let mut bytes = Vec::new();
    match std::fs::File::open(proc_modules)
        .and_then(|f| f.take(MAX_MODULES_BYTES).read_to_end(&mut bytes))
    {
        Ok(_) => Ok(Some(parse_modules(&bytes))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(LiveError::io(escape_path(proc_modules), e)),
    }
}

fn listed_names(proc_modules: &Path) -> Result<BTreeSet<String>, LiveError> {
    Ok(read_list(proc_modules)?
        .unwrap_or_default()
        .into_iter()
        .map(|m| m.name)
        .collect())
}

/// The modules in `sys_module` that are loadable (have an `initstate` file), with
/// what the file says (`live`, `coming`, `going`).
fn loadable_in_sys(sys_module: &Path) -> Result<Vec<(String, String)>, LiveError> {
    let shown = escape_path(sys_module);
    let mut found = Vec::new();
    for entry in std::fs::read_dir(sys_module).map_err(|e| LiveError::io(shown.clone(), e))? {
        let entry = entry.map_err(|e| LiveError::io(shown.clone(), e))?;
        let initstate = entry.path().join("initstate");
        let mut state = Vec::new();
        match std::fs::File::open(&initstate).and_then(|f| f.take(64).read_to_end(&mut state)) {
            Ok(_) => found.push((
                escape_bytes(entry.file_name().as_bytes()),
                escape_bytes(state.trim_ascii()),
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(LiveError::io(escape_path(&initstate), e)),
        }
    }
    found.sort();
    Ok(found)
}

/// Compares the module list `proc_modules` with the module directory `sys_module`:
/// one `gather.hidden-module` finding for each loadable module in the directory
/// that the list leaves out. The list is read again before a module is reported, so
/// one loaded or unloaded meanwhile is not.
pub fn hidden_modules(proc_modules: &Path, sys_module: &Path) -> Result<Vec<Finding>, LiveError> {
    let listed = listed_names(proc_modules)?;
    let missing: Vec<(String, String)> = loadable_in_sys(sys_module)?
        .into_iter()
        .filter(|(name, _)| !listed.contains(name))
        .collect();
    if missing.is_empty() {
        return Ok(Vec::new());
    }
    let listed = listed_names(proc_modules)?;
    let list_shown = escape_path(proc_modules);
    Ok(missing
        .into_iter()
        .filter(|(name, _)| !listed.contains(name))
        .map(|(name, state)| {
            let dir = format!("{}/{name}", escape_path(sys_module));
            HIDDEN_MODULE.finding().path(dir.clone()).evidence(format!(
                "{dir}/initstate: {state}; {name} is not in {list_shown}"
            ))
        })
        .collect())
}

/// The module list at `proc_modules` and the hidden-module check against
/// `sys_module`.
pub fn modules_at(proc_modules: &Path, sys_module: &Path) -> Result<Modules, LiveError> {
    let list = read_list(proc_modules)?;
    Ok(Modules {
        supported: list.is_some(),
        modules: list.unwrap_or_default(),
        hidden: hidden_modules(proc_modules, sys_module)?,
    })
}

/// The running kernel's modules (`/proc/modules`, `/sys/module`).
pub fn modules() -> Result<Modules, LiveError> {
    modules_at(Path::new("/proc/modules"), Path::new("/sys/module"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_lines_parse() {
        let text = b"nf_tables 348160 3 nft_chain_nat,nft_ct, Live 0x0000000000000000\n\
evil 16384 0 - Live 0xffffffffc0a00000 (OE)\n";
        let m = parse_modules(text);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].used_by, vec!["nft_chain_nat", "nft_ct"]);
        assert_eq!(m[0].taint, None);
        assert!(m[1].used_by.is_empty());
        assert_eq!(m[1].taint.as_deref(), Some("(OE)"));
        assert_eq!(m[1].state, "Live");
    }
}
