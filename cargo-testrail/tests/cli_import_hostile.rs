//! `cargo testrail import junit` on inputs written to break it (`tests/junit/hostile/`, see
//! its README): real pytest output, Google Test's not-run tests, UTF-16 and declared
//! encodings, entity declarations, CDATA and namespaces, files that are not JUnit at all,
//! 10,000 levels of nesting and 20,000 test cases. The CLI runs as a real process against
//! `testrail-sim`; every expectation is read back from the simulator's results.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{Stored, World, import};

const PASSED: u64 = 1;
const RETEST: u64 = 4;
const FAILED: u64 = 5;

/// A simulator whose project "Shop" has cases C1..=C2000.
fn world() -> World {
    World::with_cases(1..=2000)
}

fn hostile(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/junit/hostile")
        .join(name)
}

fn statuses(results: &BTreeMap<u64, Vec<Stored>>) -> BTreeMap<u64, Vec<u64>> {
    results
        .iter()
        .map(|(case, stored)| (*case, stored.iter().map(|s| s.status).collect()))
        .collect()
}

fn comment(results: &BTreeMap<u64, Vec<Stored>>, case_id: u64) -> String {
    match results.get(&case_id).map(Vec::as_slice) {
        Some([stored]) => stored.comment.clone(),
        other => panic!("C{case_id}: one result expected, got {other:?}"),
    }
}

