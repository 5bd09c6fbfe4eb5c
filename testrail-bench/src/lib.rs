//! Benchmarks of testrail-rs against plain libtest and TestRail's own CLI (trcli), and the
//! fault-injection suite. See `BENCHMARKS.md` at the repository root for the figures and
//! `cargo run --release -p testrail-bench -- all` to take them again.
//!
//! - [`measure`]: running a process and reading its wall time and peak memory;
//! - [`data`]: spool files and equivalent JUnit reports of N outcomes;
//! - [`sim`]: simulators seeded with big fixtures, and what they stored;
//! - [`faults`]: the fault catalogue and exports through it (shared with `tests/faults.rs`);
//! - [`trcli`]: the pinned trcli in `target/trcli-venv`;
//! - [`genws`]: the generated crates (10,000 tests, 1,000 tests) under `target/bench-work/`;
//! - [`e2e_crate`]: the generated crate of the end-to-end benchmark (1,000 tests of 5 steps);
//! - [`crash`]: the randomized crash test (uploads killed at a request and resumed);
//! - [`reliability`]: the scenarios of `RELIABILITY.md`, ours next to trcli;
//! - [`bench`]: the benchmarks themselves and their report.

pub mod bench;
pub mod crash;
pub mod data;
pub mod e2e_crate;
pub mod faults;
pub mod genws;
pub mod measure;
pub mod reliability;
pub mod sim;
pub mod trcli;

use std::path::PathBuf;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// Where the benchmarks keep their generated crates, builds and reports:
/// `target/bench-work/` (or `$CARGO_TARGET_DIR/bench-work/`).
pub fn work_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    let target = if target.is_relative() {
        workspace_root().join(target)
    } else {
        target
    };
    target.join("bench-work")
}
