//! Step 2, go offline and quarantine: an evidence backup of the files before anything
//! changes ([`backup`], [`verify`]), a maintenance page in front of every nginx and
//! apache site ([`maintenance`]), host isolation with an nftables table that rolls
//! itself back unless confirmed ([`firewall`]), and what is in force ([`status`]).
//!
//! Every host change is a [`breachkit_case::Change`]: planned, journalled in the case
//! with its undo data before it is made, rolled back when a later step fails, and
//! undone later from the case alone.

pub mod backup;
mod cidr;
mod error;
mod files;
pub mod firewall;
pub mod maintenance;
pub mod status;
mod tools;
pub mod verify;

pub use cidr::Cidr;
pub use error::QuarantineError;
pub use files::FileChange;

/// How long a duration string means: `90s`, `5m`, `1h`, or plain seconds.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration (like 90s, 5m, 1h)"))?;
    let per_unit: u64 = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => return Err(format!("{s:?}: unknown unit {unit:?} (use s, m or h)")),
    };
    let secs = n
        .checked_mul(per_unit)
        .ok_or_else(|| format!("{s:?} is too long a duration"))?;
    if secs == 0 {
        return Err("a duration must be more than 0".into());
    }
    Ok(std::time::Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations() {
        assert_eq!(super::parse_duration("5m").unwrap().as_secs(), 300);
        assert_eq!(super::parse_duration("3").unwrap().as_secs(), 3);
        assert_eq!(super::parse_duration("2h").unwrap().as_secs(), 7200);
        assert!(super::parse_duration("5x").is_err());
        assert!(super::parse_duration("0s").is_err());
        assert!(super::parse_duration("m").is_err());
        // It overflowed (a panic in a debug build, a wrong window in release).
        assert!(super::parse_duration("18446744073709551615h").is_err());
    }
}
