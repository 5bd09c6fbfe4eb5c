//! Reliability, scenario 12 (issue 10), the harness side: a test binary with the export on
//! never prints the API key, whatever shape TESTRAIL_URL has, in its "export failed" line
//! (strict) or its "NOT sent" warning (`export_failure = "warn"`). The CLI side is
//! `cargo-testrail/tests/reliability_secrets.rs`.

#[path = "support/binaries.rs"]
mod binaries;
mod support;
#[path = "support/url_shapes.rs"]
mod url_shapes;

#[test]
fn no_url_shape_makes_an_exporting_test_binary_print_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let shapes = url_shapes::shapes();
    for (i, (url, key)) in shapes.iter().enumerate() {
        let mode = if i % 2 == 0 { "fail" } else { "warn" };
        let env: Vec<(String, String)> = [
            ("TESTRAIL_URL", url.as_str()),
            ("TESTRAIL_USER", "ci@acme.io"),
            ("TESTRAIL_API_KEY", key),
            ("TESTRAIL_PROJECT", "Shop"),
            ("TESTRAIL_EXPORT", "1"),
            ("TESTRAIL_EXPORT_FAILURE", mode),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let ran = binaries::scenario(dir.path(), "green", &[], &env);
        if let Some(fragment) = url_shapes::leaked(&ran.both(), key) {
            panic!(
                "TESTRAIL_URL={url:?} ({mode}) printed {fragment:?} of the key\n{}",
                ran.both()
            );
        }
        let expected = match mode {
            "fail" => (Some(1), "testrail: export failed: TESTRAIL_URL `"),
            _ => (
                Some(0),
                "testrail: warning: the results were NOT sent to TestRail (export_failure = warn keeps the tests' exit code): TESTRAIL_URL `",
            ),
        };
        assert_eq!(ran.code, expected.0, "{url:?}\n{}", ran.both());
        assert!(ran.stderr.contains(expected.1), "{url:?}\n{}", ran.both());
        assert!(
            ran.stderr.contains("it holds credentials"),
            "{url:?}\n{}",
            ran.both()
        );
    }
}
