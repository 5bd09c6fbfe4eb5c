//! The registry listing: what a test binary prints for `--testrail-registry`, one JSON
//! document with every test and step the macros registered, their case IDs, file and line.
//! Nothing runs. `cargo testrail` (`status`, `cases`, `create`) reads it.
//!
//! ```
//! use testrail_formats::registry::Registry;
//!
//! let json = r#"{"format": "testrail-rs/registry", "version": 1, "package": "shop",
//!   "binary": "checkout", "tests": [{"path": "checkout::pays", "case_ids": [12],
//!   "file": "tests/checkout.rs", "line": 4}], "steps": []}"#;
//! let registry: Registry = serde_json::from_str(json).unwrap();
//! assert_eq!(registry.tests[0].case_ids, [12]);
//! ```

use serde::{Deserialize, Serialize};

/// The `format` field of a registry listing.
pub const FORMAT: &str = "testrail-rs/registry";

/// The listing format version this crate writes.
pub const VERSION: u32 = 1;

/// A test binary's registry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Registry {
    /// Always [`FORMAT`].
    pub format: String,
    /// The listing format version ([`VERSION`]).
    #[serde(default)]
    pub version: u32,
    /// The cargo package.
    pub package: String,
    /// The test target name.
    pub binary: String,
    /// Every test, sorted by path.
    #[serde(default)]
    pub tests: Vec<RegistryTest>,
    /// Every step function, sorted by module path and name.
    #[serde(default)]
    pub steps: Vec<RegistryStep>,
}

/// A test as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegistryTest {
    /// Module path and function name, e.g. `checkout::can_add_to_cart`.
    pub path: String,
    /// The title, if set.
    #[serde(default)]
    pub title: Option<String>,
    /// Linked case IDs (without the `C`).
    #[serde(default)]
    pub case_ids: Vec<u64>,
    /// Source file, as `file!()` gives it.
    pub file: String,
    /// Line of the function.
    pub line: u32,
    /// Whether the body is `async`.
    #[serde(default)]
    pub is_async: bool,
    /// Whether it is ignored.
    #[serde(default)]
    pub ignored: bool,
    /// Timeout of one attempt, in milliseconds.
    #[serde(default)]
    pub timeout_ms: Option<u128>,
    /// Retries after a failed attempt.
    #[serde(default)]
    pub retries: u32,
    /// Step budget of one attempt.
    #[serde(default)]
    pub max_steps: Option<u32>,
    /// Whether the test must panic.
    #[serde(default)]
    pub should_panic: ShouldPanic,
    /// Known bug key.
    #[serde(default)]
    pub known_bug: Option<String>,
}

/// Whether a test is expected to panic (`should_panic`), as listed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShouldPanic {
    /// The test must not panic.
    #[default]
    No,
    /// The test must panic.
    Yes,
    /// The test must panic with a message containing this text.
    WithMessage(String),
}

/// A step function as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegistryStep {
    /// Function name.
    pub name: String,
    /// Module path.
    pub module_path: String,
    /// Source file.
    pub file: String,
    /// Line of the function.
    pub line: u32,
    /// Linked case IDs (may be empty).
    #[serde(default)]
    pub case_ids: Vec<u64>,
}
