//! How busy a process has kept the CPU over its whole life: user plus system time
//! against the time since it started (both from `/proc/PID/stat`, in clock ticks,
//! with `/proc/uptime` for now).

use procfs::Current;

/// A process younger than this is not judged.
const MIN_AGE_SECS: f64 = 600.0;
/// Lifetime CPU use (percent of one core) from which a process counts as busy.
const MIN_PERCENT: f64 = 80.0;

/// The system clock the ticks are counted against.
#[derive(Debug, Clone, Copy)]
pub(super) struct Clock {
    pub uptime_secs: f64,
    pub ticks_per_sec: u64,
}

impl Clock {
    /// Now, from `/proc/uptime`.
    pub fn now() -> Result<Clock, procfs::ProcError> {
        Ok(Clock {
            uptime_secs: procfs::Uptime::current()?.uptime,
            ticks_per_sec: procfs::ticks_per_second(),
        })
    }

    /// Lifetime CPU use of a process, if it is old enough to judge.
    pub fn lifetime_use(&self, cpu_ticks: u64, start_ticks: u64) -> Option<CpuUse> {
        let hz = self.ticks_per_sec as f64;
        if hz <= 0.0 {
            return None;
        }
        let age_secs = self.uptime_secs - start_ticks as f64 / hz;
        (age_secs >= MIN_AGE_SECS).then(|| CpuUse {
            percent: 100.0 * cpu_ticks as f64 / hz / age_secs,
            age_secs,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct CpuUse {
    /// Percent of one core (above 100 for a busy multi-threaded process).
    pub percent: f64,
    pub age_secs: f64,
}

impl CpuUse {
    pub fn sustained(&self) -> bool {
        self.percent >= MIN_PERCENT
    }

    pub fn describe(&self) -> String {
        format!(
            "{:.0}% of a CPU on average over {:.0} minutes",
            self.percent,
            self.age_secs / 60.0
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetime_use_needs_ten_minutes_and_eighty_percent() {
        let clock = Clock {
            uptime_secs: 10_000.0,
            ticks_per_sec: 100,
        };
        // Started at 1000 s, 9000 s old, 8100 s of CPU: 90%.
        let busy = clock.lifetime_use(810_000, 100_000).unwrap();
        assert!((busy.percent - 90.0).abs() < 1e-9);
        assert!(busy.sustained());
        assert_eq!(busy.describe(), "90% of a CPU on average over 150 minutes");
        // 50%: not sustained.
        assert!(!clock.lifetime_use(450_000, 100_000).unwrap().sustained());
        // Five minutes old at 100%: too young to judge.
        assert_eq!(clock.lifetime_use(30_000, 970_000), None);
        let broken = Clock {
            ticks_per_sec: 0,
            ..clock
        };
        assert_eq!(broken.lifetime_use(1, 1), None);
    }

    #[test]
    fn the_clock_reads() {
        let clock = Clock::now().unwrap();
        assert!(clock.uptime_secs > 0.0 && clock.ticks_per_sec > 0);
    }
}
