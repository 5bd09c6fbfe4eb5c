//! The cases the workspace's tests link to: builds the test binaries
//! (`cargo test --no-run --message-format=json`), asks each for its registry
//! (`--testrail-registry`), and gathers every link. A binary that is not a testrail harness
//! fails or prints something else: it is skipped quietly.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde::Serialize;
use testrail_formats::registry::{self as listing, Registry};

use crate::cli::BuildArgs;
use crate::context::{self, Workspace};
use crate::error::CliError;
use crate::progress;

/// How long a binary may take to print its registry.
const REGISTRY_TIMEOUT: Duration = Duration::from_secs(30);

/// A test binary cargo built.
#[derive(Clone, Debug)]
pub struct TestBinary {
    /// The executable.
    pub executable: PathBuf,
    /// The package's directory (where cargo runs its tests).
    pub package_dir: PathBuf,
}

/// Where a case is linked from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Link {
    /// `test` or `step`.
    pub kind: &'static str,
    /// The test's path, or the step's module path and name.
    pub path: String,
    /// Source file.
    pub file: String,
    /// Line.
    pub line: u32,
    /// `package::binary`.
    pub binary: String,
}

impl Link {
    /// `test cart::adds (tests/cart.rs:6)`.
    pub fn describe(&self) -> String {
        format!("{} {} ({}:{})", self.kind, self.path, self.file, self.line)
    }
}

/// Every link of the workspace.
#[derive(Clone, Debug, Default)]
pub struct Links {
    /// Case ID → where it is linked from (one entry per source location).
    pub cases: BTreeMap<u64, Vec<Link>>,
    /// Tests without a case of their own.
    pub unmapped: Vec<Link>,
    /// Test binaries that answered with a registry.
    pub binaries: usize,
}

impl Links {
    /// Gathers the links of registries. The same test or step seen in several binaries
    /// (a module compiled into each) counts once.
    pub fn from_registries(registries: &[Registry]) -> Links {
        let mut cases: BTreeMap<u64, BTreeSet<Link>> = BTreeMap::new();
        let mut unmapped: BTreeSet<Link> = BTreeSet::new();
        let mut seen_places: BTreeSet<(String, u32, String)> = BTreeSet::new();
        for registry in registries {
            let binary = format!("{}::{}", registry.package, registry.binary);
            for test in &registry.tests {
                let link = Link {
                    kind: "test",
                    path: test.path.clone(),
                    file: test.file.clone(),
                    line: test.line,
                    binary: binary.clone(),
                };
                if !seen_places.insert((test.file.clone(), test.line, test.path.clone())) {
                    continue;
                }
                if test.case_ids.is_empty() {
                    unmapped.insert(link);
                    continue;
                }
                for id in &test.case_ids {
                    cases.entry(*id).or_default().insert(link.clone());
                }
            }
            for step in &registry.steps {
                let path = format!("{}::{}", step.module_path, step.name);
                if step.case_ids.is_empty()
                    || !seen_places.insert((step.file.clone(), step.line, path.clone()))
                {
                    continue;
                }
                let link = Link {
                    kind: "step",
                    path,
                    file: step.file.clone(),
                    line: step.line,
                    binary: binary.clone(),
                };
                for id in &step.case_ids {
                    cases.entry(*id).or_default().insert(link.clone());
                }
            }
        }
        Links {
            cases: cases
                .into_iter()
                .map(|(id, links)| (id, links.into_iter().collect()))
                .collect(),
            unmapped: unmapped.into_iter().collect(),
            binaries: registries.len(),
        }
    }

    /// Cases linked from more than one place.
    pub fn shared(&self) -> impl Iterator<Item = (&u64, &Vec<Link>)> {
        self.cases.iter().filter(|(_, links)| links.len() > 1)
    }
}

/// Builds the test binaries and gathers their links.
pub fn gather(workspace: &Workspace, args: &BuildArgs) -> Result<Links, CliError> {
    Ok(Links::from_registries(&registries(workspace, args)?))
}

