//! The files and values that the parts of [testrail-rs](https://github.com/testrail-rs/testrail-rs)
//! hand to each other, defined once:
//!
//! - [`outcome`]: what one test produced: its run result, bug label, steps and attempts;
//! - [`spool`]: outcomes on disk, one JSON-lines file per test process, appended as each
//!   test ends, read by the export and by `cargo testrail upload`;
//! - [`session`]: which processes belong to one `cargo test` (one TestRail run), and where
//!   their files live under `target/testrail/`;
//! - [`registry`]: the JSON a test binary prints for `--testrail-registry` (every test and
//!   step with its case IDs, file and line), read by `cargo testrail`;
//! - [`build`]: facts about a test binary known at compile time;
//! - [`clock`]: the wall-clock time in the files' unit, milliseconds since the Unix epoch.
//!
//! The test runtime (`testrail-harness`) writes these; the export (`testrail-export`) and the
//! command line (`cargo-testrail`) read them. Nothing here talks to TestRail.

pub mod build;
pub mod clock;
pub mod config_file;
pub mod outcome;
pub mod process;
pub mod registry;
pub mod session;
pub mod spool;
