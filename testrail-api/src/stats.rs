//! Counters of what the client did, for benchmarks and the exporter's summary.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A snapshot of a client's counters (shared by all its clones).
///
/// ```
/// use testrail_api::ClientStats;
///
/// let stats = ClientStats::default();
/// assert_eq!(stats.requests_sent, 0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientStats {
    /// HTTP requests sent, retries included.
    pub requests_sent: u64,
    /// Requests sent again after a retryable failure.
    pub retries: u64,
    /// HTTP 429 answers received.
    pub rate_limited: u64,
    /// Time spent waiting before retries (`Retry-After` and backoff), summed over requests.
    pub retry_wait: Duration,
    /// Time spent waiting for the client-side rate limit and in-flight bound.
    pub limiter_wait: Duration,
    /// The most requests that were in flight at once.
    pub peak_in_flight: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    requests_sent: AtomicU64,
    retries: AtomicU64,
    rate_limited: AtomicU64,
    retry_wait_nanos: AtomicU64,
    limiter_wait_nanos: AtomicU64,
    in_flight: AtomicU64,
    peak_in_flight: AtomicU64,
}

/// Marks one request as in flight until dropped.
pub(crate) struct InFlight<'a>(&'a Counters);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl Counters {
    pub(crate) fn sending(&self) -> InFlight<'_> {
        self.requests_sent.fetch_add(1, Ordering::Relaxed);
        let now = self.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak_in_flight.fetch_max(now, Ordering::Relaxed);
        InFlight(self)
    }

    pub(crate) fn retried(&self, waited: Duration) {
        self.retries.fetch_add(1, Ordering::Relaxed);
        self.retry_wait_nanos
            .fetch_add(nanos(waited), Ordering::Relaxed);
    }

    pub(crate) fn rate_limited(&self) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn limiter_waited(&self, waited: Duration) {
        self.limiter_wait_nanos
            .fetch_add(nanos(waited), Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> ClientStats {
        ClientStats {
            requests_sent: self.requests_sent.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            retry_wait: Duration::from_nanos(self.retry_wait_nanos.load(Ordering::Relaxed)),
            limiter_wait: Duration::from_nanos(self.limiter_wait_nanos.load(Ordering::Relaxed)),
            peak_in_flight: self.peak_in_flight.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_tracks_the_peak() {
        let c = Counters::default();
        let a = c.sending();
        let b = c.sending();
        drop(a);
        drop(b);
        drop(c.sending());
        c.retried(Duration::from_millis(5));
        c.rate_limited();
        c.limiter_waited(Duration::from_millis(7));
        assert_eq!(
            c.snapshot(),
            ClientStats {
                requests_sent: 3,
                retries: 1,
                rate_limited: 1,
                retry_wait: Duration::from_millis(5),
                limiter_wait: Duration::from_millis(7),
                peak_in_flight: 2,
            }
        );
    }
}
