//! `cargo testrail import junit` behind a proxy that refuses bodies over 1 MiB (the
//! simulator's `body_limit` fault): a 1.2 MB failure message of multi-byte text arrives once,
//! cut at a character boundary with a note; a result still too large after its budget is cut
//! further on 413; flaky and rerun attempts are all in the comment, and so is the reason of
//! a skipped test.

mod common;

use std::path::PathBuf;

use common::World;
use testrail_sim::{FaultKind, FaultRule};

const MIB: usize = 1024 * 1024;

/// A family emoji (one grapheme of 18 bytes), accented letters and CJK.
const UNIT: &str = "👨\u{200d}👩\u{200d}👧 ünïcödé 日本語 | ";

/// A JUnit file (Maven Surefire's dialect) with a 1.2 MB failure, a flaky test, a test that
/// failed on every rerun and a skipped test.
fn junit(world: &World) -> PathBuf {
    let huge = UNIT.repeat(1_200_000 / UNIT.len() + 1);
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="shop.Texts" tests="4" failures="2" errors="0" skipped="1" time="1.5">
  <testcase classname="shop.Texts" name="C61 huge failure" time="0.5">
    <failure message="huge" type="AssertionError">{huge}</failure>
  </testcase>
  <testcase classname="shop.Texts" name="C63 flaky" time="0.2">
    <flakyFailure message="connection reset by the shop" type="java.io.IOException">at Shop.connect(Shop.java:12)</flakyFailure>
  </testcase>
  <testcase classname="shop.Texts" name="C64 always fails" time="0.3">
    <failure message="stock is 3 on attempt 3" type="AssertionError">third</failure>
    <rerunFailure message="stock is 1 on attempt 1" type="AssertionError">first</rerunFailure>
    <rerunFailure message="stock is 2 on attempt 2" type="AssertionError">second</rerunFailure>
  </testcase>
  <testcase classname="shop.Texts" name="C65 ignored" time="0">
    <skipped message="waiting for PAY-12"/>
  </testcase>
</testsuite>
"#
    );
    let path = world.dir.path().join("texts.xml");
    std::fs::write(&path, xml).unwrap();
    path
}

/// A world whose simulator refuses `add_results_for_cases` bodies over 1 MiB, with a
/// configuration reporting skipped tests as Retest.
fn world() -> (World, PathBuf) {
    let world = World::new();
    world.sim.add_fault(
        FaultRule::new(FaultKind::BodyLimit { bytes: MIB as u64 }).on("add_results_for_cases"),
    );
    let config = world.dir.path().join("testrail.toml");
    std::fs::write(&config, "[mapping]\nskipped = \"retest\"\n").unwrap();
    (world, config)
}

fn import(world: &World, config: &PathBuf, extra: &[&str]) -> common::Ran {
    let file = junit(world);
    let mut args = vec![
        "import",
        "junit",
        file.to_str().unwrap(),
        "--suites",
        "Web Shop",
    ];
    args.extend_from_slice(extra);
    common::run(world.command(&args).env("TESTRAIL_CONFIG", config))
}

fn comments(world: &World, case_id: u64) -> Vec<String> {
    world.sim.with_state(|state| {
        state
            .results
            .values()
            .filter(|result| result.case_id == case_id)
            .map(|result| result.comment.clone().unwrap_or_default())
            .collect()
    })
}

fn only_comment(world: &World, case_id: u64, ran: &common::Ran) -> String {
    let comments = comments(world, case_id);
    assert_eq!(comments.len(), 1, "C{case_id} arrives once\n{}", ran.both());
    comments.into_iter().next().unwrap()
}

/// The message of C61 as the import spooled it: the full text.
fn spooled_message(world: &World) -> String {
    let sessions = world.testrail_dir().join("sessions");
    let session = std::fs::read_dir(&sessions)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.is_dir())
        .expect("a session");
    let files = testrail_formats::spool::SpoolFile::read_session(&session).unwrap();
    files
        .iter()
        .flat_map(|file| file.tests.iter())
        .find(|test| test.case_ids == [61])
        .and_then(|test| test.attempts.last())
        .and_then(|attempt| attempt.message.clone())
        .expect("C61 is spooled with its message")
}

