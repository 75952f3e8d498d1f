//! Shell wildcards in one file name, as glob(3) matches them: the include
//! patterns of sshd and web server configs.

/// glob(3) matching of one name: `*` and `?`; a leading dot must be matched
/// literally (sshd_config `Include`, web server `Include` and `include`).
pub fn wildcard(pattern: &[u8], name: &[u8]) -> bool {
    if name.first() == Some(&b'.') && pattern.first() != Some(&b'.') {
        return false;
    }
    // What is left of each; at the last `*`: the pattern after it and the name it
    // was tried against, to try one more character when a later match fails.
    let (mut p, mut n) = (pattern, name);
    let mut star: Option<(&[u8], &[u8])> = None;
    while let Some((&c, name_rest)) = n.split_first() {
        match p.split_first() {
            Some((&pc, pattern_rest)) if pc == b'?' || pc == c => {
                (p, n) = (pattern_rest, name_rest);
            }
            Some((b'*', pattern_rest)) => {
                star = Some((pattern_rest, n));
                p = pattern_rest;
            }
            _ => {
                let Some((after_star, tried)) = star else {
                    return false;
                };
                let tried = tried.get(1..).unwrap_or_default();
                star = Some((after_star, tried));
                (p, n) = (after_star, tried);
            }
        }
    }
    p.iter().all(|&c| c == b'*')
}
