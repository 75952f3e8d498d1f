//! The usual response sizes of one web path, in bounded memory whatever the log's
//! length: how many ordinary answers the path gave and a uniform sample of at most
//! [`SAMPLE`] of their sizes (reservoir sampling with a fixed, deterministic
//! sequence, so a run is repeatable). The usual range is read from the sample
//! (5th to 95th percentile: a few odd answers, an export or an empty error page,
//! do not widen it), and a size is judged against that range widened by a margin.

/// Sizes sampled per path.
pub const SAMPLE: usize = 32;

/// The ordinary answers of one path.
#[derive(Debug, Default, Clone)]
pub struct Sizes {
    count: u64,
    sample: Vec<u32>,
}

impl Sizes {
    /// Adds one ordinary answer's size (sizes of 4 GiB and more count as 4 GiB).
    pub fn add(&mut self, size: u64) {
        let v = u32::try_from(size).unwrap_or(u32::MAX);
        self.count += 1;
        if self.sample.len() < SAMPLE {
            self.sample.push(v);
            return;
        }
        // Algorithm R: the n-th answer replaces a kept one with probability SAMPLE/n.
        let j = splitmix(self.count) % self.count;
        if let Ok(j) = usize::try_from(j)
            && let Some(slot) = self.sample.get_mut(j)
        {
            *slot = v;
        }
    }

    /// The usual range of the answers seen.
    pub fn usual(&self) -> Option<Usual> {
        let mut s = self.sample.clone();
        s.sort_unstable();
        // 5% of the answers at each end, rounded (1 of 10, 2 of 32).
        let trim = (s.len() + 10) / 20;
        let lo = *s.get(trim)?;
        let hi = *s.get(s.len().checked_sub(trim + 1)?)?;
        Some(Usual {
            lo: u64::from(lo),
            hi: u64::from(hi),
            count: self.count,
        })
    }

    #[cfg(test)]
    pub fn kept(&self) -> usize {
        self.sample.len()
    }
}

/// The usual sizes of a path: the range most of its `count` ordinary answers fall in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usual {
    pub lo: u64,
    pub hi: u64,
    pub count: u64,
}

impl Usual {
    /// How far `size` lies outside the range widened by `margin` bytes on each
    /// side, in margins; `None` when it is inside.
    pub fn beyond(&self, size: u64, margin: u64) -> Option<f64> {
        let out = if size > self.hi.saturating_add(margin) {
            size - self.hi.saturating_add(margin)
        } else if size.saturating_add(margin) < self.lo {
            self.lo - size.saturating_add(margin)
        } else {
            return None;
        };
        Some(out as f64 / margin.max(1) as f64)
    }
}

/// A fixed pseudo-random sequence (SplitMix64), indexed by the answer's number.
fn splitmix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_usual_range_ignores_a_few_odd_answers_and_stays_small() {
        let mut s = Sizes::default();
        assert_eq!(s.usual(), None);
        for i in 0..10_000u64 {
            // Ordinary pages of 5,000–5,400 bytes, one export of 2 MB and one
            // empty answer in every hundred.
            let size = match i % 100 {
                17 => 2_000_000,
                58 => 0,
                _ => 5_000 + (i * 37) % 400,
            };
            s.add(size);
        }
        assert_eq!(s.kept(), SAMPLE);
        let u = s.usual().unwrap();
        assert_eq!(u.count, 10_000);
        assert!(u.lo >= 5_000 && u.hi < 5_400, "{u:?}");
        assert_eq!(u.beyond(5_200, 256), None);
        assert_eq!(u.beyond(u.hi + 256, 256), None);
        assert!(u.beyond(u.hi + 257, 256).is_some());
        assert!(u.beyond(48_000, 256).unwrap() > 100.0);
        assert!(u.beyond(900, 256).is_some());
        assert!(u.beyond(0, 0).is_some());
    }

    #[test]
    fn few_answers_are_kept_exactly() {
        let mut s = Sizes::default();
        for size in [700, 712, 705] {
            s.add(size);
        }
        assert_eq!(
            s.usual(),
            Some(Usual {
                lo: 700,
                hi: 712,
                count: 3
            })
        );
        s.add(u64::MAX);
        assert_eq!(s.usual().map(|u| u.hi), Some(u64::from(u32::MAX)));
    }
}
