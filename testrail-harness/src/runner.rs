//! Running a registered test: attempts and retries, the final run result and bug label,
//! and the libtest-mimic trials that drive it all.

use std::collections::BTreeSet;
use std::sync::Mutex;

use libtest_mimic::{Failed, Trial};

use crate::attempt::{self, AttemptRun};
use crate::context;
use crate::isolate::{self, Isolated};
use crate::outcome::{Attempt, Execution, LabelSource, Location, TestOutcome, default_label};
use crate::registry::TestDef;
use crate::spool::{SpoolWriter, TestStart};
use crate::step_plan::{PlannedStep, StepPlans, fill_not_reached};
use crate::summary::Tally;

/// Runs `def` with its retries, each attempt by `run_attempt` (in this process, or in a
/// child process), and returns its outcome and what its attempts printed, as captured
/// (each attempt's under a line naming it when there were several).
pub fn run_test(
    def: &'static TestDef,
    plans: &StepPlans,
    mut run_attempt: impl FnMut(u32) -> AttemptRun,
) -> (TestOutcome, String) {
    let path = def.path();
    let mut attempts: Vec<Attempt> = Vec::new();
    let mut outputs: Vec<(u32, String)> = Vec::new();
    let mut last_recorder: Option<context::SharedRecorder> = None;
    // Files attached by earlier (failed) attempts: sent too, they tell why a retry was needed.
    let mut earlier_attachments = Vec::new();
    for number in 1..=def.retries.saturating_add(1) {
        let run = run_attempt(number);
        let passed = run.attempt.passed;
        attempts.push(run.attempt);
        outputs.push((number, run.output));
        if let Some(earlier) = last_recorder.replace(run.recorder) {
            earlier_attachments.extend(context::lock(&earlier).attachments.iter().cloned());
        }
        if passed {
            break;
        }
    }
    let output = match outputs.as_slice() {
        [(_, only)] => only.clone(),
        several => several
            .iter()
            .filter(|(_, output)| !output.is_empty())
            .map(|(number, output)| format!("-- attempt {number} --\n{output}"))
            .collect(),
    };
    let passed = attempts.iter().rev().find(|attempt| attempt.passed);
    if let Some(passed) = passed {
        plans.store(&path, &passed.steps);
    }
    if attempts.iter().any(|attempt| !attempt.passed) {
        let plan = match passed {
            Some(passed) => Some(PlannedStep::learn(&passed.steps)),
            None => plans.load(&path),
        };
        if let Some(plan) = &plan {
            for attempt in attempts.iter_mut().filter(|attempt| !attempt.passed) {
                fill_not_reached(&mut attempt.steps, plan);
            }
        }
    }
    let last = attempts.last().expect("at least one attempt runs");
    let recorder = last_recorder.expect("at least one attempt runs");
    let recorder = context::lock(&recorder);
    let (bug_label, label_source) = match recorder.label {
        Some(label) => (label, LabelSource::Explicit),
        None => (
            default_label(
                last.run_result,
                last.passed,
                u32::try_from(attempts.len()).unwrap_or(u32::MAX),
                def.known_bug.is_some(),
            ),
            LabelSource::Derived,
        ),
    };
    let mut defects: Vec<String> = def.known_bug.map(str::to_owned).into_iter().collect();
    for defect in &recorder.defects {
        if !defects.contains(defect) {
            defects.push(defect.clone());
        }
    }
    let outcome = TestOutcome {
        title: def.title.map(str::to_owned),
        defined_at: defined_at(def),
        case_ids: def.case_ids.to_vec(),
        execution: Execution::Ran,
        run_result: Some(last.run_result),
        bug_label: Some(bug_label),
        label_source: Some(label_source),
        passed: last.passed,
        elapsed_ms: attempts.iter().map(|attempt| attempt.elapsed_ms).sum(),
        known_bug: def.known_bug.map(str::to_owned),
        defects,
        comments: recorder.comments.clone(),
        fields: recorder.fields.clone(),
        attachments: earlier_attachments
            .into_iter()
            .chain(recorder.attachments.iter().cloned())
            .collect(),
        attempts,
        path,
    };
    (outcome, output)
}

/// The outcome of a test that was selected but is ignored.
pub fn skipped(def: &'static TestDef) -> TestOutcome {
    TestOutcome {
        path: def.path(),
        title: def.title.map(str::to_owned),
        defined_at: defined_at(def),
        case_ids: def.case_ids.to_vec(),
        execution: Execution::Skipped {
            reason: def.ignore.flatten().map(str::to_owned),
        },
        run_result: None,
        bug_label: None,
        label_source: None,
        passed: false,
        elapsed_ms: 0,
        attempts: Vec::new(),
        known_bug: def.known_bug.map(str::to_owned),
        defects: Vec::new(),
        comments: Vec::new(),
        fields: Default::default(),
        attachments: Vec::new(),
    }
}

fn defined_at(def: &TestDef) -> Location {
    Location {
        file: def.file.into(),
        line: def.line,
        column: None,
    }
}

