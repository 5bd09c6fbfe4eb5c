//! `cargo testrail import junit` on the files other TestRail uploaders' users reported
//! (`tests/junit/realworld/`, each with its expectation in its header comment) and on the
//! dialects of the tools that write JUnit (`tests/junit/dialects/`): the CLI as a real
//! process against `testrail-sim`, every expectation read back from the simulator's results
//! (case, status, elapsed, comment).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{Ran, Stored, World, import};

const PASSED: u64 = 1;
const RETEST: u64 = 4;
const FAILED: u64 = 5;

/// Every case the fixtures name.
const CASES: &[std::ops::RangeInclusive<u64>] = &[
    101..=115,
    201..=205,
    301..=305,
    401..=403,
    501..=503,
    601..=602,
    701..=704,
    801..=806,
    901..=905,
    911..=915,
    921..=923,
    931..=934,
    941..=945,
    951..=954,
    961..=964,
    971..=975,
    981..=982,
];

/// A simulator whose project "Shop" has every case of the fixtures (titled `Case <id>`).
fn world() -> World {
    World::with_cases(CASES.iter().flat_map(|range| range.clone()))
}

fn realworld(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/junit/realworld")
        .join(name)
}

fn reported(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/junit/reported")
        .join(name)
}

fn dialect(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/junit/dialects")
        .join(name)
}

/// The one result of a case.
fn one(results: &BTreeMap<u64, Vec<Stored>>, case_id: u64) -> Stored {
    match results.get(&case_id).map(Vec::as_slice) {
        Some([stored]) => stored.clone(),
        other => panic!("C{case_id}: one result expected, got {other:?}\n{results:#?}"),
    }
}

fn statuses(results: &BTreeMap<u64, Vec<Stored>>) -> BTreeMap<u64, Vec<u64>> {
    results
        .iter()
        .map(|(case, stored)| (*case, stored.iter().map(|s| s.status).collect()))
        .collect()
}

fn json(ran: &Ran) -> serde_json::Value {
    serde_json::from_str(&ran.stdout).unwrap_or_else(|e| panic!("JSON: {e}\n{}", ran.both()))
}

