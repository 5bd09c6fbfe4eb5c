//! When to retry and how long to wait: `Retry-After`, exponential backoff with jitter
//! (backon's schedule).

use std::time::{Duration, SystemTime};

use backon::{BackoffBuilder as _, ExponentialBackoff, ExponentialBuilder};

/// Statuses that mean "try again later": maintenance (409), rate limit (429), server and
/// proxy failures (500, 502, 503, 504).
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 409 | 429 | 500 | 502 | 503 | 504)
}

/// Parses a `Retry-After` value: delay seconds (integer or decimal, as TestRail sends) or an
/// HTTP-date. `None` when it is neither; a date in the past gives zero.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<f64>() {
        // Too large for a `Duration` reads as "very long"; the caller clamps it.
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// How long to wait after a 429: the header's delay (or `default` without a usable header),
/// never more than `cap`.
pub(crate) fn retry_after_wait(header: Option<&str>, default: Duration, cap: Duration) -> Duration {
    header
        .and_then(|v| parse_retry_after(v, SystemTime::now()))
        .unwrap_or(default)
        .min(cap)
}

/// The waits between retries (first retry first): exponential from `base`, doubling up to
/// `cap`, each a random point in the upper half of its step (`base/2..base`, then
/// `base..2·base`, ...) so that parallel clients spread out. Endless: the caller counts.
pub(crate) fn schedule(base: Duration, cap: Duration) -> ExponentialBackoff {
    // backon's jitter adds up to 100 % of the step: halving both bounds gives the upper half.
    ExponentialBuilder::default()
        .with_min_delay(base / 2)
        .with_max_delay(cap.max(base) / 2)
        .with_factor(2.0)
        .with_jitter()
        .without_max_times()
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_accepts_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("5", now), Some(Duration::from_secs(5)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("1.5", now),
            Some(Duration::from_millis(1500))
        );
        let in_ten = httpdate::fmt_http_date(now + Duration::from_secs(10));
        assert_eq!(
            parse_retry_after(&in_ten, now),
            Some(Duration::from_secs(10))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(10));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("1e300", now), Some(Duration::MAX));
        for junk in ["", "soon", "-3", "NaN", "inf", "1e400", "Sun, 99 Foo"] {
            assert_eq!(parse_retry_after(junk, now), None, "{junk:?}");
        }
    }

    #[test]
    fn retry_after_wait_defaults_and_clamps() {
        let default = Duration::from_secs(5);
        let cap = Duration::from_secs(60);
        assert_eq!(retry_after_wait(None, default, cap), default);
        assert_eq!(retry_after_wait(Some("junk"), default, cap), default);
        assert_eq!(
            retry_after_wait(Some("2"), default, cap),
            Duration::from_secs(2)
        );
        assert_eq!(retry_after_wait(Some("86400"), default, cap), cap);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(2);
        for _ in 0..100 {
            let waits: Vec<Duration> = schedule(base, cap).take(40).collect();
            let first = waits[0];
            assert!(first >= base / 2 && first <= base, "{first:?}");
            let third = waits[2];
            assert!(
                third >= Duration::from_millis(200) && third <= Duration::from_millis(400),
                "{third:?}"
            );
            let late = waits[39];
            assert!(late >= cap / 2 && late <= cap, "{late:?}");
        }
        assert_eq!(schedule(Duration::ZERO, cap).next(), Some(Duration::ZERO));
    }

    #[test]
    fn retryable_statuses() {
        for s in [409, 429, 500, 502, 503, 504] {
            assert!(is_retryable_status(s));
        }
        for s in [200, 400, 401, 403, 404, 413, 501] {
            assert!(!is_retryable_status(s));
        }
    }
}
