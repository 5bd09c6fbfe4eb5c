//! Facts about a test binary known at compile time.

/// What `testrail::main!()` captures from cargo's environment when the test binary is
/// compiled.
#[derive(Clone, Copy, Debug)]
pub struct BuildInfo {
    /// `CARGO_PKG_NAME`.
    pub package: &'static str,
    /// `CARGO_CRATE_NAME`: the test target.
    pub binary: &'static str,
    /// `CARGO_MANIFEST_DIR`.
    pub manifest_dir: &'static str,
    /// `CARGO_TARGET_TMPDIR` (set for integration tests), to find the target directory.
    pub target_tmpdir: Option<&'static str>,
}