/// `test → case IDs` of `import --json`.
fn mapped(json: &serde_json::Value) -> BTreeMap<String, Vec<u64>> {
    json["tests"]
        .as_array()
        .expect("tests")
        .iter()
        .map(|t| {
            (
                t["test"].as_str().unwrap().to_owned(),
                t["case_ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|id| id.as_u64().unwrap())
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn ids_xml_every_form_reaches_exactly_its_cases() {
    let world = world();
    let (ran, results) = import(
        &world,
        &[realworld("ids.xml")],
        &["--json", "--no-title-match"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let json = json(&ran);
    let expected: &[(&str, &[u64])] = &[
        ("tests.test_cart::test_C101_adds_item", &[101]),
        ("tests.test_cart::test_cart_C102", &[102]),
        ("tests.test_cart::test_login_C103_C104_twice", &[103, 104]),
        ("tests.test_cart::test_param_C105[fast-1]", &[105]),
        ("tests.test_cart::test_c3po_talks", &[]),
        ("tests.test_cart::test_sha256_of_C0", &[]),
        ("shop::cart::tests::c106_merges_lines", &[106]),
        ("shop::cart::tests::checkout_c107", &[107]),
        ("shop::cart::abc123_is_not_an_id", &[]),
        (
            "Cart::Cart C108 C109 - keeps lines after reload",
            &[108, 109],
        ),
        ("Cart::Cart removes the last line C110", &[110]),
        ("Pay::C111: declines an expired card", &[111]),
        ("Pay::Create order (#3) without C-number", &[]),
        ("Pay::refund [C112, C113] splits", &[112, 113]),
        ("com.acme.PayIT::refund_C114(String, int)[2]", &[114]),
        ("com.acme.PayIT::module_2_C115_partial_refund", &[115]),
    ];
    let expected: BTreeMap<String, Vec<u64>> = expected
        .iter()
        .map(|(test, ids)| (test.to_string(), ids.to_vec()))
        .collect();
    assert_eq!(mapped(&json), expected, "{}", ran.stdout);
    assert_eq!(
        json["unmapped"].as_array().unwrap().len(),
        4,
        "the look-alikes are listed as unmatched: {}",
        ran.stdout
    );
    let reported: Vec<u64> = results.keys().copied().collect();
    assert_eq!(reported, (101..=115).collect::<Vec<_>>(), "{results:#?}");
    assert!(
        results
            .values()
            .all(|r| r.len() == 1 && r[0].status == PASSED)
    );
}

#[test]
fn nested_xml_every_testcase_at_any_depth_is_imported() {
    let world = world();
    let (ran, results) = import(&world, &[realworld("nested.xml")], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stdout.contains("5 test(s): 5 matched"),
        "{}",
        ran.both()
    );
    assert_eq!(
        statuses(&results),
        BTreeMap::from([
            (201, vec![FAILED]),
            (202, vec![PASSED]),
            (203, vec![PASSED]),
            (204, vec![PASSED]),
            (205, vec![FAILED]),
        ])
    );
    let c201 = one(&results, 201).comment;
    assert!(
        c201.contains("total off by one") && c201.contains("expected 10, got 11"),
        "{c201}"
    );
    assert!(one(&results, 205).comment.contains("no answer"));
}

#[test]
fn times_xml_thousands_separators_and_decimal_commas_by_one_rule() {
    let world = world();
    let (ran, results) = import(&world, &[realworld("times.xml")], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let elapsed: BTreeMap<u64, String> = (301..=305)
        .map(|case| (case, one(&results, case).elapsed))
        .collect();
    assert_eq!(
        elapsed,
        BTreeMap::from([
            (301, "17m 5s".to_owned()),
            // 14,029.3 s is 3h 53m 49.3s ("about 3h 53m 50s" in the file's comment).
            (302, "3h 53m 49s".to_owned()),
            (303, "1s".to_owned()),
            (304, "1s".to_owned()),
            (305, "2s".to_owned()),
        ])
    );
    // Said once for the file, for each kind.
    assert_eq!(
        ran.stderr.matches("thousands separators").count(),
        1,
        "{}",
        ran.both()
    );
    assert_eq!(
        ran.stderr.matches("decimal comma").count(),
        1,
        "{}",
        ran.both()
    );
    assert!(ran.stderr.contains("times.xml"), "{}", ran.both());

    // With milliseconds on, the exact values.
    let world2 = self::world();
    let (ran, results) = import(&world2, &[realworld("times.xml")], &["--elapsed-ms"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let elapsed: Vec<String> = (301..=305)
        .map(|case| one(&results, case).elapsed)
        .collect();
    assert_eq!(
        elapsed,
        ["1024.500s", "14029.300s", "0.030s", "0.160s", "1.500s"]
    );
}

#[test]
fn empty_missing_and_bad_times_are_said_once_per_file() {
    let world = world();
    let file = world.dir.path().join("odd-times.xml");
    std::fs::write(
        &file,
        r#"<testsuite name="odd">
  <testcase classname="odd" name="C101 no time"/>
  <testcase classname="odd" name="C102 empty" time=""/>
  <testcase classname="odd" name="C103 text" time="fast"/>
  <testcase classname="odd" name="C104 negative" time="-3"/>
  <testcase classname="odd" name="C105 fine" time="3.4"/>
</testsuite>"#,
    )
    .unwrap();
    let (ran, results) = import(&world, &[file], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(
        ran.stderr.matches("without a time").count(),
        1,
        "{}",
        ran.both()
    );
    assert_eq!(
        ran.stderr.matches("not seconds").count(),
        1,
        "{}",
        ran.both()
    );
    assert!(
        ran.stderr.contains("\"fast\"") && ran.stderr.contains("\"-3\""),
        "{}",
        ran.both()
    );
    for case in 101..=104 {
        assert_eq!(one(&results, case).elapsed, "1s", "C{case}");
    }
    assert_eq!(one(&results, 105).elapsed, "3s");
}

#[test]
fn control_chars_xml_is_accepted_and_imported_with_clean_xml() {
    let world = world();
    let (ran, results) = import(
        &world,
        &[realworld("control-chars.xml"), realworld("clean.xml")],
        &[],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(
        statuses(&results),
        BTreeMap::from([
            (401, vec![FAILED]),
            (402, vec![PASSED]),
            (403, vec![PASSED])
        ])
    );
    let c401 = one(&results, 401).comment;
    assert!(c401.contains("expected 3 got 4"), "{c401}");
    assert!(
        !c401.contains('\u{1b}') && !c401.contains('\u{7}') && !c401.contains("[31m"),
        "no escape sequences reach TestRail: {c401:?}"
    );
}

#[test]
fn an_unreadable_file_is_named_with_its_place_and_never_blocks_the_others() {
    let world = world();
    let cut = world.dir.path().join("cut.xml");
    std::fs::write(
        &cut,
        "<testsuites>\n  <testsuite name=\"cut\">\n    <testcase name=\"C101 half\" time=\"1\">\n      <failure>",
    )
    .unwrap();
    let broken = world.dir.path().join("broken.xml");
    std::fs::write(&broken, "<testsuite>\n<testcase name=\"C102\"></testsuite>").unwrap();
    let (ran, results) = import(
        &world,
        &[
            cut,
            realworld("control-chars.xml"),
            broken,
            realworld("clean.xml"),
        ],
        &[],
    );
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert!(
        ran.stderr.contains("cut.xml") && ran.stderr.contains("ends inside <failure>"),
        "{}",
        ran.both()
    );
    assert!(ran.stderr.contains("line 4, column"), "{}", ran.both());
    assert!(
        ran.stderr.contains("broken.xml") && ran.stderr.contains("line 2, column 23"),
        "{}",
        ran.both()
    );
    assert!(
        ran.stderr.contains("2 of 4 file(s) left out"),
        "{}",
        ran.both()
    );
    assert!(!ran.stderr.contains("panicked"), "{}", ran.both());
    assert_eq!(
        statuses(&results),
        BTreeMap::from([
            (401, vec![FAILED]),
            (402, vec![PASSED]),
            (403, vec![PASSED])
        ]),
        "the readable files arrive"
    );

    // The same in JSON: the files left out, with where and why.
    let (ran, _) = import(
        &world,
        &[
            world.dir.path().join("cut.xml"),
            realworld("clean.xml"),
            realworld("times.xml"),
        ],
        &["--json"],
    );
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    let json = json(&ran);
    let left_out = json["left_out"].as_array().expect("left_out");
    assert_eq!(left_out.len(), 1, "{}", ran.stdout);
    assert!(left_out[0].as_str().unwrap().contains("cut.xml"));
    assert!(
        json["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("times.xml: time:")),
        "{}",
        ran.stdout
    );
}

#[test]
fn reruns_xml_every_attempt_is_one_result() {
    let world = world();
    let (ran, results) = import(&world, &[realworld("reruns.xml")], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(
        statuses(&results),
        BTreeMap::from([
            (501, vec![PASSED]),
            (502, vec![FAILED]),
            (503, vec![PASSED])
        ]),
        "one result each, also for C503 listed twice"
    );
    assert!(
        ran.stderr
            .contains("com.acme.CheckoutIT::C503_guest (2 times)"),
        "the repeated test is said: {}",
        ran.both()
    );
    let c501 = one(&results, 501).comment;
    assert!(c501.contains("LikelyNoBug"), "flaky: {c501}");
    assert!(
        c501.contains("frame not ready after 5s"),
        "the failed attempt: {c501}"
    );
    assert!(c501.contains("Attempts: 2"), "{c501}");
    let c502 = one(&results, 502).comment;
    assert!(c502.contains("Attempts: 3"), "{c502}");
    for attempt in ["(attempt 1)", "attempt 2", "attempt 3"] {
        assert!(c502.contains(attempt), "{attempt} is listed: {c502}");
    }
    let c503 = one(&results, 503).comment;
    assert!(
        c503.contains("LikelyNoBug") && c503.contains("first attempt"),
        "{c503}"
    );
    assert_eq!(one(&results, 503).elapsed, "2s", "1.0 s + 1.1 s");
}

#[test]
fn skipped_xml_reasons_reach_the_comment_when_skips_are_reported() {
    let world = world();
    std::fs::write(
        world.dir.path().join("testrail.toml"),
        "[mapping]\nskipped = \"Retest\"\n",
    )
    .unwrap();
    let (ran, results) = import(&world, &[realworld("skipped.xml")], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(
        statuses(&results),
        BTreeMap::from([(601, vec![RETEST]), (602, vec![RETEST])])
    );
    let c601 = one(&results, 601).comment;
    assert!(
        c601.contains("invoice sandbox is down until Friday"),
        "{c601}"
    );
    let c602 = one(&results, 602).comment;
    assert!(!c602.contains("Friday"), "{c602}");
}

#[test]
fn skipped_tests_are_not_reported_by_default_and_say_so() {
    let world = world();
    let (ran, results) = import(&world, &[realworld("skipped.xml")], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(results.is_empty(), "{results:#?}");
    assert!(
        ran.stdout.contains("2 test(s): 2 matched"),
        "{}",
        ran.both()
    );
    assert!(
        ran.stdout.contains("not reported: C601: skipped")
            && ran.stdout.contains("not reported: C602: skipped"),
        "each skipped test is said: {}",
        ran.both()
    );
    assert!(
        !ran.stdout.contains("already stored")
            && ran
                .stdout
                .contains("nothing to send: no test has a result to report"),
        "{}",
        ran.both()
    );
}

#[test]
fn nothing_matched_is_not_called_already_stored() {
    let world = world();
    let file = world.dir.path().join("nothing.xml");
    std::fs::write(
        &file,
        r#"<testsuite name="x"><testcase classname="x" name="test_c3po_talks"/><testcase classname="x" name="sha256_works"/></testsuite>"#,
    )
    .unwrap();
    let (ran, results) = import(&world, std::slice::from_ref(&file), &["--no-title-match"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(results.is_empty());
    assert!(!ran.both().contains("already stored"), "{}", ran.both());
    assert!(
        ran.stdout
            .contains("nothing sent: none of the 2 test(s) matches a case"),
        "{}",
        ran.both()
    );
    assert!(
        ran.stdout.contains("x::test_c3po_talks"),
        "listed: {}",
        ran.both()
    );

    let (ran, _) = import(
        &world,
        &[file],
        &["--no-title-match", "--fail-on-unmatched"],
    );
    assert_eq!(ran.code, Some(1), "{}", ran.both());
}

#[test]
fn fail_on_unmatched_sends_the_matched_and_exits_1_from_flag_env_or_file() {
    let world = world();
    let ids = realworld("ids.xml");
    let (ran, results) = import(
        &world,
        std::slice::from_ref(&ids),
        &["--no-title-match", "--fail-on-unmatched"],
    );
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    assert_eq!(results.len(), 15, "the matched ones are sent");
    assert!(
        ran.stderr.contains("4 test(s) match no case"),
        "{}",
        ran.both()
    );

    let mut command =
        world.command(&["import", "junit", ids.to_str().unwrap(), "--no-title-match"]);
    command.env("TESTRAIL_FAIL_ON_UNMATCHED", "1");
    assert_eq!(common::run(&mut command).code, Some(1));

    std::fs::write(
        world.dir.path().join("testrail.toml"),
        "fail_on_unmatched = true\n",
    )
    .unwrap();
    let ran = world.run(&["import", "junit", ids.to_str().unwrap(), "--no-title-match"]);
    assert_eq!(ran.code, Some(1), "{}", ran.both());

    // Everything matched: 0 even with the setting.
    let ran = world.run(&["import", "junit", realworld("nested.xml").to_str().unwrap()]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
}

#[test]
fn a_team_pattern_finds_its_own_ids() {
    let world = world();
    let file = world.dir.path().join("team.xml");
    std::fs::write(
        &file,
        r#"<testsuite name="t">
  <testcase classname="t" name="checkout TR-101 works"/>
  <testcase classname="t" name="C102 is not our convention"/>
</testsuite>"#,
    )
    .unwrap();
    let (ran, results) = import(
        &world,
        std::slice::from_ref(&file),
        &["--case-id-pattern", r"TR-(\d+)", "--no-title-match"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(statuses(&results), BTreeMap::from([(101, vec![PASSED])]));

    let mut command = world.command(&["import", "junit", file.to_str().unwrap()]);
    command.env("TESTRAIL_CASE_ID_PATTERN", r"TR-\d+");
    let ran = common::run(&mut command);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert!(
        ran.stderr.contains("0 capture groups") && ran.stderr.contains("case_id_pattern"),
        "{}",
        ran.both()
    );
}

#[test]
fn cargo_nextest_retries_become_attempts() {
    // Written by cargo-nextest 0.9.143 (`retries = 2`, profile `ci`) for a crate with a
    // passing, a flaky, an always-failing, an ignored and an unmapped test.
    let world = world();
    let (ran, results) = import(
        &world,
        &[dialect("nextest.xml")],
        &["--no-title-match", "--json"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let json = json(&ran);
    assert_eq!(
        json["unmapped"],
        serde_json::json!(["nx::cart::starts_empty"])
    );
    assert_eq!(
        statuses(&results),
        BTreeMap::from([
            (701, vec![PASSED]),
            (702, vec![PASSED]),
            (703, vec![FAILED])
        ]),
        "nextest leaves ignored tests out of its JUnit, so C704 has nothing"
    );
    let c702 = one(&results, 702).comment;
    assert!(
        c702.contains("LikelyNoBug") && c702.contains("frame not ready on attempt 1"),
        "{c702}"
    );
    let c703 = one(&results, 703).comment;
    for attempt in 1..=3 {
        assert!(
            c703.contains(&format!("total is wrong on attempt {attempt}")),
            "attempt {attempt}: {c703}"
        );
    }
}

#[test]
fn pytest_as_it_writes_junit() {
    // Written by pytest 9.2 (`--junitxml`, `junit_family=xunit2`, `junit_logging=system-out`).
    let world = world();
    std::fs::write(
        world.dir.path().join("testrail.toml"),
        "[mapping]\nskipped = \"Retest\"\n",
    )
    .unwrap();
    let (ran, results) = import(
        &world,
        &[dialect("pytest.xml")],
        &["--no-title-match", "--json"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let json = json(&ran);
    assert_eq!(
        json["unmapped"],
        serde_json::json!(["tests.test_cart::test_no_case_here"])
    );
    assert_eq!(
        statuses(&results),
        BTreeMap::from([
            (801, vec![PASSED]),
            (802, vec![FAILED]),
            (803, vec![PASSED]),
            (804, vec![RETEST]),
            (805, vec![FAILED]),
            (806, vec![PASSED]),
        ]),
        "the two parameters of C803 are one result (the worst wins); the fixture error is a failure"
    );
    assert!(
        one(&results, 802)
            .comment
            .contains("AssertionError: total off")
    );
    assert!(
        one(&results, 804)
            .comment
            .contains("invoice sandbox is down")
    );
    assert!(one(&results, 805).comment.contains("db is not reachable"));
    assert!(one(&results, 806).comment.contains("green output"));
}

#[test]
fn maven_surefire_flaky_and_rerun_failures() {
    let world = world();
    let (ran, results) = import(&world, &[dialect("surefire.xml")], &["--no-title-match"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(
        statuses(&results),
        BTreeMap::from([
            (901, vec![PASSED]),
            (902, vec![PASSED]),
            (903, vec![FAILED]),
            (904, vec![FAILED]),
        ]),
        "C905 is skipped: not reported by default"
    );
    let c902 = one(&results, 902).comment;
    assert!(
        c902.contains("frame not ready after 5s") && c902.contains("LikelyNoBug"),
        "{c902}"
    );
    let c903 = one(&results, 903).comment;
    assert!(c903.contains("Attempts: 3"), "{c903}");
    for was in ["<100>", "<101>", "<102>"] {
        assert!(c903.contains(was), "{was}: {c903}");
    }
    assert!(one(&results, 904).comment.contains("Connection refused"));
    assert_eq!(one(&results, 902).elapsed, "3s", "2,5 s: a decimal comma");
    assert!(ran.stderr.contains("decimal comma"), "{}", ran.both());
}

#[test]
fn mocha_cypress_titles_with_several_ids() {
    let world = world();
    std::fs::write(
        world.dir.path().join("testrail.toml"),
        "[mapping]\nskipped = \"Retest\"\n",
    )
    .unwrap();
    let (ran, results) = import(
        &world,
        &[dialect("mocha-cypress.xml")],
        &["--no-title-match"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(
        statuses(&results),
        BTreeMap::from([
            (911, vec![PASSED]),
            (912, vec![PASSED]),
            (913, vec![FAILED]),
            (914, vec![PASSED]),
            (915, vec![RETEST]),
        ])
    );
    assert!(one(&results, 913).comment.contains("expected 1 to equal 0"));
    assert_eq!(one(&results, 914).elapsed, "2s");
}

#[test]
fn bats_with_colours_and_a_skip_reason_in_the_text() {
    let world = world();
    std::fs::write(
        world.dir.path().join("testrail.toml"),
        "[mapping]\nskipped = \"Retest\"\n",
    )
    .unwrap();
    let (ran, results) = import(&world, &[dialect("bats.xml")], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(
        statuses(&results),
        BTreeMap::from([
            (921, vec![FAILED]),
            (922, vec![PASSED]),
            (923, vec![RETEST])
        ])
    );
    let c921 = one(&results, 921).comment;
    assert!(
        c921.contains("expected 3 got 4") && !c921.contains('\u{1b}'),
        "{c921:?}"
    );
    assert!(
        c921.contains("(in test file test/cli.bats, line 5)"),
        "{c921}"
    );
    assert!(one(&results, 923).comment.contains("no network in CI"));
}

#[test]
fn jest_junit_full_titles() {
    // Written by Jest 30.5 with jest-junit 17 (defaults).
    let world = world();
    let (ran, results) = import(
        &world,
        &[dialect("jest-junit.xml")],
        &["--no-title-match", "--json"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(
        json(&ran)["unmapped"],
        serde_json::json!(["Cart keeps no case::Cart keeps no case"])
    );
    assert_eq!(
        statuses(&results),
        BTreeMap::from([
            (931, vec![PASSED]),
            (932, vec![FAILED]),
            (934, vec![PASSED])
        ]),
        "C933 is skipped: not reported by default"
    );
    let c932 = one(&results, 932).comment;
    assert!(
        c932.contains("Expected: 0") && c932.contains("Received: 1"),
        "{c932}"
    );
}

#[test]
fn mocha_junit_reporter_suites_per_describe() {
    // Written by mocha 10.8 with mocha-junit-reporter 2.2 (defaults).
    let world = world();
    let (ran, results) = import(&world, &[dialect("mocha-junit.xml")], &["--no-title-match"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stdout.contains("3 test(s): 3 matched"),
        "{}",
        ran.both()
    );
    assert_eq!(
        statuses(&results),
        BTreeMap::from([
            (941, vec![PASSED]),
            (942, vec![PASSED]),
            (943, vec![FAILED]),
            (945, vec![PASSED]),
        ]),
        "mocha-junit-reporter leaves the pending C944 out of its file"
    );
    assert!(one(&results, 943).comment.contains("expected 1 to equal 0"));
}

#[test]
fn upload_fails_on_unmatched_tests_too_after_sending_the_matched() {
    let world = world();
    common::spool(
        &world,
        "ci-7",
        "shop",
        1,
        vec![
            common::passed("cart::adds", &[101]),
            common::passed("cart::unlinked", &[]),
        ],
    );
    let ran = world.run(&["upload", "--fail-on-unmatched"]);
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    assert!(
        ran.stderr.contains("1 test(s) match no case") && ran.stderr.contains("cart::unlinked"),
        "{}",
        ran.both()
    );
    let run_id = *world.run_ids().last().expect("a run");
    assert_eq!(
        world.statuses(run_id),
        BTreeMap::from([(101, vec![PASSED])])
    );

    // Without the setting: 0, as before.
    let ran = world.run(&["upload"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
}

#[test]
fn node_test_runner_cases_right_under_the_root() {
    // Written by Node.js 20.20 `node --test --test-reporter=junit`.
    let world = world();
    std::fs::write(
        world.dir.path().join("testrail.toml"),
        "[mapping]\nskipped = \"Retest\"\n",
    )
    .unwrap();
    let (ran, results) = import(&world, &[dialect("node-test.xml")], &["--no-title-match"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stdout.contains("4 test(s): 4 matched"),
        "{}",
        ran.both()
    );
    assert_eq!(
        statuses(&results),
        BTreeMap::from([
            (951, vec![PASSED]),
            (952, vec![FAILED]),
            (953, vec![RETEST]),
            (954, vec![PASSED]),
        ])
    );
    assert!(one(&results, 952).comment.contains("1 !== 0"));
    assert!(
        one(&results, 953)
            .comment
            .contains("invoice sandbox is down")
    );
}

#[test]
fn testsuites_inside_testsuites() {
    let world = world();
    let file = world.dir.path().join("merged.xml");
    // What merging tools (junit-merge, junitparser) write: a report of reports.
    std::fs::write(
        &file,
        r#"<?xml version="1.0"?>
<testsuites name="merged">
  <testsuites name="shard-1">
    <testsuite name="a"><testcase classname="a" name="C101 one" time="1"/></testsuite>
  </testsuites>
  <testsuites name="shard-2">
    <testsuites name="inner">
      <testsuite name="b"><testcase classname="b" name="C102 two" time="1"><error message="boom"/></testcase></testsuite>
    </testsuites>
    <testcase classname="c" name="C103 three" time="1"/>
  </testsuites>
</testsuites>"#,
    )
    .unwrap();
    let (ran, results) = import(&world, &[file], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(
        statuses(&results),
        BTreeMap::from([
            (101, vec![PASSED]),
            (102, vec![FAILED]),
            (103, vec![PASSED])
        ])
    );
    assert!(one(&results, 102).comment.contains("boom"));
}

#[test]
fn raw_control_bytes_and_bytes_that_are_not_utf8_are_accepted() {
    let world = world();
    let raw = world.dir.path().join("raw.xml");
    std::fs::write(
        &raw,
        b"<testsuite name=\"raw\">\n  <testcase classname=\"raw\" name=\"C101 colours\" time=\"0.1\"><failure>\x1b[31mexpected 3\x00 got 4\x1b[0m\x07</failure></testcase>\n  <testcase classname=\"raw\" name=\"C102 caf\xe9\" time=\"0.1\"/>\n</testsuite>\n",
    )
    .unwrap();
    let (ran, results) = import(&world, &[raw], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(
        statuses(&results),
        BTreeMap::from([(101, vec![FAILED]), (102, vec![PASSED])])
    );
    let c101 = one(&results, 101).comment;
    assert!(c101.contains("expected 3 got 4"), "{c101:?}");
    assert!(!c101.contains('\u{1b}') && !c101.contains('\0'), "{c101:?}");
    assert!(ran.stderr.contains("not UTF-8"), "said: {}", ran.both());
}

#[test]
fn only_unreadable_files_import_nothing_and_name_each() {
    let world = world();
    let a = world.dir.path().join("a.xml");
    let b = world.dir.path().join("b.xml");
    std::fs::write(&a, "<html><body>502 Bad Gateway</body></html>").unwrap();
    std::fs::write(&b, "").unwrap();
    let (ran, results) = import(&world, &[a, b], &[]);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert!(results.is_empty());
    assert!(
        ran.stderr.contains("a.xml") && ran.stderr.contains("the root element is <html>"),
        "{}",
        ran.both()
    );
    assert!(
        ran.stderr.contains("b.xml") && ran.stderr.contains("holds no XML element"),
        "{}",
        ran.both()
    );
    assert!(ran.stderr.contains("nothing imported"), "{}", ran.both());
}

#[test]
fn a_file_without_test_cases_says_so() {
    let world = world();
    let empty = world.dir.path().join("empty.xml");
    std::fs::write(
        &empty,
        r#"<testsuites name="none" tests="0"><testsuite name="x" tests="0"/></testsuites>"#,
    )
    .unwrap();
    let (ran, results) = import(&world, &[empty], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(results.is_empty());
    assert!(
        ran.stderr
            .contains("empty.xml: the file holds no <testcase>"),
        "{}",
        ran.both()
    );
    assert!(
        ran.stdout
            .contains("nothing sent: the file(s) hold no test case"),
        "{}",
        ran.both()
    );
}

#[test]
fn reported_phpunit_nesting() {
    let world = world();
    let file = reported("phpunit-nested.xml");
    let (ran, results) = import(&world, std::slice::from_ref(&file), &["--no-title-match"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stdout.contains("4 test(s): 3 matched"),
        "{}",
        ran.both()
    );
    assert!(
        ran.stdout.contains("Shop.Tests.CartTest::testC961AddsItem"),
        "camelCase carries no ID: listed as unmatched\n{}",
        ran.both()
    );
    assert_eq!(
        statuses(&results),
        BTreeMap::from([
            (962, vec![PASSED]),
            (963, vec![FAILED]),
            (964, vec![PASSED])
        ])
    );
    assert!(
        one(&results, 963)
            .comment
            .contains("Failed asserting that 11 matches expected 10.")
    );

    // A team whose convention is camelCase says so.
    let world = self::world();
    let (ran, results) = import(
        &world,
        &[file],
        &["--no-title-match", "--case-id-pattern", r"C(\d+)"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(
        statuses(&results),
        BTreeMap::from([
            (961, vec![PASSED]),
            (962, vec![PASSED]),
            (963, vec![FAILED]),
            (964, vec![PASSED]),
        ])
    );
}

#[test]
fn reported_locale_times() {
    let world = world();
    let (ran, results) = import(&world, &[reported("locale-times.xml")], &["--elapsed-ms"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let elapsed: Vec<String> = (971..=975)
        .map(|case| one(&results, case).elapsed)
        .collect();
    assert_eq!(
        elapsed,
        ["0.030s", "0.160s", "1.078s", "2120.532s", "14029.255s"]
    );
    assert!(
        ran.stderr.contains("\"1,078\" could also be whole seconds"),
        "the ambiguous value is said: {}",
        ran.both()
    );
}

#[test]
fn reported_scanner_control_ids_are_not_case_ids() {
    let world = world();
    let (ran, results) = import(&world, &[reported("scanner-ids.xml")], &["--json"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(
        mapped(&json(&ran)),
        BTreeMap::from([
            (
                "C-0061::C981 Pods in default namespace".to_owned(),
                vec![981]
            ),
            ("C-0044::C982 Container hostPort".to_owned(), vec![982]),
        ])
    );
    assert_eq!(
        statuses(&results),
        BTreeMap::from([(981, vec![FAILED]), (982, vec![PASSED])])
    );
    assert_eq!(one(&results, 981).elapsed, "1s");
    assert!(
        one(&results, 981)
            .comment
            .contains("metadata.namespace=YOUR_VALUE")
    );
    assert!(
        ran.stderr.contains("2 test case(s) without a time"),
        "{}",
        ran.both()
    );
}
