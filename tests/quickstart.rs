//! The quickstart (`cargo run --example quickstart`) runs `cargo test -p shop` from inside
//! the example. Its second run must rebuild nothing: the nested `cargo` must see the same
//! build inputs as a `cargo` started from a shell, although it is started from a program
//! that Cargo runs (this test, like the example, has `CARGO_MANIFEST_DIR`, `CARGO_PKG_NAME`
//! and the other variables Cargo sets for crates in its environment).

use std::process::Command;

#[path = "../examples/support/nested_cargo.rs"]
mod nested_cargo;

/// What one `cargo … --message-format=json` printed: the units it compiled (not fresh) and
/// its stderr.
struct Built {
    compiled: Vec<String>,
    stderr: String,
}

fn build(mut command: Command) -> Built {
    let output = command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "test",
            "--no-run",
            "--no-fail-fast",
            "-p",
            "shop",
            "--message-format=json",
        ])
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "the build succeeds\n{stderr}");
    let compiled = stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact" && message["fresh"] == false)
        .map(|message| message["package_id"].to_string())
        .collect();
    Built { compiled, stderr }
}

#[test]
fn the_nested_cargo_test_rebuilds_nothing_that_a_shell_cargo_built() {
    assert!(
        std::env::vars_os().any(|(name, _)| nested_cargo::set_by_cargo_for_the_crate(&name)),
        "this test runs where the example runs: under a cargo that set the crate's variables"
    );
    // As from a shell: none of the crate's variables (what `cargo run --example quickstart`
    // itself sees, and what it builds ring with).
    let mut shell = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    for (name, _) in std::env::vars_os() {
        if nested_cargo::set_by_cargo_for_the_crate(&name) {
            shell.env_remove(name);
        }
    }
    build(shell);
    // As the quickstart starts it, from a process that has the crate's variables.
    let nested = build(nested_cargo::cargo());
    assert!(
        nested.compiled.is_empty() && !nested.stderr.contains("Compiling"),
        "the nested build compiled {:?}\n{}",
        nested.compiled,
        nested.stderr
    );
}
