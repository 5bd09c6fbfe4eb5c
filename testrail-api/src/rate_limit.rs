//! Keeping the client under TestRail's rate limit and bounding requests in flight.
//!
//! The rate limit is a sliding window: a request may start only while fewer than
//! `max_requests` requests are in flight or finished within the last `window`. A request's
//! slot is stamped when its answer arrives, which is after TestRail counted it, so even with
//! network jitter TestRail never sees more than `max_requests` in any window of that length.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{Notify, Semaphore, SemaphorePermit};
use tokio::time::Instant;

/// At most `max_requests` requests in any `window`.
///
/// ```
/// use std::time::Duration;
/// use testrail_api::RateLimit;
///
/// assert_eq!(
///     RateLimit::per_minute(180),
///     RateLimit { max_requests: 180, window: Duration::from_secs(60) },
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window (at least 1).
    pub max_requests: u32,
    /// The window length (not zero).
    pub window: Duration,
}

impl RateLimit {
    /// `n` requests per minute, the unit TestRail Cloud states its limits in (180 on
    /// Professional, 300 on Enterprise).
    pub const fn per_minute(n: u32) -> Self {
        Self {
            max_requests: n,
            window: Duration::from_secs(60),
        }
    }
}

/// The in-flight bound and the optional rate limit, shared by all clones of a client.
#[derive(Debug)]
pub(crate) struct Limiter {
    in_flight: Semaphore,
    window: Option<SlidingWindow>,
}

/// Permission to send one request; dropping it releases the slot.
pub(crate) struct Slot<'a> {
    _permit: SemaphorePermit<'a>,
    window: Option<&'a SlidingWindow>,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if let Some(window) = self.window {
            window.release();
        }
    }
}

impl Limiter {
    /// `max_in_flight` must be at least 1 (checked by the client's configuration).
    pub(crate) fn new(max_in_flight: usize, rate_limit: Option<RateLimit>) -> Self {
        Self {
            in_flight: Semaphore::new(max_in_flight),
            window: rate_limit.map(SlidingWindow::new),
        }
    }

    /// Waits for a free in-flight place, then for room in the rate-limit window.
    pub(crate) async fn acquire(&self) -> Slot<'_> {
        let permit = self
            .in_flight
            .acquire()
            .await
            .expect("the in-flight semaphore is never closed");
        if let Some(window) = &self.window {
            window.acquire().await;
        }
        Slot {
            _permit: permit,
            window: self.window.as_ref(),
        }
    }
}

#[derive(Debug)]
struct SlidingWindow {
    limit: RateLimit,
    state: Mutex<WindowState>,
    released: Notify,
}

#[derive(Debug, Default)]
struct WindowState {
    /// Requests started and not yet answered.
    in_flight: usize,
    /// When recent requests were answered, oldest first.
    finished: VecDeque<Instant>,
}

impl SlidingWindow {
    fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            state: Mutex::new(WindowState::default()),
            released: Notify::new(),
        }
    }

    async fn acquire(&self) {
        let max = usize::try_from(self.limit.max_requests).unwrap_or(usize::MAX);
        loop {
            // Created before looking, so a release in between still wakes us.
            let released = self.released.notified();
            let free_at = {
                let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
                let now = Instant::now();
                while state
                    .finished
                    .front()
                    .is_some_and(|t| *t + self.limit.window <= now)
                {
                    state.finished.pop_front();
                }
                if state.in_flight + state.finished.len() < max {
                    state.in_flight += 1;
                    return;
                }
                state.finished.front().map(|t| *t + self.limit.window)
            };
            match free_at {
                Some(at) => {
                    let _ = tokio::time::timeout_at(at, released).await;
                }
                None => released.await,
            }
        }
    }

    fn release(&self) {
        {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            state.in_flight = state.in_flight.saturating_sub(1);
            state.finished.push_back(Instant::now());
        }
        self.released.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn window_spaces_bursts() {
        let limiter = Limiter::new(
            10,
            Some(RateLimit {
                max_requests: 3,
                window: Duration::from_secs(10),
            }),
        );
        let start = Instant::now();
        for _ in 0..3 {
            drop(limiter.acquire().await);
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        drop(limiter.acquire().await);
        assert_eq!(start.elapsed(), Duration::from_secs(10));
        drop(limiter.acquire().await);
        drop(limiter.acquire().await);
        assert_eq!(start.elapsed(), Duration::from_secs(10));
        drop(limiter.acquire().await);
        assert_eq!(start.elapsed(), Duration::from_secs(20));
    }

    #[tokio::test(start_paused = true)]
    async fn slots_are_stamped_when_released() {
        let limiter = Limiter::new(
            10,
            Some(RateLimit {
                max_requests: 1,
                window: Duration::from_secs(10),
            }),
        );
        let start = Instant::now();
        let slot = limiter.acquire().await;
        tokio::time::sleep(Duration::from_secs(4)).await;
        drop(slot);
        drop(limiter.acquire().await);
        assert_eq!(start.elapsed(), Duration::from_secs(14));
    }

    #[tokio::test(start_paused = true)]
    async fn in_flight_is_bounded() {
        let limiter = std::sync::Arc::new(Limiter::new(2, None));
        let a = limiter.acquire().await;
        let _b = limiter.acquire().await;
        let waiter = {
            let limiter = limiter.clone();
            tokio::spawn(async move {
                drop(limiter.acquire().await);
            })
        };
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(!waiter.is_finished());
        drop(a);
        waiter.await.unwrap();
    }
}