#[test]
fn gtest_disabled_and_skipped_tests_are_never_sent_as_passed() {
    let world = world();
    let (ran, results) = import(&world, &[hostile("gtest.xml")], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(
        statuses(&results),
        BTreeMap::from([(961, vec![PASSED]), (962, vec![FAILED])]),
        "{}",
        ran.both()
    );
    let c962 = comment(&results, 962);
    assert!(
        c962.contains("Expected equality of these values")
            && c962.contains("Value of: cart.empty()"),
        "both failed assertions: {c962}"
    );
    for case in ["C963", "C964"] {
        assert!(
            ran.stdout
                .contains(&format!("not reported: {case}: skipped")),
            "{case} is said: {}",
            ran.both()
        );
    }

    let reported = world_with_skips_reported();
    let (ran, results) = import(&reported, &[hostile("gtest.xml")], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(statuses(&results)[&963], vec![RETEST]);
    assert_eq!(statuses(&results)[&964], vec![RETEST]);
    let c963 = comment(&results, 963);
    assert!(c963.contains("status=\"notrun\""), "{c963}");
    assert!(comment(&results, 964).contains("sandbox down"));
}

fn world_with_skips_reported() -> World {
    let world = world();
    std::fs::write(
        world.dir.path().join("testrail.toml"),
        "[mapping]\nskipped = \"Retest\"\n",
    )
    .unwrap();
    world
}

#[test]
fn utf16_with_and_without_byte_order_mark_is_read() {
    for file in ["powershell-utf16le.xml", "utf16be-no-bom.xml"] {
        let world = world();
        let (ran, results) = import(&world, &[hostile(file)], &[]);
        assert_eq!(ran.code, Some(0), "{file}: {}", ran.both());
        assert_eq!(
            statuses(&results),
            BTreeMap::from([(951, vec![PASSED]), (952, vec![FAILED])]),
            "{file}: {}",
            ran.both()
        );
        let c952 = comment(&results, 952);
        assert!(
            c952.contains("Größe falsch") && c952.contains("1,00 €"),
            "{file}: {c952}"
        );
        assert!(!ran.stderr.contains("not valid"), "{file}: {}", ran.both());
    }
}

#[test]
fn a_declared_latin1_file_is_decoded_as_declared() {
    let world = world();
    let (ran, results) = import(&world, &[hostile("latin1-declared.xml")], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(
        statuses(&results),
        BTreeMap::from([(953, vec![PASSED]), (954, vec![FAILED])])
    );
    let c954 = comment(&results, 954);
    assert!(
        c954.contains("Größe falsch") && !c954.contains('\u{FFFD}'),
        "{c954}"
    );
}

#[test]
fn entity_declarations_are_neither_expanded_nor_read() {
    let world = world();
    let (ran, results) = import(&world, &[hostile("entities.xml")], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(
        statuses(&results),
        BTreeMap::from([
            (971, vec![FAILED]),
            (972, vec![FAILED]),
            (973, vec![PASSED])
        ])
    );
    let laughs = comment(&results, 971);
    assert!(
        laughs.contains("&lol9;") && laughs.len() < 2_000,
        "{laughs}"
    );
    let xxe = comment(&results, 972);
    assert!(xxe.contains("&xxe;") && !xxe.contains("root:"), "{xxe}");
}

#[test]
fn cdata_namespaces_and_odd_attributes() {
    let world = world();
    let (ran, results) = import(&world, &[hostile("markup.xml")], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(ran.stdout.contains("4 test(s)"), "{}", ran.both());
    assert_eq!(
        statuses(&results),
        BTreeMap::from([
            (981, vec![FAILED]),
            (982, vec![FAILED]),
            (983, vec![PASSED])
        ]),
        "the fake test case inside CDATA is text: {}",
        ran.both()
    );
    let c981 = comment(&results, 981);
    assert!(
        c981.contains("a < b && c ]]> d <testcase name=\"test_C985_fake\"/>"),
        "{c981}"
    );
    assert!(comment(&results, 982).contains("ns failure"));
    assert!(
        ran.stdout.contains("not reported: C984: skipped"),
        "{}",
        ran.both()
    );
}

#[test]
fn pytest_as_it_really_writes_it() {
    let world = world();
    let (ran, results) = import(&world, &[hostile("pytest-9.2-real.xml")], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stdout.contains("12 test(s): 12 matched"),
        "{}",
        ran.both()
    );
    assert_eq!(
        statuses(&results),
        BTreeMap::from([
            (301, vec![PASSED]),
            (302, vec![FAILED]),
            (305, vec![FAILED]),
            (306, vec![FAILED]),
            (307, vec![FAILED]),
            (308, vec![FAILED]),
            (310, vec![PASSED]),
        ]),
        "{}",
        ran.both()
    );
    for case in ["C303", "C304", "C309"] {
        assert!(
            ran.stdout
                .contains(&format!("not reported: {case}: skipped")),
            "{case}: {}",
            ran.both()
        );
    }
    assert!(comment(&results, 302).contains("Ünïcödé ✓ 😀"));
    let c306 = comment(&results, 306);
    assert!(c306.contains("Combined from 3 reports"), "{c306}");
    let c307 = comment(&results, 307);
    assert!(
        c307.contains("red") && !c307.contains('\u{1b}') && !c307.contains('\0'),
        "{c307}"
    );
    assert!(comment(&results, 308).contains("fixture exploded"));
}

#[test]
fn files_that_are_not_junit_are_named_and_never_block_a_good_one() {
    let world = world();
    let dir = world.dir.path();
    let bad: &[(&str, &[u8])] = &[
        ("empty.xml", b""),
        ("blank.xml", b"  \n\n"),
        (
            "html.xml",
            b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>",
        ),
        ("json.xml", b"{\"tests\": []}"),
        (
            "cut.xml",
            b"<testsuite name=\"s\"><testcase name=\"test_C1_a\"><failure message=\"m",
        ),
    ];
    let mut files = Vec::new();
    for (name, bytes) in bad {
        std::fs::write(dir.join(name), bytes).unwrap();
        files.push(dir.join(name));
    }
    files.push(hostile("gtest.xml"));
    let (ran, results) = import(&world, &files, &[]);
    assert_ne!(ran.code, Some(0), "{}", ran.both());
    for (name, _) in bad {
        assert!(ran.stderr.contains(name), "{name} is named: {}", ran.both());
    }
    assert_eq!(
        statuses(&results),
        BTreeMap::from([(961, vec![PASSED]), (962, vec![FAILED])]),
        "{}",
        ran.both()
    );
}

#[test]
fn ten_thousand_levels_of_nesting_do_not_overflow() {
    let world = world();
    let depth = 10_000;
    let suites = format!(
        "<testsuites>{}<testcase name=\"test_C1_deep\"/>{}</testsuites>",
        "<testsuite name=\"s\">".repeat(depth),
        "</testsuite>".repeat(depth)
    );
    let markup = format!(
        "<testsuite name=\"s\"><testcase name=\"test_C2_deep\"><failure message=\"m\">{}inner text{}</failure></testcase></testsuite>",
        "<b>".repeat(depth),
        "</b>".repeat(depth)
    );
    let deep_suites = world.dir.path().join("deep-suites.xml");
    let deep_markup = world.dir.path().join("deep-markup.xml");
    std::fs::write(&deep_suites, suites).unwrap();
    std::fs::write(&deep_markup, markup).unwrap();
    let (ran, results) = import(&world, &[deep_suites, deep_markup], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(
        statuses(&results),
        BTreeMap::from([(1, vec![PASSED]), (2, vec![FAILED])])
    );
    assert!(comment(&results, 2).contains("inner text"));
}

#[test]
fn twenty_thousand_test_cases_each_reach_their_case() {
    let world = world();
    let count = 20_000;
    let mut xml = String::from("<testsuites><testsuite name=\"big\">");
    for i in 0..count {
        let case = i % 2000 + 1;
        // Case 7 and its multiples of 2000 fail once; every other case passes.
        if i == 6 || i == 2006 + 2000 * 5 {
            xml.push_str(&format!(
                "<testcase classname=\"big.T{i}\" name=\"test_C{case}_n{i}\" time=\"0.001\"><failure message=\"f{i}\"/></testcase>"
            ));
        } else {
            xml.push_str(&format!(
                "<testcase classname=\"big.T{i}\" name=\"test_C{case}_n{i}\" time=\"0.001\"/>"
            ));
        }
    }
    xml.push_str("</testsuite></testsuites>");
    let file = world.dir.path().join("big.xml");
    std::fs::write(&file, xml).unwrap();
    let (ran, results) = import(&world, &[file], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stdout.contains("20000 test(s): 20000 matched"),
        "{}",
        ran.both()
    );
    assert_eq!(results.len(), 2000, "one result per case");
    for (case, stored) in &results {
        let expected = if *case == 7 { FAILED } else { PASSED };
        assert_eq!(stored.len(), 1, "C{case}");
        assert_eq!(stored[0].status, expected, "C{case}");
    }
    let c7 = comment(&results, 7);
    assert!(
        // Two reports failed equally; either one's failure decides.
        (c7.contains("Failure: f6") || c7.contains("Failure: f12006"))
            && c7.contains("Combined from 10 reports")
            && c7.contains("big.T6::test_C7_n6 → Failed")
            && c7.contains("big.T12006::test_C7_n12006 → Failed"),
        "{c7}"
    );
}

#[test]
fn mocha_junit_reporter_tests_left_out_of_the_file_are_said() {
    let world = world();
    let (ran, results) = import(&world, &[hostile("mocha-10-real.xml")], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(
        statuses(&results),
        BTreeMap::from([
            (601, vec![PASSED]),
            (602, vec![FAILED]),
            (605, vec![FAILED]),
            (607, vec![PASSED]),
        ]),
        "{}",
        ran.both()
    );
    assert!(comment(&results, 605).contains("db down"));
    assert!(
        ran.stderr
            .contains("3 test(s) counted by their <testsuite> are not in the file")
            && ran.stderr.contains("\"Hooks\" says tests=\"2\", holds 1"),
        "{}",
        ran.both()
    );
}

#[test]
fn jest_junit_with_a_suite_that_failed_to_run() {
    let world = world();
    let (ran, results) = import(&world, &[hostile("jest-junit-real.xml")], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let statuses = statuses(&results);
    for (case, status) in [
        (501, PASSED),
        (502, FAILED),
        (505, FAILED),
        (506, FAILED),
        (507, FAILED),
    ] {
        assert_eq!(
            statuses.get(&case),
            Some(&vec![status]),
            "C{case}: {}",
            ran.both()
        );
    }
    // C504 is a `test.todo`, which jest-junit writes exactly like a pass (see the README).
    assert!(!statuses.contains_key(&503), "{}", ran.both());
    assert!(
        ran.stdout.contains("not reported: C503: skipped"),
        "{}",
        ran.both()
    );
    assert!(
        ran.stdout.contains("1 test(s) match no case")
            && ran
                .stdout
                .contains("Test suite failed to run::__tests__/broken.test.js"),
        "{}",
        ran.both()
    );
    assert!(comment(&results, 507).contains("Combined from 2 reports"));
}

#[test]
fn verdicts_written_only_as_status_attributes() {
    let world = world();
    let (ran, results) = import(&world, &[hostile("status-attributes.xml")], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(
        statuses(&results),
        BTreeMap::from([
            (991, vec![PASSED]),
            (992, vec![FAILED]),
            (995, vec![FAILED])
        ]),
        "{}",
        ran.both()
    );
    assert!(comment(&results, 992).contains("status=\"fail\""));
    assert!(comment(&results, 995).contains("real failure"));
    for case in ["C993", "C994"] {
        assert!(
            ran.stdout
                .contains(&format!("not reported: {case}: skipped")),
            "{case}: {}",
            ran.both()
        );
    }
}

#[test]
fn a_directory_reads_its_xml_files_and_a_file_given_twice_is_read_once() {
    let world = world();
    let reports = world.dir.path().join("surefire-reports");
    std::fs::create_dir(&reports).unwrap();
    std::fs::copy(hostile("gtest.xml"), reports.join("TEST-Cart.xml")).unwrap();
    std::fs::copy(hostile("markup.xml"), reports.join("TEST-Markup.xml")).unwrap();
    std::fs::write(reports.join("notes.txt"), "not a report").unwrap();
    let (ran, results) = import(
        &world,
        &[reports.clone(), reports.join("TEST-Cart.xml")],
        &[],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stderr
            .contains("a directory: its 2 *.xml file(s) are read")
            && ran.stderr.contains("given more than once: read once"),
        "{}",
        ran.both()
    );
    assert!(ran.stdout.contains("8 test(s)"), "{}", ran.both());
    let statuses = statuses(&results);
    assert_eq!(
        statuses[&961],
        vec![PASSED],
        "read once, not combined twice"
    );
    assert!(!comment(&results, 961).contains("Combined from"));
    assert_eq!(statuses[&981], vec![FAILED]);

    let empty = world.dir.path().join("empty-dir");
    std::fs::create_dir(&empty).unwrap();
    let (ran, results) = import(&world, &[empty], &[]);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert!(
        ran.stderr.contains("a directory without *.xml files"),
        "{}",
        ran.both()
    );
    assert!(results.is_empty());
}

#[test]
fn a_test_both_skipped_and_failed_is_failed_and_said() {
    let world = world();
    let (ran, results) = import(&world, &[hostile("skipped-and-failed.xml")], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(
        statuses(&results),
        BTreeMap::from([(45, vec![FAILED]), (46, vec![FAILED])])
    );
    assert!(
        ran.stderr
            .contains("2 test(s) are marked both skipped and failed, read as failed")
            && ran.stderr.contains("Minitest::Result::test_C45_doesnt_run")
            && ran.stderr.contains("net.cars.ValveTest::C46_moveDown"),
        "{}",
        ran.both()
    );
}

#[test]
fn vitest_colour_remnants_never_reach_testrail() {
    let world = world();
    let (ran, results) = import(&world, &[hostile("vitest-4-real.xml")], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(
        statuses(&results),
        BTreeMap::from([
            (801, vec![PASSED]),
            (802, vec![FAILED]),
            (805, vec![PASSED]),
            (806, vec![FAILED]),
        ]),
        "{}",
        ran.both()
    );
    let c806 = comment(&results, 806);
    assert!(
        c806.contains("colored") && !c806.contains("[31m") && !c806.contains("[0m"),
        "{c806}"
    );
    for case in ["C803", "C804"] {
        assert!(
            ran.stdout
                .contains(&format!("not reported: {case}: skipped")),
            "{case}: {}",
            ran.both()
        );
    }
}

#[test]
fn playwright_junit_with_retries() {
    let world = world();
    let (ran, results) = import(&world, &[hostile("playwright-real.xml")], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(
        statuses(&results),
        BTreeMap::from([
            (901, vec![PASSED]),
            (902, vec![FAILED]),
            (904, vec![PASSED]),
            (906, vec![FAILED]),
        ]),
        "{}",
        ran.both()
    );
    assert!(comment(&results, 902).contains("Retry #2"));
    assert!(comment(&results, 906).contains("always"));
    for case in ["C903", "C905"] {
        assert!(
            ran.stdout
                .contains(&format!("not reported: {case}: skipped")),
            "{case}: {}",
            ran.both()
        );
    }
    assert!(
        ran.stderr.contains("2 test case(s) without a time"),
        "{}",
        ran.both()
    );
}

#[test]
fn the_same_test_in_two_suites_is_two_runs_not_a_rerun() {
    let world = world();
    let (ran, results) = import(&world, &[hostile("karma-browsers.xml")], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(
        statuses(&results),
        BTreeMap::from([(50, vec![PASSED]), (51, vec![FAILED])]),
        "{}",
        ran.both()
    );
    let c51 = comment(&results, 51);
    assert!(
        c51.contains("Expected 3 to be 4 in Chrome") && !c51.contains("passed on attempt"),
        "{c51}"
    );
    assert!(
        !ran.stderr.contains("listed more than once"),
        "{}",
        ran.both()
    );
}

#[test]
fn pytest_rerunfailures_reruns_are_failed_attempts() {
    let world = world();
    let (ran, results) = import(&world, &[hostile("pytest-rerunfailures-real.xml")], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(
        statuses(&results),
        BTreeMap::from([(311, vec![PASSED]), (312, vec![FAILED])]),
        "{}",
        ran.both()
    );
    let c311 = comment(&results, 311);
    assert!(
        c311.contains("passed on attempt 2 after failing") && c311.contains("attempt 1 failed"),
        "{c311}"
    );
    let c312 = comment(&results, 312);
    assert!(
        c312.contains("Attempts: 3, every one failed") && c312.contains("always fails"),
        "{c312}"
    );
}
