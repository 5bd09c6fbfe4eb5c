//! The generated crates the harness and compile benchmarks build, in a workspace of their
//! own under `target/bench-work/ws/` with their own target directory
//! (`target/bench-work/target/`), so they never wait for the main workspace's build lock.
//! Files are rewritten only when their contents change, so a second run rebuilds nothing.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A generated crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `#[testrail::case(C<i>)]` tests run by our harness (`testrail::main!()`), with the
    /// facade's default features (the export, with its HTTP client).
    Testrail,
    /// The same with `testrail = { default-features = false }`: the runtime without the
    /// export.
    TestrailLight,
    /// Plain `#[test]` functions run by libtest.
    Plain,
    /// What `#[testrail::case]` expands to, written out, with the registration through
    /// `inventory::submit!` (one constructor per test) instead of linkme's element macro;
    /// default features. The compile benchmark's comparison of registration mechanisms.
    RegInventory,
    /// The same with linkme's `#[distributed_slice(...)]` attribute on each element (which
    /// adds a type-checking function with two closures per element).
    RegLinkmeAttr,
}

/// What each test body does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Body {
    /// One trivial assertion.
    Trivial,
    /// 100 steps: `testrail::step("step", || ...)` for our harness, the same closures
    /// called directly for libtest.
    Steps100,
}

/// One crate of the generated workspace.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// The package (and directory) name.
    pub name: &'static str,
    /// Harness.
    pub kind: Kind,
    /// Test bodies.
    pub body: Body,
    /// Number of tests.
    pub tests: u32,
}

/// 10,000 trivial tests, ours.
pub const HARNESS_TR: Spec = Spec {
    name: "harness_tr",
    kind: Kind::Testrail,
    body: Body::Trivial,
    tests: 10_000,
};
/// 10,000 trivial tests, libtest.
pub const HARNESS_PLAIN: Spec = Spec {
    name: "harness_plain",
    kind: Kind::Plain,
    body: Body::Trivial,
    tests: 10_000,
};
/// 10,000 tests of 100 steps, ours.
pub const STEPS_TR: Spec = Spec {
    name: "steps_tr",
    kind: Kind::Testrail,
    body: Body::Steps100,
    tests: 10_000,
};
/// 10,000 tests of 100 plain closure calls, libtest.
pub const STEPS_PLAIN: Spec = Spec {
    name: "steps_plain",
    kind: Kind::Plain,
    body: Body::Steps100,
    tests: 10_000,
};
/// Trivial tests, ours: the cost of isolation (in-process, isolated, cargo-nextest).
pub const ISOLATION_TR: Spec = Spec {
    name: "isolation_tr",
    kind: Kind::Testrail,
    body: Body::Trivial,
    tests: 200,
};
/// The crates of the compile benchmark: plain `#[test]`, `testrail` with its default
/// features, `testrail` without them; first with `tests` tests, then with one.
pub fn compile_specs(tests: u32) -> [Spec; 6] {
    let spec = |name, kind, tests| Spec {
        name,
        kind,
        body: Body::Trivial,
        tests,
    };
    [
        spec("compile_plain", Kind::Plain, tests),
        spec("compile_tr", Kind::Testrail, tests),
        spec("compile_light", Kind::TestrailLight, tests),
        spec("compile1_plain", Kind::Plain, 1),
        spec("compile1_tr", Kind::Testrail, 1),
        spec("compile1_light", Kind::TestrailLight, 1),
    ]
}

/// The crates of the compile benchmark's comparison of registration mechanisms, `tests`
/// tests each, default features: the expansion written out with `inventory`, and with
/// linkme's attribute (the macros' own expansion is `compile_tr` of [`compile_specs`]).
pub fn registration_specs(tests: u32) -> [Spec; 2] {
    let spec = |name, kind| Spec {
        name,
        kind,
        body: Body::Trivial,
        tests,
    };
    [
        spec("compile_reg_inventory", Kind::RegInventory),
        spec("compile_reg_linkme_attr", Kind::RegLinkmeAttr),
    ]
}

