//! What exists: every test and step that `#[testrail::case]`, `#[testrail::test]` and
//! `#[testrail::step]` registered at compile time, collected in [`linkme`] distributed
//! slices ([`TESTRAIL_TESTS`], [`TESTRAIL_STEPS`]).
//!
//! The macros build each value as a `static` that the linker places in the slice's section:
//! no constructor runs at start-up. They do not use linkme's `#[distributed_slice(...)]`
//! attribute on each element, whose type check (a function with two closures per element)
//! made a 1,000-test crate build slower than with `inventory`; they call the element macro
//! that linkme's declaration below generates, which adds the `#[used]` and `#[link_section]`
//! attributes of every platform linkme supports (Linux, macOS, Windows, ...):
//!
//! ```text
//! ::testrail::__private::TESTRAIL_TESTS! {
//!     #![linkme_macro = ::testrail::__private::TESTRAIL_TESTS]
//!     static __TESTRAIL_TEST: ::testrail::__private::TestDef = ...;
//! }
//! ```
//!
//! The element's type is written by the macro, so the type check linkme would add cannot
//! fail. That macro's input is not documented by linkme, hence the exact version of linkme
//! in the workspace's `Cargo.toml`. The runner reads the slices with [`tests`] and [`steps`].
//! Nothing here runs a test.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// What a test body reports when it returns: `Ok(())`, or the failure message of an `Err`.
pub type BodyResult = Result<(), String>;

/// A future produced by an `async` test body.
pub type BoxedBodyFuture = Pin<Box<dyn Future<Output = BodyResult>>>;

/// How to call a test body.
#[derive(Clone, Copy)]
pub enum TestBody {
    /// A `fn` that returns `()`, called as it is.
    Plain(fn()),
    /// A `fn` returning a `Result`, wrapped to report its `Err`.
    Sync(fn() -> BodyResult),
    /// An `async fn`, run to completion on a tokio current-thread runtime.
    Async(fn() -> BoxedBodyFuture),
}

/// Whether a test is expected to panic (`should_panic`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShouldPanic {
    /// The test must not panic.
    No,
    /// The test must panic.
    Yes,
    /// The test must panic with a message containing this text.
    WithMessage(&'static str),
}

/// A test registered by `#[testrail::case(...)]` or `#[testrail::test]`.
pub struct TestDef {
    /// The function's name.
    pub name: &'static str,
    /// `module_path!()` where the function is defined.
    pub module_path: &'static str,
    /// `file!()` of the function.
    pub file: &'static str,
    /// `line!()` of the function.
    pub line: u32,
    /// The TestRail case IDs linked to the test (empty for `#[testrail::test]`).
    pub case_ids: &'static [u64],
    /// The test's title in TestRail comments; libtest's name stays [`TestDef::path`].
    pub title: Option<&'static str>,
    /// Wall-clock budget of one attempt.
    pub timeout: Option<Duration>,
    /// How many times a failed attempt is run again.
    pub retries: u32,
    /// How many steps one attempt may enter before it ends with run result MaxSteps.
    pub max_steps: Option<u32>,
    /// `Some` when the test is ignored; the inner value is the reason, if given.
    pub ignore: Option<Option<&'static str>>,
    /// Whether the test must panic.
    pub should_panic: ShouldPanic,
    /// The issue key of a known bug: a failure is labelled LikelyBug and the key becomes a defect.
    pub known_bug: Option<&'static str>,
    /// The body to call.
    pub body: TestBody,
}

/// A step function registered by `#[testrail::step]`.
#[derive(Debug)]
pub struct StepDef {
    /// The function's name.
    pub name: &'static str,
    /// `module_path!()` where the function is defined.
    pub module_path: &'static str,
    /// `file!()` of the function.
    pub file: &'static str,
    /// `line!()` of the function.
    pub line: u32,
    /// The TestRail case IDs linked to the step (may be empty).
    pub case_ids: &'static [u64],
}

/// Every test of the binary, in link order; the macros add one element per test.
///
/// The name is the slice's link section (`linkme_TESTRAIL_TESTS` on Linux), which linkme
/// requires to be unique in a binary: hence the prefix.
#[linkme::distributed_slice]
pub static TESTRAIL_TESTS: [TestDef];

/// Every step function of the binary, in link order; the macros add one element per step
/// function (the `static` the step records its entries with).
#[linkme::distributed_slice]
pub static TESTRAIL_STEPS: [StepDef];

impl TestDef {
    /// The full path of the test: the module path followed by the function name,
    /// e.g. `checkout::can_add_to_cart`.
    pub fn path(&self) -> String {
        format!("{}::{}", self.module_path, self.name)
    }
}

/// Every registered test, sorted by path (the order libtest shows).
pub fn tests() -> Vec<&'static TestDef> {
    let mut tests: Vec<_> = TESTRAIL_TESTS.iter().collect();
    // One path per test, not one per comparison: every process of a `cargo nextest run`
    // (one per test) sorts all of them.
    tests.sort_by_cached_key(|test| test.path());
    tests
}

/// Every registered step function, sorted by module path and name.
pub fn steps() -> Vec<&'static StepDef> {
    let mut steps: Vec<_> = TESTRAIL_STEPS.iter().collect();
    steps.sort_by_key(|step| (step.module_path, step.name));
    steps
}
