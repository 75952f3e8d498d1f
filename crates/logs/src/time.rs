//! Turning the many timestamp shapes of logs into Unix seconds (UTC): local times
//! through the host's own time zone, explicit offsets honoured, and the year that
//! RFC 3164 syslog leaves out inferred from a reference time (the file's mtime,
//! capped by rotation order) so that December lines read in January land in the
//! year before.

use breachkit_host::Host;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use std::cell::Cell;

/// The largest `/etc/localtime` read (a TZif file is a few KiB).
const MAX_TZIF: u64 = 1 << 20;

/// The host's time zone: its `/etc/localtime` (TZif), or UTC when there is none (as
/// the C library does).
pub fn host_zone(host: &Host) -> TimeZone {
    let real = host.resolve("/etc/localtime");
    let host_path = host.host_path(&real);
    let Ok(content) = host.read(&host_path, MAX_TZIF) else {
        return TimeZone::UTC;
    };
    let name = host_path
        .to_string_lossy()
        .split("zoneinfo/")
        .nth(1)
        .map(str::to_string);
    TimeZone::tzif(name.as_deref().unwrap_or("localtime"), &content.bytes).unwrap_or(TimeZone::UTC)
}

/// Month number of an English three-letter abbreviation (any case).
pub fn month(abbr: &[u8]) -> Option<i8> {
    const NAMES: [&[u8; 3]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    let a: [u8; 3] = abbr.get(..3)?.try_into().ok()?;
    let lower = a.map(|b| b.to_ascii_lowercase());
    NAMES.iter().position(|n| **n == lower).map(|i| i as i8 + 1)
}

/// An unsigned decimal number of exactly `bytes.len()` digits.
pub fn digits(bytes: &[u8]) -> Option<i32> {
    if bytes.is_empty() || bytes.len() > 9 {
        return None;
    }
    bytes.iter().try_fold(0i32, |acc, b| {
        b.is_ascii_digit().then(|| acc * 10 + i32::from(b - b'0'))
    })
}

/// A local hour: year, month, day, hour.
type Hour = (i16, i8, i8, i8);

/// A clock turning local wall times into Unix seconds, caching the last hour (most
/// consecutive log lines fall in the same one).
#[derive(Debug)]
pub struct Clock {
    zone: TimeZone,
    /// The last local hour turned into Unix seconds.
    cache: Cell<Option<(Hour, i64)>>,
}

impl Clock {
    pub fn new(zone: TimeZone) -> Clock {
        Clock {
            zone,
            cache: Cell::new(None),
        }
    }

    pub fn zone(&self) -> &TimeZone {
        &self.zone
    }

    /// Unix seconds of a local wall time; `None` when it does not exist.
    pub fn local(&self, y: i32, mo: i32, d: i32, h: i32, mi: i32, s: i32) -> Option<i64> {
        if !(0..60).contains(&mi) || !(0..=60).contains(&s) {
            return None;
        }
        let key = (
            i16::try_from(y).ok()?,
            i8::try_from(mo).ok()?,
            i8::try_from(d).ok()?,
            i8::try_from(h).ok()?,
        );
        let base = match self.cache.get() {
            Some((k, base)) if k == key => base,
            _ => {
                let dt = DateTime::new(key.0, key.1, key.2, key.3, 0, 0, 0).ok()?;
                let base = self.zone.to_timestamp(dt).ok()?.as_second();
                self.cache.set(Some((key, base)));
                base
            }
        };
        Some(base + i64::from(mi) * 60 + i64::from(s.min(59)))
    }

    /// Unix seconds of a wall time at a fixed UTC offset in seconds.
    pub fn at_offset(y: i32, mo: i32, d: i32, h: i32, mi: i32, s: i32, offset: i32) -> Option<i64> {
        let dt = DateTime::new(
            i16::try_from(y).ok()?,
            i8::try_from(mo).ok()?,
            i8::try_from(d).ok()?,
            i8::try_from(h).ok()?,
            i8::try_from(mi).ok()?,
            i8::try_from(s.min(59)).ok()?,
            0,
        )
        .ok()?;
        let utc = TimeZone::UTC.to_timestamp(dt).ok()?.as_second();
        Some(utc - i64::from(offset))
    }
}

/// The year inference of RFC 3164 timestamps in one file: a line whose month and
/// day come after the reference's (a day of slack for clock skew) is from the year
/// before the reference's.
#[derive(Debug, Clone, Copy)]
pub struct YearGuess {
    year: i32,
    month: i32,
    day: i32,
}

impl YearGuess {
    /// `reference`: Unix seconds no line of the file is later than (its mtime,
    /// capped by the mtime of the next newer rotation).
    pub fn new(reference: i64, zone: &TimeZone) -> YearGuess {
        let dt = jiff::Timestamp::from_second(reference)
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
            .to_zoned(zone.clone())
            .datetime();
        YearGuess {
            year: i32::from(dt.year()),
            month: i32::from(dt.month()),
            day: i32::from(dt.day()),
        }
    }

    pub fn year(&self, month: i32, day: i32) -> i32 {
        if (month, day) > (self.month, self.day + 1) {
            self.year - 1
        } else {
            self.year
        }
    }
}

/// A UTC offset written `+0200`, `-07:00` or `Z`, in seconds.
pub fn offset(bytes: &[u8]) -> Option<i32> {
    if bytes == b"Z" || bytes == b"z" {
        return Some(0);
    }
    let (sign, rest) = match bytes.split_first()? {
        (b'+', rest) => (1, rest),
        (b'-', rest) => (-1, rest),
        _ => return None,
    };
    let (h, m) = match *rest {
        [h0, h1, m0, m1] | [h0, h1, b':', m0, m1] => (digits(&[h0, h1])?, digits(&[m0, m1])?),
        [h0, h1] => (digits(&[h0, h1])?, 0),
        _ => return None,
    };
    (h <= 23 && m <= 59).then_some(sign * (h * 3600 + m * 60))
}

/// An ISO 8601 / RFC 3339 timestamp at the start of `text`
/// (`2024-05-06T10:00:00.123+02:00`, `2024-05-06 10:00:00`): its Unix seconds and
/// its length. Without an offset it is local time.
pub fn iso8601(text: &[u8], clock: &Clock) -> Option<(i64, usize)> {
    // A fixed-size head: its fields are read at constant offsets.
    let (b, after) = text.split_first_chunk::<19>()?;
    if b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b'T' || b[10] == b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let y = digits(&b[..4])?;
    let mo = digits(&b[5..7])?;
    let d = digits(&b[8..10])?;
    let h = digits(&b[11..13])?;
    let mi = digits(&b[14..16])?;
    let s = digits(&b[17..19])?;
    let fraction = match after.split_first() {
        Some((b'.' | b',', rest)) => 1 + leading(rest, |b| b.is_ascii_digit()),
        _ => 0,
    };
    let zone = after.get(fraction..).unwrap_or_default();
    let zone_len = match zone.split_first() {
        Some((b'Z' | b'z', _)) => 1,
        Some((b'+' | b'-', rest)) => 1 + leading(rest, |b| b.is_ascii_digit() || b == b':'),
        _ => 0,
    };
    let secs = match zone.get(..zone_len) {
        Some(zone) if zone_len > 0 => Clock::at_offset(y, mo, d, h, mi, s, offset(zone)?)?,
        _ => clock.local(y, mo, d, h, mi, s)?,
    };
    Some((secs, b.len() + fraction + zone_len))
}

/// How many bytes at the start of `bytes` are `wanted`.
fn leading(bytes: &[u8], wanted: impl Fn(u8) -> bool) -> usize {
    bytes.iter().take_while(|b| wanted(**b)).count()
}

/// RFC 3339 text of Unix seconds (UTC), for output.
pub fn rfc3339(secs: i64) -> String {
    jiff::Timestamp::from_second(secs)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> i64 {
        s.parse::<jiff::Timestamp>().unwrap().as_second()
    }

    #[test]
    fn iso_with_and_without_offsets() {
        let clock = Clock::new(
            TimeZone::get("Europe/Paris").unwrap_or(TimeZone::fixed(jiff::tz::offset(2))),
        );
        let (t, n) = iso8601(b"2024-05-06T10:00:00.123456+02:00 host x", &clock).unwrap();
        assert_eq!((t, n), (utc("2024-05-06T08:00:00Z"), 32));
        assert_eq!(
            iso8601(b"2024-05-06T08:00:00Z", &clock).unwrap().0,
            utc("2024-05-06T08:00:00Z")
        );
        assert_eq!(
            iso8601(b"2024-05-06T03:00:00-05:00", &clock).unwrap().0,
            utc("2024-05-06T08:00:00Z")
        );
        // Local (Paris, summer time).
        assert_eq!(
            iso8601(b"2024-05-06 10:00:00 rest", &clock).unwrap().0,
            utc("2024-05-06T08:00:00Z")
        );
        assert!(iso8601(b"2024-13-06T10:00:00Z", &clock).is_none());
        assert!(iso8601(b"not a time at all....", &clock).is_none());
    }

    #[test]
    fn years_roll_back_across_new_year() {
        let g = YearGuess::new(utc("2025-01-02T10:00:00Z"), &TimeZone::UTC);
        assert_eq!(g.year(12, 31), 2024);
        assert_eq!(g.year(1, 2), 2025);
        assert_eq!(g.year(1, 3), 2025); // a day of slack
        assert_eq!(g.year(1, 5), 2024);
        assert_eq!(month(b"Dec"), Some(12));
        assert_eq!(month(b"xyz"), None);
        assert_eq!(offset(b"-0700"), Some(-25200));
        assert_eq!(offset(b"+05:30"), Some(19800));
    }
}
