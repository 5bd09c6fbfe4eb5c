//! The generated crate of the end-to-end benchmark: one checkout test per case, five steps
//! each, every 20th test failing and every 100th (from the 7th) flaky, written twice in a
//! workspace of its own under `target/bench-work/e2e/ws/` (sharing the other generated
//! crates' target directory, `target/bench-work/target/`, so the dependencies are built once):
//!
//! - `e2e_plain`: plain `#[test]` functions named `c<id>_checkout` (the case ID in the name,
//!   as `trcli parse_junit --case-matcher name` reads it), the five steps as plain function
//!   calls, for `cargo nextest run` and its JUnit report;
//! - `e2e_tr`: `#[testrail::case(C<id>, retries = 1)]` with the same names and bodies, the
//!   five steps as `#[testrail::step]` functions, `testrail` with its default features (the
//!   export), for `cargo test` with the export and for `cargo nextest run` followed by
//!   `cargo testrail upload`.
//!
//! A flaky test fails its first attempt and passes the next: its third step creates a marker
//! file named after the test in `$E2E_FLAKY_DIR` and fails when it could create it (so the
//! first attempt fails in every harness, also when each attempt is a process of its own, as
//! under nextest's `--retries`). Both libraries have no unit tests and no doctests
//! (`test = false`, `doctest = false`), so each command runs the one test binary. Files are
//! rewritten only when their contents change, so a second run rebuilds nothing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Steps per test.
pub const STEPS: u32 = 5;

/// The environment variable naming the directory of the flaky tests' marker files.
pub const FLAKY_DIR_VAR: &str = "E2E_FLAKY_DIR";

/// The package of the plain `#[test]` side.
pub const PLAIN: &str = "e2e_plain";

/// The package of the `testrail` side.
pub const TESTRAIL: &str = "e2e_tr";

/// Whether test (and case) `i` fails on every attempt: every 20th.
pub fn fails(i: u32) -> bool {
    i.is_multiple_of(20)
}

/// Whether test (and case) `i` is flaky (fails its first attempt, passes the next): every
/// 100th from the 7th (7, 107, 207, ...), never one that fails.
pub fn flaky(i: u32) -> bool {
    i % 100 == 7
}

/// The case IDs (1..=tests) that fail on every attempt.
pub fn failing_cases(tests: u32) -> Vec<u64> {
    (1..=tests).filter(|&i| fails(i)).map(u64::from).collect()
}

/// The case IDs (1..=tests) of the flaky tests.
pub fn flaky_cases(tests: u32) -> Vec<u64> {
    (1..=tests).filter(|&i| flaky(i)).map(u64::from).collect()
}

/// The name of test `i` (its function name, the JUnit test name): `c<i>_checkout`.
pub fn test_name(i: u32) -> String {
    format!("c{i}_checkout")
}

/// The generated workspace.
pub fn ws_dir() -> PathBuf {
    crate::work_dir().join("e2e").join("ws")
}

/// Where `cargo nextest run --profile ci` writes its JUnit report: nextest's store
/// (`target/nextest` under the workspace root, whatever the target directory), profile `ci`.
pub fn junit_path() -> PathBuf {
    ws_dir()
        .join("target")
        .join("nextest")
        .join("ci")
        .join("junit.xml")
}

/// The five steps and what they share: the same code on both sides, with
/// `#[testrail::step(name = "...")]` on each step function for ours.
fn steps_source(testrail: bool) -> String {
    let attr = |name: &str| {
        if testrail {
            format!("#[testrail::step(name = \"{name}\")]\n")
        } else {
            format!("// step: {name}\n")
        }
    };
    let mut out = String::new();
    let _ = write!(
        out,
        r#"use std::hint::black_box;

/// Whether this is the first attempt of flaky test `i`: creates its marker file in
/// ${FLAKY_DIR_VAR}, which only the first attempt can do.
fn first_attempt(i: u32) -> bool {{
    let dir = std::env::var_os("{FLAKY_DIR_VAR}")
        .expect("{FLAKY_DIR_VAR} names the directory of the flaky tests' markers");
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(std::path::Path::new(&dir).join(i.to_string()))
        .is_ok()
}}

{open}fn open_cart(i: u32) -> u64 {{
    black_box(u64::from(i))
}}

{add}fn add_item(cart: u64) -> u64 {{
    black_box(cart + 100)
}}

{coupon}fn apply_coupon(i: u32, total: u64) -> u64 {{
    if i % 100 == 7 && first_attempt(i) {{
        panic!("coupon service timed out for order {{i}} (flaky: first attempt)");
    }}
    black_box(total * 9 / 10)
}}

{pay}fn pay(i: u32, total: u64) -> u64 {{
    assert!(i % 20 != 0, "payment declined for order {{i}}");
    black_box(total)
}}

{receipt}fn check_receipt(paid: u64) {{
    assert!(black_box(paid) > 0, "empty receipt");
}}

fn checkout(i: u32) {{
    let cart = open_cart(i);
    let total = add_item(cart);
    let total = apply_coupon(i, total);
    let paid = pay(i, total);
    check_receipt(paid);
}}

"#,
        open = attr("open the cart"),
        add = attr("add an item"),
        coupon = attr("apply a coupon"),
        pay = attr("pay"),
        receipt = attr("check the receipt"),
    );
    out
}