/// Every generated crate, the compile benchmark's with `compile_tests` tests.
pub fn all(compile_tests: u32) -> Vec<Spec> {
    let mut all = vec![
        HARNESS_TR,
        HARNESS_PLAIN,
        STEPS_TR,
        STEPS_PLAIN,
        ISOLATION_TR,
    ];
    all.extend(compile_specs(compile_tests));
    all.extend(registration_specs(compile_tests));
    all
}

/// The generated workspace.
pub fn ws_dir() -> PathBuf {
    crate::work_dir().join("ws")
}

/// Its target directory.
pub fn target_dir() -> PathBuf {
    crate::work_dir().join("target")
}

fn write_if_changed(path: &Path, contents: &str) {
    if std::fs::read_to_string(path).ok().as_deref() == Some(contents) {
        return;
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("a directory of the generated workspace");
    }
    std::fs::write(path, contents).expect("a file of the generated workspace");
}

/// The test file of a crate.
pub fn test_source(spec: &Spec) -> String {
    let mut out = String::new();
    let width = spec.tests.to_string().len();
    match spec.body {
        Body::Trivial => {}
        Body::Steps100 => match spec.kind {
            Kind::Testrail | Kind::TestrailLight | Kind::RegInventory | Kind::RegLinkmeAttr => out.push_str(
                "fn steps() {\n    for i in 0..100u32 {\n        testrail::step(\"step\", || std::hint::black_box(i));\n    }\n}\n\n",
            ),
            Kind::Plain => out.push_str(
                "fn steps() {\n    for i in 0..100u32 {\n        (|| std::hint::black_box(i))();\n    }\n}\n\n",
            ),
        },
    }
    match spec.kind {
        Kind::RegInventory => out.push_str(
            "struct Registered(testrail::__private::TestDef);\ninventory::collect!(Registered);\n\n",
        ),
        Kind::RegLinkmeAttr => out.push_str(
            "#[linkme::distributed_slice]\nstatic REGISTERED: [testrail::__private::TestDef];\n\n",
        ),
        _ => {}
    }
    for i in 1..=spec.tests {
        match spec.kind {
            Kind::Testrail | Kind::TestrailLight => {
                let _ = writeln!(out, "#[testrail::case(C{i})]");
            }
            Kind::Plain => out.push_str("#[test]\n"),
            Kind::RegInventory | Kind::RegLinkmeAttr => {}
        }
        let body = match spec.body {
            Body::Trivial => "assert_eq!(std::hint::black_box(1u32) + 1, 2);",
            Body::Steps100 => "steps();",
        };
        let name = format!("t{i:0width$}");
        let _ = writeln!(out, "fn {name}() {{\n    {body}\n}}\n");
        // The fields `#[testrail::case(C<i>)]` registers, as the macro writes them.
        let def = format!(
            "testrail::__private::TestDef {{ name: {name:?}, module_path: ::core::module_path!(), file: ::core::file!(), line: ::core::line!(), case_ids: &[{i}], title: None, timeout: None, retries: 0, max_steps: None, ignore: None, should_panic: testrail::__private::ShouldPanic::No, known_bug: None, body: testrail::__private::TestBody::Plain({name}) }}"
        );
        match spec.kind {
            Kind::RegInventory => {
                let _ = writeln!(
                    out,
                    "const _: () = {{\n    inventory::submit!(Registered({def}));\n}};\n"
                );
            }
            Kind::RegLinkmeAttr => {
                let _ = writeln!(
                    out,
                    "const _: () = {{\n    #[linkme::distributed_slice(REGISTERED)]\n    static TEST: testrail::__private::TestDef = {def};\n}};\n"
                );
            }
            _ => {}
        }
    }
    match spec.kind {
        Kind::Plain => {}
        Kind::Testrail | Kind::TestrailLight => out.push_str("testrail::main!();\n"),
        // The tests are counted, so that the registration is not left out of the binary;
        // then the harness runs (and finds none of them: they are not in its registry).
        Kind::RegInventory => out.push_str(
            "fn main() -> std::process::ExitCode {\n    println!(\"{} registered\", inventory::iter::<Registered>.into_iter().filter(|test| !test.0.name.is_empty()).count());\n    testrail::__private::main(testrail::__private::BuildInfo { package: \"\", binary: \"\", manifest_dir: \"\", target_tmpdir: None })\n}\n",
        ),
        Kind::RegLinkmeAttr => out.push_str(
            "fn main() -> std::process::ExitCode {\n    println!(\"{} registered\", REGISTERED.iter().filter(|test| !test.name.is_empty()).count());\n    testrail::__private::main(testrail::__private::BuildInfo { package: \"\", binary: \"\", manifest_dir: \"\", target_tmpdir: None })\n}\n",
        ),
    }
    out
}

