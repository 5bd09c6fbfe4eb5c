//! Connect `cargo test` to [TestRail](https://www.testrail.com/).
//!
//! Tag tests with TestRail case IDs, run them with a harness that behaves like libtest
//! (filters, `--list`, `--exact`, `--ignored`, threads, cargo-nextest), and get for every
//! test a **run result** (Success, Stopped, MaxSteps, Error) and a **bug label** (NoBug,
//! LikelyNoBug, Undecided, LikelyBug, DefinitelyBug), kept on disk for export.
//!
//! ```toml
//! # Cargo.toml
//! [dev-dependencies]
//! testrail = "0.1"
//!
//! [[test]]
//! name = "checkout"
//! harness = false
//! ```
//!
//! ```no_run
//! // tests/checkout.rs
//! use testrail::{case, step};
//!
//! #[case(C1234)]
//! fn can_add_to_cart() {
//!     assert_eq!(1 + 1, 2);
//! }
//!
//! #[case(C1235, C1236, timeout = "30s", retries = 2)]
//! async fn checkout_flow() -> Result<(), String> {
//!     login("ann").await?;
//!     pay(42)
//! }
//!
//! #[step(C2001)]
//! async fn login(user: &str) -> Result<(), String> {
//!     if user.is_empty() { Err("no user".into()) } else { Ok(()) }
//! }
//!
//! #[step]
//! fn pay(amount: u32) -> Result<(), String> {
//!     testrail::comment(format!("paid {amount}"));
//!     Ok(())
//! }
//!
//! testrail::main!();
//! ```
//!
//! A test with no case ID, `#[testrail::test]`, runs like any other and is listed as
//! unmapped in the summary.
//!
//! ## Features
//!
//! - `export` (default): the test binary sends its outcomes to TestRail when its tests end,
//!   when asked (`--testrail-export`, `TESTRAIL_EXPORT=1`, `export = true`), through
//!   `testrail-export` and the `testrail-api` client. With `default-features = false` the
//!   binary links no HTTP stack: outcomes are still spooled under `target/testrail/`, and
//!   `cargo testrail upload` sends them; an export asked for anyway fails the run with a
//!   line that says so.
//!
//! ## Files on the result
//!
//! [`attach`] adds a file to the running test's result, [`attach_bytes`] a file made of
//! bytes the test holds; inside a step with its own case the file goes to that case's
//! result. The export uploads each file once, after the result exists:
//!
//! ```no_run
//! #[testrail::case(C1250)]
//! fn receipt_is_printed() {
//!     std::fs::write("target/receipt.txt", "total: 42").unwrap();
//!     testrail::attach("target/receipt.txt");
//!     print_receipt();
//! }
//!
//! #[testrail::step(C2310)]
//! fn print_receipt() {
//!     testrail::attach_bytes("printer.log", b"printed 1 page"); // to C2310's result
//! }
//! # testrail::main!();
//! ```
//!
//! ## Steps on other threads
//!
//! Steps are recorded in the test whose context the entering thread has. Threads and tasks a
//! test starts get that context when they are started with these helpers; a step entered
//! on a thread without it is not recorded, and a line naming the step says so.
//!
//! | instead of | use |
//! |---|---|
//! | `std::thread::spawn(f)` | [`spawn`]`(f)` |
//! | `std::thread::scope(\|s\| { s.spawn(f); })` | [`scope`]`(\|s\| { s.spawn(f); })` |
//! | `tokio::task::spawn_blocking(f)`, rayon, any pool | `spawn_blocking(`[`propagate`]`(f))` |
//! | `tokio::spawn(future)` | `tokio::spawn(`[`propagate_async`]`(future))` |
//!
//! ```no_run
//! #[testrail::case(C1240)]
//! fn parallel_checkout() {
//!     let worker = testrail::spawn(|| pay(5));
//!     testrail::scope(|s| {
//!         s.spawn(|| pay(7));
//!     });
//!     worker.join().unwrap();
//! }
//!
//! #[testrail::step(C2305)]
//! fn pay(amount: u32) {
//!     assert!(amount > 0);
//! }
//! # testrail::main!();
//! ```

pub use testrail_harness::attach::{attach, attach_bytes};
pub use testrail_harness::context::{comment, defect, result_field, set_bug_label, setup_failed};
pub use testrail_harness::outcome::{BugLabel, RunResult};
pub use testrail_harness::step::{step, step_async, try_step, try_step_async};
pub use testrail_harness::threads::{Propagated, Scope, propagate, propagate_async, scope, spawn};
pub use testrail_macros::{case, step, test};

/// Defines the `main` of a `harness = false` test target: runs every registered test like
/// libtest does, records the outcomes under `target/testrail/`, prints a summary, and
/// returns libtest's exit code.
///
/// ```no_run
/// testrail::main!();
/// ```
///
/// The target needs `harness = false` in its `[[test]]` entry of `Cargo.toml`. Without it,
/// Cargo builds the target with libtest's harness, which would replace this `main` and run
/// none of the tests: there this macro is a compile error that names the missing entry.
#[macro_export]
macro_rules! main {
    () => {
        // A compile error naming the `[[test]]` entry when the target lacks
        // `harness = false` (see `testrail-macros`'s `harness_main`).
        $crate::__private::harness_main! {
            fn main() -> ::std::process::ExitCode {
                $crate::__private::main($crate::__private::BuildInfo {
                    package: ::core::env!("CARGO_PKG_NAME"),
                    binary: ::core::env!("CARGO_CRATE_NAME"),
                    manifest_dir: ::core::env!("CARGO_MANIFEST_DIR"),
                    target_tmpdir: ::core::option_env!("CARGO_TARGET_TMPDIR"),
                })
            }
        }
    };
}

#[cfg(feature = "export")]
mod export_hook;

#[doc(hidden)]
pub mod __private {
    pub use core::time::Duration;
    pub use testrail_harness::harness::BuildInfo;
    pub use testrail_harness::libtest::run as run_libtest;
    pub use testrail_macros::harness_main;

    /// Runs the test binary, with the export when the `export` feature is on.
    pub fn main(build: BuildInfo) -> std::process::ExitCode {
        #[cfg(feature = "export")]
        let mut after = crate::export_hook::Export::default();
        #[cfg(not(feature = "export"))]
        let mut after = testrail_harness::after_tests::NoExport;
        testrail_harness::harness::run_main(build, &mut after)
    }
    pub use testrail_harness::registry::{
        BodyResult, BoxedBodyFuture, ShouldPanic, StepDef, TESTRAIL_STEPS, TESTRAIL_TESTS,
        TestBody, TestDef,
    };
    pub use testrail_harness::step::StepGuard;
    pub use testrail_harness::verdict::{Verdict, ViaAny, ViaDebug, ViaDisplay, check_test_return};
}
