//! The texts of the harness's results as TestRail receives them, behind a proxy that refuses
//! bodies over 1 MiB (the simulator's `body_limit` fault): escapes stripped, a 3 MiB panic
//! message cut at a character boundary with a note, every attempt listed, the skip reason
//! given; a result still too large after the budget is cut further on 413. The test binary
//! is `tests/scenarios/tests/texts.rs`, run by `cargo test` as a user runs it.

mod support;

use testrail_formats::outcome::TestOutcome;
use testrail_sim::{FaultKind, FaultRule, Fixture, Simulator};

const MIB: usize = 1024 * 1024;

struct Export {
    sim: Simulator,
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Export {
    /// A simulator refusing `add_results_for_cases` bodies over 1 MiB, and the settings of an
    /// export into suite Web Shop that reports skipped tests as Retest.
    fn new(extra: &[(&str, &str)]) -> Export {
        let sim = Simulator::spawn(Fixture::demo()).unwrap();
        sim.add_fault(
            FaultRule::new(FaultKind::BodyLimit { bytes: MIB as u64 }).on("add_results_for_cases"),
        );
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("testrail.toml");
        std::fs::write(&config, "[mapping]\nskipped = \"retest\"\n").unwrap();
        let mut env = support::sim_env(&sim);
        env.push(("TESTRAIL_SUITES".into(), "Web Shop".into()));
        env.push(("TESTRAIL_SESSION".into(), "texts".into()));
        env.push(("TESTRAIL_CONFIG".into(), config.display().to_string()));
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Export { sim, dir, env }
    }

    fn run(&self, filter: &[&str]) -> support::Ran {
        let mut args = vec!["--testrail-export"];
        args.extend_from_slice(filter);
        support::export_run(
            self.dir.path(),
            "harness-scenarios",
            &["texts"],
            &args,
            &self.env,
        )
    }

    /// The comments of every result stored for `case_id`.
    fn comments(&self, case_id: u64) -> Vec<String> {
        self.sim.with_state(|state| {
            state
                .results
                .values()
                .filter(|result| result.case_id == case_id)
                .map(|result| result.comment.clone().unwrap_or_default())
                .collect()
        })
    }

    /// The only comment stored for `case_id`.
    fn comment(&self, case_id: u64, ran: &support::Ran) -> String {
        let comments = self.comments(case_id);
        assert_eq!(comments.len(), 1, "C{case_id} arrives once\n{}", ran.both());
        comments.into_iter().next().unwrap()
    }

    fn refused_as_too_large(&self) -> usize {
        self.sim
            .log()
            .iter()
            .filter(|entry| entry.endpoint == "add_results_for_cases" && entry.status == 413)
            .count()
    }

    fn spooled(&self, name: &str) -> TestOutcome {
        let spool = support::only_session(self.dir.path());
        spool
            .iter()
            .flat_map(|file| file.tests.iter())
            .find(|test| test.path == format!("texts::{name}"))
            .unwrap_or_else(|| panic!("{name} is in the spool"))
            .clone()
    }
}

/// Checks that `comment` holds the failure message `original` cut at a grapheme boundary,
/// with a note giving the figures of the cut, and that it is at most `budget` bytes. The
/// note counts the bytes of the message; after a 413 it counts those of the whole comment
/// (`whole_comment`): its lines around the message too.
fn assert_cut(comment: &str, original: &str, budget: usize, whole_comment: bool) {
    assert!(
        comment.len() <= budget,
        "{} bytes > {budget}",
        comment.len()
    );
    let start = comment.find("Failure: ").expect("the failure is quoted") + "Failure: ".len();
    let (kept, note) = comment[start..]
        .split_once("\n[testrail-rs cut ")
        .expect("a cut note follows the kept text");
    assert!(
        original.starts_with(kept),
        "the kept text is the start of the message"
    );
    assert!(
        kept.len() > budget / 8,
        "a useful part is kept: {}",
        kept.len()
    );
    // Never inside a character (a `str` cannot be), nor inside the family emoji.
    assert!(
        !kept.ends_with(['\u{200d}', '👨', '👩']),
        "cut inside an emoji: {:?}",
        &kept[kept.len() - 12..]
    );
    assert!(!original[kept.len()..].starts_with('\u{200d}'));
    let figures: Vec<usize> = note
        .split(' ')
        .filter_map(|word| word.parse().ok())
        .collect();
    let (cut, total) = (figures[0], figures[1]);
    if whole_comment {
        assert_eq!(total - cut, start + kept.len(), "{note}");
        assert!(
            (original.len()..original.len() + 512).contains(&total),
            "{note}"
        );
    } else {
        assert_eq!(
            [cut, total],
            [original.len() - kept.len(), original.len()],
            "the note says how much was cut: {note}"
        );
    }
    assert!(
        note.contains("the full text is in the spool file"),
        "{note}"
    );
}

#[test]
fn texts_arrive_clean_bounded_and_complete_behind_a_1_mib_limit() {
    let export = Export::new(&[]);
    let ran = export.run(&[]);
    assert_eq!(ran.code, Some(101), "failing tests\n{}", ran.both());
    assert_eq!(
        support::run_ids(&export.sim).len(),
        1,
        "one run\n{}",
        ran.both()
    );

    // The 3 MiB panic message: whole in the spool, cut to the default 64 KiB in TestRail;
    // no request was too large.
    let huge = export.spooled("huge_multibyte_panic");
    let original = huge.attempts[0].message.clone().unwrap();
    assert!(original.len() >= 3 * MIB);
    let comment = export.comment(61, &ran);
    assert_cut(&comment, &original, 64 * 1024, false);
    let last_line = comment.lines().last().unwrap();
    assert!(
        last_line.starts_with("_testrail-rs session `texts` · from texts"),
        "{last_line}"
    );
    assert_eq!(export.refused_as_too_large(), 0, "{}", ran.both());

    // Colours as pretty_assertions writes them are gone, the text stays.
    let coloured = export.spooled("coloured_assertion");
    assert!(
        coloured.attempts[0]
            .message
            .as_ref()
            .unwrap()
            .contains('\x1b'),
        "the spool keeps the message as the test wrote it"
    );
    let comment = export.comment(62, &ran);
    assert!(!comment.contains('\x1b'), "{comment:?}");
    assert!(
        comment.contains(
            "Failure: assertion failed: `(left == right)`\n\nDiff < left / right > :\n<1\n>2"
        ),
        "{comment}"
    );

    // The flaky test names the failure that made it flaky, without escapes.
    let comment = export.comment(63, &ran);
    assert!(!comment.contains('\x1b'), "{comment:?}");
    assert!(
        comment.contains("Attempts: 2, passed on attempt 2 after failing:\n- attempt 1 failed"),
        "{comment}"
    );
    assert!(
        comment.contains("  connection reset by the shop\n- attempt 2 passed"),
        "{comment}"
    );

    // The test that failed every attempt lists each failure.
    let comment = export.comment(64, &ran);
    for expected in [
        "Attempts: 3, every one failed:",
        "stock is 1 on attempt 1",
        "stock is 2 on attempt 2",
        "- attempt 3 failed",
        "Failure: stock is 3 on attempt 3",
    ] {
        assert!(comment.contains(expected), "{expected:?} in\n{comment}");
    }

    // The ignored test, reported as Retest, with its reason.
    let comment = export.comment(65, &ran);
    assert!(
        comment.contains("**Skipped** (ignored) · test texts::ignored_with_reason\nSkip reason: waiting for PAY-12"),
        "{comment}"
    );
    let status = export.sim.with_state(|state| {
        state
            .results
            .values()
            .find(|result| result.case_id == 65)
            .and_then(|result| result.status_id)
    });
    assert_eq!(status, Some(4), "Retest");
}

#[test]
fn a_result_still_too_large_after_its_budget_is_cut_further_on_413() {
    // A budget above the proxy's limit: the 3 MiB message goes out whole and is refused.
    let export = Export::new(&[("TESTRAIL_COMMENT_BUDGET", &(8 * MIB).to_string())]);
    let ran = export.run(&["huge_multibyte_panic"]);
    assert_eq!(ran.code, Some(101), "the test fails\n{}", ran.both());
    assert!(
        export.refused_as_too_large() >= 1,
        "the proxy refused it\n{}",
        ran.both()
    );
    assert!(
        ran.both().contains("was refused as too large (413)"),
        "the cut is said\n{}",
        ran.both()
    );
    let original = export.spooled("huge_multibyte_panic").attempts[0]
        .message
        .clone()
        .unwrap();
    let comment = export.comment(61, &ran);
    assert_cut(&comment, &original, MIB, true);
    assert!(
        comment.len() > MIB / 4,
        "halved, not emptied: {}",
        comment.len()
    );
}