fn manifest(spec: &Spec) -> String {
    let root = crate::workspace_root();
    let features = match spec.kind {
        Kind::TestrailLight => ", default-features = false",
        _ => "",
    };
    // The versions of the main workspace's lock file (copied into the generated workspace).
    let extra = match spec.kind {
        Kind::RegInventory => "inventory = \"0.3\"\n",
        Kind::RegLinkmeAttr => "linkme = \"0.3\"\n",
        _ => "",
    };
    let (deps, harness) = match spec.kind {
        Kind::Testrail | Kind::TestrailLight | Kind::RegInventory | Kind::RegLinkmeAttr => (
            format!(
                "[dev-dependencies]\ntestrail = {{ path = {:?}{features} }}\n{extra}",
                root.display().to_string()
            ),
            "harness = false\n",
        ),
        Kind::Plain => (String::new(), ""),
    };
    format!(
        "[package]\nname = \"{}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n{deps}\n[[test]]\nname = \"t\"\npath = \"tests/t.rs\"\n{harness}",
        spec.name
    )
}

/// Writes the generated workspace (only what changed), the compile benchmark's large crates
/// with `compile_tests` tests.
pub fn generate(compile_tests: u32) {
    let ws = ws_dir();
    let all = all(compile_tests);
    let members: Vec<String> = all.iter().map(|spec| format!("{:?}", spec.name)).collect();
    write_if_changed(
        &ws.join("Cargo.toml"),
        &format!(
            "# Generated by testrail-bench; rewritten on every run.\n[workspace]\nmembers = [{}]\nresolver = \"3\"\n",
            members.join(", ")
        ),
    );
    // The main workspace's lock file: the same dependency versions, no resolution.
    let lock = ws.join("Cargo.lock");
    if !lock.exists() {
        std::fs::copy(crate::workspace_root().join("Cargo.lock"), &lock)
            .expect("the lock file can be copied");
    }
    for spec in all {
        let dir = ws.join(spec.name);
        write_if_changed(&dir.join("Cargo.toml"), &manifest(&spec));
        write_if_changed(&dir.join("src").join("lib.rs"), "");
        write_if_changed(&dir.join("tests").join("t.rs"), &test_source(&spec));
    }
}

/// A `cargo` command in the generated workspace, with its own target directory.
pub fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .current_dir(ws_dir())
        .env("CARGO_TARGET_DIR", target_dir())
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET_DIR");
    command
}

/// Builds the test binaries of `specs` (`release` or the dev profile) and returns each
/// crate's test executable.
pub fn build_tests(
    specs: &[Spec],
    release: bool,
) -> Result<BTreeMap<&'static str, PathBuf>, String> {
    let mut command = cargo();
    command.args(["test", "--no-run", "--message-format=json"]);
    if release {
        command.arg("--release");
    }
    for spec in specs {
        command.args(["-p", spec.name]);
    }
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cargo: {e}"))?;
    if !output.status.success() {
        return Err("building the generated test crates failed".into());
    }
    let mut executables = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let (Some(executable), Some(manifest)) = (
            message["executable"].as_str(),
            message["manifest_path"].as_str(),
        ) else {
            continue;
        };
        if message["target"]["name"] != "t" {
            continue;
        }
        for spec in specs {
            if Path::new(manifest).parent().and_then(Path::file_name)
                == Some(std::ffi::OsStr::new(spec.name))
            {
                executables.insert(spec.name, PathBuf::from(executable));
            }
        }
    }
    for spec in specs {
        if !executables.contains_key(spec.name) {
            return Err(format!("no test executable found for {}", spec.name));
        }
    }
    Ok(executables)
}
