//! A local, stateful TestRail API v2 server with fault injection.
//!
//! It serves TestRail's URL form (`/index.php?/api/v2/<method>/<ids>&k=v`) with Basic
//! auth, TestRail's JSON shapes, pagination envelope, rules and error texts, keeps its
//! state in memory (optionally persisted), and injects faults on demand: latency, rate
//! limits, 429s, 5xx bursts, maintenance, dropped connections, hangs, login pages, 413s,
//! revoked credentials. A control API under `/__sim/` shows the request log, counters and
//! state, and changes faults, clock and state. Read-only web pages ([`pages`]) show runs,
//! plans, suites and cases at TestRail's addresses (`index.php?/runs/view/N`).
//!
//! ```no_run
//! # async fn demo() -> Result<(), testrail_sim::SimError> {
//! use testrail_sim::{FaultKind, FaultRule, Fixture, Simulator};
//!
//! let sim = Simulator::start(Fixture::demo()).await?;
//! sim.add_fault(FaultRule::new(FaultKind::ServerError { status: 502, html: true })
//!     .on("add_results_for_cases")
//!     .times(2));
//! // ... point a client at sim.base_url() with sim.email() / sim.api_key() ...
//! assert_eq!(sim.counters().rate_limited, 0);
//! # Ok(()) }
//! ```
//!
//! For plain `#[test]`s, [`Simulator::spawn`] runs it on its own thread instead.

#![warn(missing_docs)]

pub mod api;
pub mod app;
pub mod auth;
pub mod clock;
pub mod control;
pub mod error;
pub mod faults;
pub mod fixture;
pub mod generator;
pub mod model;
pub mod monitor;
pub mod pages;
pub mod pagination;
pub mod pipeline;
pub mod render;
pub mod reply;
pub mod route;
pub mod server;
pub mod state;
pub mod timespan;

pub use app::Credentials;
pub use faults::{ActiveFault, FaultKind, FaultRule};
pub use fixture::Fixture;
pub use generator::{GenOptions, generate};
pub use model::Role;
pub use monitor::{Counters, LogEntry};
pub use pages::WebLogin;
pub use server::{SimConfig, SimError, Simulator};
pub use state::State;