/// The test file of one side, with `tests` tests (cases 1..=tests).
pub fn test_source(testrail: bool, tests: u32) -> String {
    let mut out = String::from(
        "//! Generated by testrail-bench (`e2e`): checkout tests of five steps each.\n\n",
    );
    out.push_str(&steps_source(testrail));
    for i in 1..=tests {
        if testrail {
            let _ = writeln!(out, "#[testrail::case(C{i}, retries = 1)]");
        } else {
            out.push_str("#[test]\n");
        }
        let _ = writeln!(out, "fn {}() {{\n    checkout({i});\n}}\n", test_name(i));
    }
    if testrail {
        out.push_str("testrail::main!();\n");
    }
    out
}

/// The manifest of one side.
pub fn manifest(testrail: bool) -> String {
    let (name, deps, harness) = if testrail {
        (
            TESTRAIL,
            format!(
                "[dev-dependencies]\ntestrail = {{ path = {:?} }}\n\n",
                crate::workspace_root().display().to_string()
            ),
            "harness = false\n",
        )
    } else {
        (PLAIN, String::new(), "")
    };
    format!(
        "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[lib]\ntest = false\ndoctest = false\n\n{deps}[[test]]\nname = \"t\"\npath = \"tests/t.rs\"\n{harness}"
    )
}

/// The nextest configuration: the `ci` profile writes JUnit (as the README's CI recipe).
pub const NEXTEST_CONFIG: &str =
    "# Generated by testrail-bench (`e2e`).\n[profile.ci.junit]\npath = \"junit.xml\"\n";

fn write_if_changed(path: &Path, contents: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).ok().as_deref() == Some(contents) {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, contents)
}

/// Writes the workspace into `ws` (only what changed): both sides with `tests` tests, the
/// nextest configuration, and the main workspace's lock file when there is none (the same
/// dependency versions, no resolution).
pub fn generate_into(ws: &Path, tests: u32) -> std::io::Result<()> {
    write_if_changed(
        &ws.join("Cargo.toml"),
        &format!(
            "# Generated by testrail-bench (`e2e`).\n[workspace]\nmembers = [{PLAIN:?}, {TESTRAIL:?}]\nresolver = \"3\"\n"
        ),
    )?;
    write_if_changed(&ws.join(".config").join("nextest.toml"), NEXTEST_CONFIG)?;
    let lock = ws.join("Cargo.lock");
    if !lock.exists() {
        std::fs::copy(crate::workspace_root().join("Cargo.lock"), &lock)?;
    }
    for testrail in [false, true] {
        let dir = ws.join(if testrail { TESTRAIL } else { PLAIN });
        write_if_changed(&dir.join("Cargo.toml"), &manifest(testrail))?;
        write_if_changed(&dir.join("src").join("lib.rs"), "")?;
        write_if_changed(
            &dir.join("tests").join("t.rs"),
            &test_source(testrail, tests),
        )?;
    }
    Ok(())
}

/// A `cargo` command in the generated workspace, with the shared target directory and
/// nothing of the bench's own environment that would change the build or the tests
/// (`RUSTFLAGS`, `RUST_BACKTRACE`, `TESTRAIL_*`, `NEXTEST_*`).
pub fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .current_dir(ws_dir())
        .env("CARGO_TARGET_DIR", crate::genws::target_dir())
        .env_remove("RUSTFLAGS")
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .env_remove("CARGO_BUILD_TARGET_DIR");
    for (key, _) in std::env::vars() {
        if key.starts_with("TESTRAIL_") || key.starts_with("NEXTEST_") {
            command.env_remove(key);
        }
    }
    command
}
