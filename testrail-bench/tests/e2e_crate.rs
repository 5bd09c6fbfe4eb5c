//! The end-to-end benchmark's generated crate at a small size: both sides hold the same
//! tests (names, case IDs, the five steps, the failing and flaky ones), and the workspace
//! has the nextest profile that writes JUnit. Nothing is built or timed here; the benchmark
//! itself (`cargo run --release -p testrail-bench -- e2e`) builds and runs it.

use testrail_bench::e2e_crate::{self, PLAIN, STEPS, TESTRAIL};

const TESTS: u32 = 40;

fn count(text: &str, needle: &str) -> usize {
    text.matches(needle).count()
}

#[test]
fn both_sides_hold_the_same_tests_steps_failures_and_flaky_ones() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    e2e_crate::generate_into(dir.path(), TESTS).expect("the workspace can be written");
    let read = |path: &[&str]| {
        let mut file = dir.path().to_path_buf();
        file.extend(path);
        std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
    };
    let plain = read(&[PLAIN, "tests", "t.rs"]);
    let ours = read(&[TESTRAIL, "tests", "t.rs"]);

    for i in 1..=TESTS {
        let body = format!("fn c{i}_checkout() {{\n    checkout({i});\n}}");
        assert_eq!(count(&plain, &body), 1, "plain side, test {i}");
        assert_eq!(count(&ours, &body), 1, "our side, test {i}");
        assert_eq!(
            count(
                &ours,
                &format!("#[testrail::case(C{i}, retries = 1)]\nfn c{i}_")
            ),
            1,
            "test {i} is linked to case C{i} with one retry"
        );
    }
    assert_eq!(count(&plain, "#[test]\n"), TESTS as usize);
    assert_eq!(
        count(&plain, "#[testrail::"),
        0,
        "the plain side is plain libtest"
    );
    assert_eq!(count(&ours, "#[testrail::step(name = "), STEPS as usize);
    assert_eq!(count(&ours, "testrail::main!();"), 1);

    // The step bodies are the same code on both sides.
    let without_attributes = |text: &str| -> String {
        text.lines()
            .filter(|line| !line.starts_with("#[") && !line.starts_with("// step:"))
            .filter(|line| !line.starts_with("testrail::main!"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(without_attributes(&plain), without_attributes(&ours));

    assert_eq!(e2e_crate::failing_cases(TESTS), vec![20, 40]);
    assert_eq!(e2e_crate::flaky_cases(TESTS), vec![7]);
    assert!(plain.contains("i % 20 != 0") && plain.contains("i % 100 == 7"));

    let nextest = read(&[".config", "nextest.toml"]);
    assert!(nextest.contains("[profile.ci.junit]\npath = \"junit.xml\""));
    let workspace = read(&["Cargo.toml"]);
    assert!(workspace.contains(&format!("members = [{PLAIN:?}, {TESTRAIL:?}]")));
    let manifest = read(&[TESTRAIL, "Cargo.toml"]);
    assert!(manifest.contains("harness = false") && manifest.contains("testrail = { path = "));
    assert!(!read(&[PLAIN, "Cargo.toml"]).contains("harness = false"));

    // Writing again changes nothing (no rebuild on the next run).
    let modified = std::fs::metadata(dir.path().join(TESTRAIL).join("tests").join("t.rs"))
        .and_then(|m| m.modified())
        .expect("the test file's time");
    e2e_crate::generate_into(dir.path(), TESTS).expect("the workspace can be written again");
    let again = std::fs::metadata(dir.path().join(TESTRAIL).join("tests").join("t.rs"))
        .and_then(|m| m.modified())
        .expect("the test file's time");
    assert_eq!(modified, again);
}