/// The libtest kind shown in brackets before a test's name: its case IDs, e.g. `C12,C13`.
pub fn kind(def: &TestDef) -> String {
    def.case_ids
        .iter()
        .map(|id| format!("C{id}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Where outcomes go while trials run on libtest-mimic's threads: into the spool file as
/// each test starts and ends, so a process that ends during a test loses nothing that
/// finished. An outcome in the spool file is not kept in memory: only its counts, for the
/// summary ([`Tally`]). Outcomes that could not be written are kept, to be exported from
/// memory.
pub struct Collected {
    kept: Mutex<Kept>,
    running: Mutex<BTreeSet<String>>,
    spool: SpoolWriter,
}

/// What [`Collected`] keeps in memory.
#[derive(Default)]
struct Kept {
    tally: Tally,
    unsaved: Vec<TestOutcome>,
}

impl Collected {
    /// Collects into `spool`.
    pub fn new(spool: SpoolWriter) -> Collected {
        Collected {
            kept: Mutex::new(Kept::default()),
            running: Mutex::new(BTreeSet::new()),
            spool,
        }
    }

    /// The spool file being written.
    pub fn spool(&self) -> &SpoolWriter {
        &self.spool
    }

    /// Records an ignored test.
    pub fn skipped(&self, outcome: TestOutcome) {
        let saved = self.spool.skipped(&outcome);
        self.keep(outcome, saved);
    }

    /// Records that a test started.
    pub fn started(&self, start: &TestStart) {
        self.spool.started(start);
        lock(&self.running).insert(start.path.clone());
    }

    /// Records how a test ended.
    pub fn finished(&self, outcome: TestOutcome) {
        let saved = self.spool.finished(&outcome);
        lock(&self.running).remove(&outcome.path);
        self.keep(outcome, saved);
    }

    fn keep(&self, outcome: TestOutcome, saved: bool) {
        let mut kept = lock(&self.kept);
        kept.tally.add(&outcome);
        if !saved {
            kept.unsaved.push(outcome);
        }
    }

    /// The tests running now.
    pub fn running(&self) -> Vec<String> {
        lock(&self.running).iter().cloned().collect()
    }

    /// The counts of every outcome so far, and the outcomes that could not be written to
    /// the spool file, taken out.
    pub fn take(&self) -> (Tally, Vec<TestOutcome>) {
        let kept = std::mem::take(&mut *lock(&self.kept));
        (kept.tally, kept.unsaved)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What the spool says when `def` starts.
pub fn start_of(def: &TestDef) -> TestStart {
    TestStart {
        path: def.path(),
        title: def.title.map(str::to_owned),
        defined_at: defined_at(def),
        case_ids: def.case_ids.to_vec(),
        known_bug: def.known_bug.map(str::to_owned),
        started_at_ms: testrail_formats::clock::now_ms(),
    }
}

/// How the trials run their tests and what becomes of their captured output.
pub struct Mode {
    /// Each attempt in a child process, when isolation was asked for.
    pub isolated: Option<Isolated>,
    /// `--show-output`: the captured output of passing tests is shown after the run.
    pub show_output: bool,
    /// The captured output of the passing tests, for `--show-output`.
    successes: Mutex<Vec<(String, String)>>,
}

impl Mode {
    /// The mode of a run.
    pub fn new(isolated: Option<Isolated>, show_output: bool) -> Mode {
        Mode {
            isolated,
            show_output,
            successes: Mutex::new(Vec::new()),
        }
    }

    /// What libtest shows with `--show-output` after the tests: the captured output of
    /// each passing test that printed, under `---- <test> stdout ----`; empty when none did
    /// (or `--show-output` was not given).
    pub fn successes(&self) -> String {
        let mut successes = std::mem::take(&mut *lock(&self.successes));
        if successes.is_empty() {
            return String::new();
        }
        successes.sort();
        let mut text = String::from("\nsuccesses:\n\n");
        for (path, output) in &successes {
            text.push_str(&format!(
                "---- {path} stdout ----\n{}\n\n",
                output.trim_end()
            ));
        }
        text.push_str("\nsuccesses:\n");
        for (path, _) in &successes {
            text.push_str(&format!("    {path}\n"));
        }
        text.push('\n');
        text
    }
}

/// The libtest-mimic trial of `def`: records its start, runs it (in-process on a thread
/// named after it, as libtest names its test threads, or isolated in child processes),
/// records its outcome, and reports pass or fail (with the failure message, location,
/// failing step, attempts, and the captured output under `---- <test> stdout ----`).
///
/// Its libtest name is the Rust path ([`TestDef::path`]), which `--exact`, `--list` and
/// cargo-nextest see; with `kinds`, its case IDs are the kind libtest shows in brackets
/// before the name (`[C1234] checkout::can_add_to_cart`). A `title` is not shown: it is the
/// test's title in TestRail.
pub fn trial(
    def: &'static TestDef,
    plans: &'static StepPlans,
    collected: &'static Collected,
    kinds: bool,
    mode: &'static Mode,
) -> Trial {
    let trial = Trial::test(def.path(), move || {
        collected.started(&start_of(def));
        let (mut outcome, output) = match &mode.isolated {
            Some(isolated) => run_test(def, plans, |number| isolated.attempt(def, number)),
            None => on_named_thread(def.path(), || {
                run_test(def, plans, |number| attempt::run(def, number))
            }),
        };
        if mode.isolated.is_some() && !outcome.passed && !output.trim().is_empty() {
            outcome.comments.push(isolate::output_comment(&output));
        }
        let verdict = failure_report(&outcome).map(|mut report| {
            if !output.trim().is_empty() {
                report.push_str(&format!(
                    "\n\n---- {} stdout ----\n{}",
                    outcome.path,
                    output.trim_end()
                ));
            }
            report
        });
        if outcome.passed && mode.show_output && !output.trim().is_empty() {
            lock(&mode.successes).push((outcome.path.clone(), output));
        }
        collected.finished(outcome);
        match verdict {
            None => Ok(()),
            Some(report) => Err(Failed::from(report)),
        }
    })
    .with_ignored_flag(def.ignore.is_some());
    match kinds {
        true => trial.with_kind(kind(def)),
        false => trial,
    }
}

/// Runs `f` on a thread named `name` (so a panic names the test, as under libtest), or
/// here when no thread can be started.
pub(crate) fn on_named_thread<T: Send>(name: String, f: impl FnOnce() -> T + Send) -> T {
    let f = Mutex::new(Some(f));
    let take = || lock(&f).take();
    let ran = std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name(name)
            .spawn_scoped(scope, || take().map(|f| f()));
        match spawned {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|payload| std::panic::resume_unwind(payload)),
            Err(_) => None,
        }
    });
    match ran {
        Some(value) => value,
        None => take().expect("the body runs here when no thread took it")(),
    }
}

/// What libtest-mimic prints for a failed test; `None` when it passed.
pub(crate) fn failure_report(outcome: &TestOutcome) -> Option<String> {
    if outcome.passed {
        return None;
    }
    let last = outcome.last_attempt()?;
    let mut report = format!(
        "{}{}",
        last.message.as_deref().unwrap_or("failed"),
        last.location
            .as_ref()
            .map(|location| format!(" (at {location})"))
            .unwrap_or_default()
    );
    if let Some(step) = &last.failed_step {
        report.push_str(&format!("\n  failing step: {step}"));
    }
    if outcome.attempts.len() > 1 {
        report.push_str(&format!(
            "\n  attempts: {}, all failed",
            outcome.attempts.len()
        ));
    }
    if let (Some(result), Some(label)) = (outcome.run_result, outcome.bug_label) {
        report.push_str(&format!("\n  run result: {result:?}, bug label: {label:?}"));
    }
    Some(report)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::session::SessionSource;
    use crate::spool::{FORMAT, Header, SpoolFile, VERSION};

    pub(crate) fn header() -> Header {
        Header {
            format: FORMAT.to_owned(),
            version: VERSION,
            session: "s".to_owned(),
            session_source: SessionSource::Environment,
            package: "shop".to_owned(),
            binary: "checkout".to_owned(),
            pid: std::process::id(),
            process_start: 0,
            started_at_ms: 1,
            git_commit: None,
            manifest_dir: "/x".to_owned(),
            dry_run: false,
            libtest: false,
        }
    }

    pub(crate) fn start(path: &str, case_ids: &[u64]) -> TestStart {
        TestStart {
            path: path.to_owned(),
            title: None,
            defined_at: Location {
                file: "t.rs".into(),
                line: 1,
                column: None,
            },
            case_ids: case_ids.to_vec(),
            known_bug: None,
            started_at_ms: 1,
        }
    }

    #[test]
    fn outcomes_in_the_spool_file_are_counted_not_kept() {
        let dir = tempfile::tempdir().unwrap();
        let collected = Collected::new(SpoolWriter::new(dir.path(), header()));
        for (path, cases) in [("a", &[1u64][..]), ("b", &[])] {
            collected.started(&start(path, cases));
            collected.finished(start(path, cases).interrupted(2));
        }
        let (tally, unsaved) = collected.take();
        assert!(unsaved.is_empty(), "written outcomes are not kept");
        let summary = tally.render(None);
        assert!(summary.contains("1 test linked to 1 case"), "{summary}");
        assert!(
            summary.contains("unmapped (no case ID, not reported): 1 (b)"),
            "{summary}"
        );
        let written = SpoolFile::read(collected.spool().path()).unwrap();
        assert_eq!(written.tests.len(), 2, "both are in the spool file");
    }

    #[test]
    fn outcomes_that_cannot_be_written_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "").unwrap();
        let collected = Collected::new(SpoolWriter::new(&blocker.join("session"), header()));
        collected.started(&start("a", &[1]));
        collected.finished(start("a", &[1]).interrupted(2));
        let (tally, unsaved) = collected.take();
        assert_eq!(unsaved.len(), 1);
        assert_eq!(unsaved[0].path, "a");
        assert!(!tally.is_empty());
    }
}
