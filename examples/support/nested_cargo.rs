//! Starting `cargo` from a program that `cargo run` or `cargo test` started, without
//! rebuilding what the outer `cargo` just built.
//!
//! `cargo run` and `cargo test` give the program they run the variables Cargo sets for
//! crates (`CARGO_MANIFEST_DIR`, `CARGO_PKG_NAME`, …). A `cargo` started from that program
//! inherits them, and Cargo compares the build-script inputs a build script declared with
//! `cargo:rerun-if-env-changed` against its *own* environment. ring's build script declares
//! `CARGO_MANIFEST_DIR`, `CARGO_PKG_NAME` and other variables Cargo sets
//! (briansmith/ring#2454, rust-lang/cargo#16134), so the outer and the nested `cargo` each
//! see them changed and rebuild ring and everything above it (rustls, reqwest, the export)
//! on every run. Removing those variables gives the nested `cargo` the environment of a
//! `cargo` started from a shell.
//!
//! Shared by `examples/quickstart.rs` and the test that checks it (`tests/quickstart.rs`).

use std::ffi::OsStr;
use std::process::Command;

/// Whether `name` is one of the variables Cargo sets for the crate it runs (Cargo's book,
/// "Environment variables Cargo sets for crates"), which a nested `cargo` must not inherit.
/// `CARGO` itself (the path of the `cargo` program) and the variables that configure Cargo
/// (`CARGO_HOME`, `CARGO_TARGET_DIR`, `CARGO_BUILD_*`, …) are kept.
pub fn set_by_cargo_for_the_crate(name: &OsStr) -> bool {
    let Some(name) = name.to_str() else {
        return false;
    };
    ["CARGO_PKG_", "CARGO_MANIFEST_", "CARGO_BIN_EXE_"]
        .iter()
        .any(|prefix| name.starts_with(prefix))
        || [
            "CARGO_CRATE_NAME",
            "CARGO_BIN_NAME",
            "CARGO_PRIMARY_PACKAGE",
            "CARGO_TARGET_TMPDIR",
            "CARGO_RUSTC_CURRENT_DIR",
            "OUT_DIR",
        ]
        .contains(&name)
}

/// A `cargo` command (the `cargo` that runs this program, from `CARGO`, else the one on
/// `PATH`) without the variables of [`set_by_cargo_for_the_crate`].
pub fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    for (name, _) in std::env::vars_os() {
        if set_by_cargo_for_the_crate(&name) {
            command.env_remove(name);
        }
    }
    command
}
