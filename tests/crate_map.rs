//! The crate map's promises, checked with `cargo tree`: a test binary built without the
//! `export` feature links no HTTP stack, and the TestRail client depends on nothing of the
//! test harness.

mod support;

/// The package names `cargo tree` prints for `args`, one per line (`--prefix none`, no
/// duplicates marker).
fn tree(args: &[&str]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let ran = support::run(
        support::cargo(dir.path())
            .args(["tree", "--prefix", "none", "--no-dedupe", "--format", "{p}"])
            .args(args),
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let mut names: Vec<String> = ran
        .stdout
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn testrail_without_default_features_links_no_http_stack() {
    let names = tree(&["-p", "testrail", "--no-default-features", "-e", "normal"]);
    assert!(
        names.iter().any(|name| name == "testrail-harness"),
        "{names:?}"
    );
    for http in [
        "reqwest",
        "hyper",
        "rustls",
        "ring",
        "tokio-rustls",
        "testrail-api",
        "testrail-export",
    ] {
        assert!(
            !names.iter().any(|name| name == http),
            "{http} is linked without the export feature: {names:?}"
        );
    }

    // With the default features the export, and so the HTTP stack, is there: the check
    // above would see it.
    let names = tree(&["-p", "testrail", "-e", "normal"]);
    assert!(names.iter().any(|name| name == "reqwest"), "{names:?}");
}

#[test]
fn the_testrail_client_depends_on_nothing_of_the_harness() {
    let names = tree(&["-p", "testrail-api", "-e", "normal"]);
    assert!(names.iter().any(|name| name == "reqwest"), "{names:?}");
    for ours in [
        "testrail",
        "testrail-harness",
        "testrail-formats",
        "testrail-export",
        "testrail-macros",
        "libtest-mimic",
        "linkme",
    ] {
        assert!(
            !names.iter().any(|name| name == ours),
            "testrail-api depends on {ours}: {names:?}"
        );
    }
}
