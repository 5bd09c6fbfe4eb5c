//! The runtime of [testrail-rs](https://github.com/testrail-rs/testrail-rs): what runs
//! behind `#[testrail::case]`, `#[testrail::step]` and `testrail::main!()`.
//!
//! Users depend on the `testrail` facade crate, which re-exports what they need from here.
//! The stages follow the data:
//!
//! - [`registry`]: the tests and steps the macros registered at compile time;
//! - [`runner`] and [`attempt`]: libtest-mimic trials, attempts, retries and timeouts;
//! - [`context`] and [`step`]: what a running test records about itself;
//! - [`threads`]: the test's context carried into the threads and tasks it starts;
//! - [`outcome`]: run result × bug label per test, outcome per step;
//! - [`spool`] and [`session`]: outcomes on disk as each test ends, grouped by `cargo test`
//!   invocation;
//! - [`harness`]: the `main` that ties them together.

pub mod attempt;
pub mod client;
pub mod config;
pub mod context;
pub mod exit_guard;
pub mod export;
pub mod export_summary;
pub mod flags;
pub mod harness;
pub mod listing;
pub mod outcome;
pub mod panic_capture;
pub mod registry;
pub mod runner;
pub mod session;
pub mod spool;
pub mod step;
pub mod step_plan;
pub mod summary;
pub mod threads;
pub mod verdict;
