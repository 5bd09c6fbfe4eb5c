//! Seeing what happened: the request log and the counters tests and benchmarks assert on.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// One API request as the simulator saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    /// Sequence number (1-based, in order of arrival).
    pub seq: u64,
    /// Arrival time, UNIX seconds with milliseconds.
    pub time: f64,
    /// HTTP method.
    pub method: String,
    /// API method name (e.g. `add_results_for_cases`), or the path for non-API requests.
    pub endpoint: String,
    /// The full route with parameters (e.g. `get_cases/1&suite_id=1`).
    pub route: String,
    /// HTTP status sent; 0 when the connection was dropped without an answer.
    pub status: u16,
    /// Request body size in bytes.
    pub body_size: u64,
    /// Response body size in bytes.
    pub response_size: u64,
    /// Requests in flight when this one arrived (itself included).
    pub in_flight: u64,
    /// Time from arrival to answer, in milliseconds.
    pub duration_ms: f64,
    /// Authenticated user's email, when authentication succeeded.
    pub user: Option<String>,
    /// Faults that fired for this request.
    pub faults: Vec<String>,
}

/// Aggregate counters since start (or the last reset).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counters {
    /// API requests received.
    pub requests: u64,
    /// Requests per endpoint.
    pub per_endpoint: BTreeMap<String, u64>,
    /// Answers per HTTP status (`"0"` = dropped connections).
    pub per_status: BTreeMap<String, u64>,
    /// Most requests that arrived within any 60-second span.
    pub peak_per_minute: u64,
    /// Most requests in flight at once.
    pub peak_in_flight: u64,
    /// Requests in flight now.
    pub in_flight: u64,
    /// 429 answers sent.
    pub rate_limited: u64,
    /// Connections dropped without an answer.
    pub dropped: u64,
}

/// Log and counters.
#[derive(Debug, Clone)]
pub struct Monitor {
    log: VecDeque<LogEntry>,
    capacity: usize,
    counters: Counters,
    recent: VecDeque<Instant>,
    seq: u64,
}

/// A request in progress, returned by [`Monitor::begin`].
#[derive(Debug, Clone)]
pub struct Pending {
    /// The log entry under construction.
    pub entry: LogEntry,
    started: Instant,
}

impl Monitor {
    /// A monitor keeping at most `capacity` log entries (the oldest go first).
    pub fn new(capacity: usize) -> Self {
        Monitor {
            log: VecDeque::new(),
            capacity,
            counters: Counters::default(),
            recent: VecDeque::new(),
            seq: 0,
        }
    }

    /// Records a request's arrival.
    pub fn begin(&mut self, method: &str, endpoint: &str, route: &str, body_size: u64) -> Pending {
        let now = Instant::now();
        self.seq += 1;
        let c = &mut self.counters;
        c.requests += 1;
        *c.per_endpoint.entry(endpoint.to_string()).or_insert(0) += 1;
        c.in_flight += 1;
        c.peak_in_flight = c.peak_in_flight.max(c.in_flight);
        self.recent.push_back(now);
        while self
            .recent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(60))
        {
            self.recent.pop_front();
        }
        c.peak_per_minute = c.peak_per_minute.max(self.recent.len() as u64);
        let time = testrail_formats::clock::now_ms() as f64 / 1000.0;
        Pending {
            entry: LogEntry {
                seq: self.seq,
                time: (time * 1000.0).round() / 1000.0,
                method: method.to_string(),
                endpoint: endpoint.to_string(),
                route: route.to_string(),
                status: 0,
                body_size,
                response_size: 0,
                in_flight: c.in_flight,
                duration_ms: 0.0,
                user: None,
                faults: Vec::new(),
            },
            started: now,
        }
    }

    /// Records a request's end (its status is 0 when the connection was dropped).
    pub fn end(&mut self, mut pending: Pending) {
        let c = &mut self.counters;
        c.in_flight = c.in_flight.saturating_sub(1);
        let e = &mut pending.entry;
        e.duration_ms = (pending.started.elapsed().as_secs_f64() * 1e6).round() / 1e3;
        *c.per_status.entry(e.status.to_string()).or_insert(0) += 1;
        if e.status == 429 {
            c.rate_limited += 1;
        }
        if e.status == 0 {
            c.dropped += 1;
        }
        if self.log.len() >= self.capacity {
            self.log.pop_front();
        }
        self.log.push_back(pending.entry);
    }

    /// The log, oldest first.
    pub fn log(&self) -> Vec<LogEntry> {
        self.log.iter().cloned().collect()
    }

    /// The counters.
    pub fn counters(&self) -> Counters {
        self.counters.clone()
    }

    /// Clears the log and the counters (requests in flight stay counted).
    pub fn clear(&mut self) {
        let in_flight = self.counters.in_flight;
        self.log.clear();
        self.recent.clear();
        self.counters = Counters {
            in_flight,
            ..Counters::default()
        };
    }
}
