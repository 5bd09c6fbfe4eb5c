//! The runtime of [testrail-rs](https://github.com/testrail-rs/testrail-rs): what runs
//! behind `#[testrail::case]`, `#[testrail::step]` and `testrail::main!()`.
//!
//! Users depend on the `testrail` facade crate, which re-exports what they need from here.
//! The stages follow the data:
//!
//! - [`registry`]: the tests and steps the macros registered at compile time;
//! - [`select`]: `cargo test -- C1234`, tests selected by case ID;
//! - [`runner`] and [`attempt`]: libtest-mimic trials, attempts, retries and timeouts;
//!   [`isolate`]: each attempt in a child process, its output captured;
//! - [`context`] and [`step`]: what a running test records about itself; [`attach`]: files
//!   on its result;
//! - [`threads`]: the test's context carried into the threads and tasks it starts;
//! - outcomes, the spool and sessions are [`testrail_formats`]'s: run result × bug label per
//!   test, outcome per step, on disk as each test ends, grouped by `cargo test` invocation;
//! - [`harness`]: the `main` that ties them together;
//! - [`libtest`]: the same for a test that libtest's own harness runs (a unit test in `src/`);
//! - [`after_tests`]: what runs after the tests: the export when the `testrail` facade's
//!   `export` feature plugs it in, else [`after_tests::NoExport`].
//!
//! This crate links no HTTP stack.

pub mod after_tests;
pub mod attach;
pub mod attempt;
pub mod context;
pub mod exit_guard;
pub mod harness;
pub mod isolate;
pub mod libtest;
pub mod listing;
pub mod panic_capture;
pub mod registry;
pub mod runner;
pub mod select;
pub mod step;
pub mod step_plan;
pub mod summary;
pub mod threads;
pub mod verdict;

pub use testrail_formats::{outcome, session, spool};