/// Builds the test binaries and reads the registry of each testrail harness among them.
pub fn registries(workspace: &Workspace, args: &BuildArgs) -> Result<Vec<Registry>, CliError> {
    let binaries = build(workspace, args)?;
    let bar = progress::bar(binaries.len() as u64, "reading registries");
    let mut registries = Vec::new();
    for binary in &binaries {
        if let Some(registry) = registry_of(binary) {
            registries.push(registry);
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(registries)
}

/// `cargo test --no-run --message-format=json`: the test executables.
fn build(workspace: &Workspace, args: &BuildArgs) -> Result<Vec<TestBinary>, CliError> {
    let mut command = context::cargo();
    command.current_dir(&workspace.root).args([
        "test",
        "--no-run",
        "--message-format=json-render-diagnostics",
    ]);
    if args.packages.is_empty() {
        command.arg("--workspace");
    }
    for package in &args.packages {
        command.args(["--package", package]);
    }
    for features in &args.features {
        command.args(["--features", features]);
    }
    let spinner = progress::spinner("building the test binaries (cargo test --no-run)");
    let output = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(|error| CliError::Cargo(format!("could not run cargo: {error}")))?;
    spinner.finish_and_clear();
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(30).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(CliError::Cargo(format!(
            "`cargo test --no-run` failed; fix the build, then run this again:\n{}",
            tail.join("\n")
        )));
    }
    Ok(test_binaries(&String::from_utf8_lossy(&output.stdout)))
}

/// The test executables in cargo's JSON messages.
pub fn test_binaries(messages: &str) -> Vec<TestBinary> {
    let mut binaries = Vec::new();
    for line in messages.lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if message["reason"] != "compiler-artifact" || message["profile"]["test"] != true {
            continue;
        }
        let (Some(executable), Some(manifest)) = (
            message["executable"].as_str(),
            message["manifest_path"].as_str(),
        ) else {
            continue;
        };
        let package_dir = Path::new(manifest)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        binaries.push(TestBinary {
            executable: PathBuf::from(executable),
            package_dir,
        });
    }
    binaries
}

/// Runs a binary with `--testrail-registry`; `None` when it is not a testrail harness.
fn registry_of(binary: &TestBinary) -> Option<Registry> {
    let mut child = std::process::Command::new(&binary.executable)
        .arg(testrail_export::flags::REGISTRY)
        .current_dir(&binary.package_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdout = child.stdout.take()?;
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() < REGISTRY_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(10));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
    let text = reader.join().ok()?;
    let registry: Registry = serde_json::from_str(text.trim()).ok()?;
    (registry.format == listing::FORMAT).then_some(registry)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry(binary: &str, tests: &[(&str, &[u64], u32)], steps: &[(&str, &[u64])]) -> Registry {
        let tests: Vec<_> = tests
            .iter()
            .map(|(path, ids, line)| {
                serde_json::json!({"path": path, "case_ids": ids, "file": format!("tests/{binary}.rs"), "line": line})
            })
            .collect();
        let steps: Vec<_> = steps
            .iter()
            .map(|(name, ids)| {
                serde_json::json!({"name": name, "module_path": "common", "file": "tests/common.rs", "line": 3, "case_ids": ids})
            })
            .collect();
        serde_json::from_value(serde_json::json!({
            "format": listing::FORMAT, "package": "shop", "binary": binary, "tests": tests, "steps": steps,
        }))
        .unwrap()
    }

    #[test]
    fn shared_cases_unmapped_tests_and_steps_compiled_twice() {
        let links = Links::from_registries(&[
            registry(
                "cart",
                &[("cart::adds", &[1], 5), ("cart::empty", &[], 9)],
                &[("login", &[7])],
            ),
            registry(
                "checkout",
                &[("checkout::pays", &[1, 2], 5)],
                &[("login", &[7])],
            ),
        ]);
        let shared: Vec<u64> = links.shared().map(|(id, _)| *id).collect();
        assert_eq!(
            shared,
            [1],
            "C1 is linked from two tests; the step is one place"
        );
        assert_eq!(links.cases[&7].len(), 1);
        assert_eq!(links.cases[&7][0].kind, "step");
        assert_eq!(links.unmapped.len(), 1);
        assert_eq!(links.unmapped[0].path, "cart::empty");
    }

    #[test]
    fn only_test_executables_are_taken() {
        let messages = r#"{"reason":"compiler-artifact","profile":{"test":true},"executable":"/t/cart-1","manifest_path":"/w/shop/Cargo.toml"}
{"reason":"compiler-artifact","profile":{"test":false},"executable":null,"manifest_path":"/w/shop/Cargo.toml"}
{"reason":"build-finished","success":true}
not json"#;
        let binaries = test_binaries(messages);
        assert_eq!(binaries.len(), 1);
        assert_eq!(binaries[0].package_dir, Path::new("/w/shop"));
    }
}
