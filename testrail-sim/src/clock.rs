//! The simulator's clock: real time, shifted or frozen through the control API, so
//! tests can move `updated_on` and `created_after` forward without sleeping.

use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

/// A settable clock in UNIX seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    /// Seconds added to the real time.
    pub offset: i64,
    /// When set, the clock stands still at this time.
    pub frozen: Option<i64>,
}

impl Clock {
    /// The current simulated time.
    pub fn now(&self) -> i64 {
        self.frozen
            .unwrap_or_else(|| real_now().saturating_add(self.offset))
    }

    /// Moves the clock forward (or back) by `secs`, frozen or not.
    pub fn advance(&mut self, secs: i64) {
        match &mut self.frozen {
            Some(t) => *t = t.saturating_add(secs),
            None => self.offset = self.offset.saturating_add(secs),
        }
    }

    /// Sets the current time to `t`, keeping the clock running (or frozen) as it is.
    pub fn set(&mut self, t: i64) {
        match &mut self.frozen {
            Some(f) => *f = t,
            None => self.offset = t.saturating_sub(real_now()),
        }
    }

    /// Freezes the clock at its current time, or lets it run again from there.
    pub fn freeze(&mut self, frozen: bool) {
        match (frozen, self.frozen) {
            (true, None) => self.frozen = Some(self.now()),
            (false, Some(t)) => {
                self.frozen = None;
                self.offset = t - real_now();
            }
            _ => {}
        }
    }
}

/// The real time in Unix seconds.
pub fn real_now() -> i64 {
    i64::try_from(testrail_formats::clock::now_ms() / 1000).unwrap_or(i64::MAX)
}

/// Formats a UNIX time as an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`), for the `Date`
/// header; times before 1970 are sent as the epoch.
pub fn http_date(t: i64) -> String {
    let secs = u64::try_from(t).unwrap_or(0);
    httpdate::fmt_http_date(UNIX_EPOCH + std::time::Duration::from_secs(secs))
}

/// Formats a UNIX time as `YYYY-MM-DD` (UTC), for default run names.
pub fn date(t: i64) -> String {
    let days = t.div_euclid(86400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_clock_moves_only_when_told() {
        let mut c = Clock::default();
        c.freeze(true);
        let t = c.now();
        c.advance(5);
        assert_eq!(c.now(), t + 5);
        c.set(1000);
        assert_eq!(c.now(), 1000);
    }

    #[test]
    fn http_dates() {
        assert_eq!(http_date(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(http_date(-5), "Thu, 01 Jan 1970 00:00:00 GMT");
    }

    #[test]
    fn dates() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_700_000_000), "2023-11-14");
    }
}
