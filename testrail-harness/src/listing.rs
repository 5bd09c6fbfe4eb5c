//! The registry as JSON (`--testrail-registry`): every test and step with its case IDs,
//! file and line, for `cargo testrail` and other tools. Nothing runs.

use serde::Serialize;

use crate::registry::{self, ShouldPanic, StepDef, TestBody};

/// The `format` field of a registry listing.
pub const FORMAT: &str = "testrail-rs/registry";

/// A test binary's registry.
#[derive(Debug, Serialize)]
pub struct Listing {
    /// Always [`FORMAT`].
    pub format: &'static str,
    /// The listing format version.
    pub version: u32,
    /// The cargo package.
    pub package: &'static str,
    /// The test target name.
    pub binary: &'static str,
    /// Every test.
    pub tests: Vec<ListedTest>,
    /// Every step function.
    pub steps: Vec<&'static StepDef>,
}

/// A test as listed.
#[derive(Debug, Serialize)]
pub struct ListedTest {
    /// Module path and function name.
    pub path: String,
    /// The title, if set.
    pub title: Option<&'static str>,
    /// Linked case IDs.
    pub case_ids: &'static [u64],
    /// Source file.
    pub file: &'static str,
    /// Line of the function.
    pub line: u32,
    /// Whether the body is `async`.
    pub is_async: bool,
    /// Whether it is ignored.
    pub ignored: bool,
    /// Timeout in milliseconds.
    pub timeout_ms: Option<u128>,
    /// Retries after a failed attempt.
    pub retries: u32,
    /// Step budget.
    pub max_steps: Option<u32>,
    /// Expected panic.
    pub should_panic: ShouldPanic,
    /// Known bug key.
    pub known_bug: Option<&'static str>,
}

impl Listing {
    /// The registry of the running binary.
    pub fn current(package: &'static str, binary: &'static str) -> Listing {
        Listing {
            format: FORMAT,
            version: 1,
            package,
            binary,
            tests: registry::tests()
                .into_iter()
                .map(|test| ListedTest {
                    path: test.path(),
                    title: test.title,
                    case_ids: test.case_ids,
                    file: test.file,
                    line: test.line,
                    is_async: matches!(test.body, TestBody::Async(_)),
                    ignored: test.ignore.is_some(),
                    timeout_ms: test.timeout.map(|timeout| timeout.as_millis()),
                    retries: test.retries,
                    max_steps: test.max_steps,
                    should_panic: test.should_panic,
                    known_bug: test.known_bug,
                })
                .collect(),
            steps: registry::steps(),
        }
    }
}