fn refused_as_too_large(world: &World) -> usize {
    world
        .sim
        .log()
        .iter()
        .filter(|entry| entry.endpoint == "add_results_for_cases" && entry.status == 413)
        .count()
}

/// The kept start of the message in `comment` and the figures of its cut note.
fn kept_and_figures<'c>(comment: &'c str, original: &str) -> (usize, &'c str, usize, usize) {
    let start = comment.find("Failure: ").expect("the failure is quoted") + "Failure: ".len();
    let (kept, note) = comment[start..]
        .split_once("\n[testrail-rs cut ")
        .expect("a cut note follows the kept text");
    assert!(
        original.starts_with(kept),
        "the kept text starts the message"
    );
    assert!(
        !kept.ends_with(['\u{200d}', '👨', '👩'])
            && !original[kept.len()..].starts_with('\u{200d}'),
        "cut inside the family emoji"
    );
    assert!(
        note.contains("the full text is in the spool file"),
        "{note}"
    );
    let figures: Vec<usize> = note
        .split(' ')
        .filter_map(|word| word.parse().ok())
        .collect();
    (start, kept, figures[0], figures[1])
}

#[test]
fn a_huge_failure_arrives_once_cut_and_every_attempt_and_skip_reason_is_in_the_comments() {
    let (world, config) = world();
    let ran = import(&world, &config, &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());

    let original = spooled_message(&world);
    assert!(original.len() >= 1_200_000, "the spool keeps it whole");
    let comment = only_comment(&world, 61, &ran);
    assert!(comment.len() <= 64 * 1024, "{}", comment.len());
    let (_, kept, cut, total) = kept_and_figures(&comment, &original);
    assert!(kept.len() > 16 * 1024);
    assert_eq!([cut, total], [original.len() - kept.len(), original.len()]);
    assert!(
        comment
            .lines()
            .last()
            .unwrap()
            .contains("testrail-rs session `"),
        "the session line stays"
    );
    assert_eq!(refused_as_too_large(&world), 0, "cut before sending");

    let flaky = only_comment(&world, 63, &ran);
    assert!(
        flaky.contains("Attempts: 2, passed on attempt 2 after failing:\n- attempt 1 failed"),
        "{flaky}"
    );
    assert!(flaky.contains("connection reset by the shop"), "{flaky}");

    let failed = only_comment(&world, 64, &ran);
    for expected in [
        "Attempts: 3, every one failed:",
        "stock is 1 on attempt 1",
        "stock is 2 on attempt 2",
        "- attempt 3 failed",
        "stock is 3 on attempt 3",
    ] {
        assert!(failed.contains(expected), "{expected:?} in\n{failed}");
    }

    let skipped = only_comment(&world, 65, &ran);
    assert!(
        skipped.contains("Skip reason: waiting for PAY-12"),
        "{skipped}"
    );
}

#[test]
fn a_result_still_too_large_after_its_budget_is_cut_further_on_413() {
    let (world, config) = world();
    let budget = (4 * MIB).to_string();
    let ran = import(&world, &config, &["--comment-budget", &budget]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(refused_as_too_large(&world) >= 1, "{}", ran.both());
    assert!(
        ran.stderr.contains("C61 was refused as too large (413)"),
        "the cut is said\n{}",
        ran.both()
    );
    let original = spooled_message(&world);
    let comment = only_comment(&world, 61, &ran);
    assert!(comment.len() <= MIB, "{}", comment.len());
    assert!(
        comment.len() > MIB / 4,
        "halved, not emptied: {}",
        comment.len()
    );
    let (start, kept, cut, total) = kept_and_figures(&comment, &original);
    // After a 413 the note counts the bytes of the whole comment.
    assert_eq!(total - cut, start + kept.len());
    assert!((original.len()..original.len() + 512).contains(&total));
    // The other results were sent too.
    for case in [63, 64, 65] {
        assert_eq!(comments(&world, case).len(), 1, "C{case}\n{}", ran.both());
    }
}

#[test]
fn a_comment_budget_too_small_for_the_note_is_refused_with_its_minimum() {
    let (world, config) = world();
    let ran = import(&world, &config, &["--comment-budget", "100"]);
    assert_ne!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stderr.contains("comment_budget") && ran.stderr.contains("at least 1024"),
        "{}",
        ran.both()
    );
    assert!(world.run_ids().is_empty(), "nothing is sent");
}
