//! Durations as TestRail timespans (the `elapsed` field of a result).

use std::time::Duration;

/// How to write an `elapsed` value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ElapsedFormat {
    /// Whole seconds, rounded, at least `1s`, as `"1h 2m 5s"` without zero parts. Every
    /// TestRail accepts this; `"0s"` and fractions are refused by default.
    #[default]
    WholeSeconds,
    /// Decimal seconds with three places, at least `"0.001s"`, e.g. `"0.005s"`. Only for
    /// instances with millisecond tracking enabled (like trcli's `--allow-ms`).
    Milliseconds,
}

/// Formats a duration as a TestRail timespan.
///
/// ```
/// use std::time::Duration;
/// use testrail_api::{format_elapsed, ElapsedFormat};
///
/// assert_eq!(format_elapsed(Duration::from_secs(65), ElapsedFormat::WholeSeconds), "1m 5s");
/// assert_eq!(format_elapsed(Duration::ZERO, ElapsedFormat::WholeSeconds), "1s");
/// assert_eq!(format_elapsed(Duration::from_millis(5), ElapsedFormat::Milliseconds), "0.005s");
/// ```
pub fn format_elapsed(duration: Duration, format: ElapsedFormat) -> String {
    match format {
        ElapsedFormat::WholeSeconds => {
            let secs = (duration.as_millis().saturating_add(500) / 1000).max(1);
            let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
            [(h, "h"), (m, "m"), (s, "s")]
                .iter()
                .filter(|(n, _)| *n > 0)
                .map(|(n, unit)| format!("{n}{unit}"))
                .collect::<Vec<_>>()
                .join(" ")
        }
        ElapsedFormat::Milliseconds => {
            let millis = (duration.as_micros().saturating_add(500) / 1000).max(1);
            format!("{}.{:03}s", millis / 1000, millis % 1000)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(ms: u64) -> String {
        format_elapsed(Duration::from_millis(ms), ElapsedFormat::WholeSeconds)
    }

    fn milli(us: u64) -> String {
        format_elapsed(Duration::from_micros(us), ElapsedFormat::Milliseconds)
    }

    #[test]
    fn whole_seconds_are_rounded_and_never_zero() {
        assert_eq!(whole(0), "1s");
        assert_eq!(whole(1), "1s");
        assert_eq!(whole(1499), "1s");
        assert_eq!(whole(1500), "2s");
        assert_eq!(whole(59_000), "59s");
        assert_eq!(whole(60_000), "1m");
        assert_eq!(whole(65_000), "1m 5s");
        assert_eq!(whole(3_600_000), "1h");
        assert_eq!(whole(3_605_000), "1h 5s");
        assert_eq!(whole(3_725_000), "1h 2m 5s");
        assert_eq!(whole(100 * 3_600_000), "100h");
        assert!(!format_elapsed(Duration::MAX, ElapsedFormat::WholeSeconds).is_empty());
    }

    #[test]
    fn milliseconds_have_three_places() {
        assert_eq!(milli(0), "0.001s");
        assert_eq!(milli(5_000), "0.005s");
        assert_eq!(milli(5_499), "0.005s");
        assert_eq!(milli(10_001_000), "10.001s");
        assert_eq!(milli(65_000_000), "65.000s");
        assert_eq!(ElapsedFormat::default(), ElapsedFormat::WholeSeconds);
    }
}
