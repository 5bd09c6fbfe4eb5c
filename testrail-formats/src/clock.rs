//! Wall-clock times as the files store them: whole milliseconds since the Unix epoch (UTC).
//!
//! One reading of the clock for every crate of the workspace, so that a spool file's times,
//! a journal's send times and the export's waits agree on the unit.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch now; 0 if the system clock is set before 1970.
pub fn now_ms() -> u64 {
    ms_of(SystemTime::now()).unwrap_or(0)
}

/// Milliseconds since the Unix epoch of `time` (a file's modification time, for example);
/// `None` for a time before 1970. Saturates at `u64::MAX` (some 584 million years on).
pub fn ms_of(time: SystemTime) -> Option<u64> {
    let elapsed = time.duration_since(UNIX_EPOCH).ok()?;
    Some(u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn times_are_whole_milliseconds_since_the_epoch() {
        assert_eq!(ms_of(UNIX_EPOCH), Some(0));
        assert_eq!(
            ms_of(UNIX_EPOCH + Duration::from_micros(1_700_000_000_123_999)),
            Some(1_700_000_000_123)
        );
        assert_eq!(ms_of(UNIX_EPOCH - Duration::from_secs(1)), None);
        // After this file was written (2026), and not in the far future.
        let now = now_ms();
        assert!(now > 1_790_000_000_000 && now < 10_000_000_000_000, "{now}");
    }
}
