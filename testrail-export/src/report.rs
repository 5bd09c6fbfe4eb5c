//! From spooled outcomes to one report per TestRail case: every case linked to a test gets
//! the test's outcome, every case linked to a step gets that step's outcome (seed 000: all
//! linked cases, from the test and all steps, are included). When several tests or steps
//! report one case, the worst outcome wins and the comment says so.
//!
//! An export never holds every outcome or report: [`Index::build`] reads the spool files
//! once as a stream, keeping a few bytes per linked case, and [`for_each_report`] reads
//! them again, handing over each case's report as soon as its last source is read.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use testrail_formats::outcome::{
    Attempt, BugLabel, Execution, RunResult, StepOutcome, StepStatus, TestOutcome,
};
use testrail_formats::spool::{SpoolError, SpoolFile};

use crate::status_map::StatusMap;

/// What a test or step says about a case, before it becomes a TestRail status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The test (or the step, judged by the test) ran.
    Ran {
        /// How the run ended.
        run_result: RunResult,
        /// The bug label.
        label: BugLabel,
    },
    /// The step was not reached because an earlier step failed.
    NotReached,
    /// The test is ignored.
    Skipped,
}

impl Verdict {
    /// Every verdict, in a fixed order.
    pub fn all() -> impl Iterator<Item = Verdict> {
        let ran = [
            RunResult::Success,
            RunResult::Stopped,
            RunResult::MaxSteps,
            RunResult::Error,
        ]
        .into_iter()
        .flat_map(|run_result| {
            BugLabel::ALL
                .into_iter()
                .map(move |label| Verdict::Ran { run_result, label })
        });
        [Verdict::Skipped, Verdict::NotReached]
            .into_iter()
            .chain(ran)
    }

    /// How bad it is: a failure wins over everything when a case is reported twice.
    pub fn severity(self) -> u8 {
        match self {
            Verdict::Skipped => 0,
            Verdict::Ran {
                label: BugLabel::NoBug,
                ..
            } => 1,
            Verdict::Ran {
                label: BugLabel::LikelyNoBug,
                ..
            } => 2,
            Verdict::Ran {
                label: BugLabel::Undecided,
                ..
            } => 3,
            Verdict::NotReached => 4,
            Verdict::Ran {
                label: BugLabel::LikelyBug,
                ..
            } => 5,
            Verdict::Ran {
                label: BugLabel::DefinitelyBug,
                ..
            } => 6,
        }
    }
}

/// A test or step that reports a case.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    /// The spool file it comes from.
    pub file: String,
    /// `test checkout::pay` or `step pay in checkout::flow`.
    pub description: String,
    /// What it says.
    pub verdict: Verdict,
    /// The failure message.
    pub message: Option<String>,
    /// Where it failed.
    pub location: Option<String>,
    /// The innermost failing step.
    pub failed_step: Option<String>,
    /// Attempts of the test.
    pub attempts: usize,
    /// Every attempt of the test, in order, without its steps (for the comment).
    pub history: Vec<Attempt>,
    /// The reason given for an ignored test.
    pub skip_reason: Option<String>,
    /// Time spent, in milliseconds.
    pub elapsed_ms: u64,
    /// Defect keys.
    pub defects: Vec<String>,
    /// Comments from the test body.
    pub comments: Vec<String>,
    /// `custom_*` fields from the test body.
    pub fields: BTreeMap<String, serde_json::Value>,
    /// The test's steps that have no case of their own (for `custom_step_results`).
    pub unlinked_steps: Vec<StepOutcome>,
    /// The git commit of the build.
    pub git_commit: Option<String>,
}

/// Everything reported about one case.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseReport {
    /// The TestRail case ID.
    pub case_id: u64,
    /// Who reports it, worst first.
    pub sources: Vec<Source>,
}

impl CaseReport {
    /// The source whose verdict decides the status.
    pub fn decisive(&self) -> &Source {
        &self.sources[0]
    }
}

/// Builds the case reports of some spool files, ordered by case ID (every report at once:
/// for a few outcomes, e.g. a dry run; the export streams them with [`for_each_report`]).
pub fn build(files: &[SpoolFile]) -> Vec<CaseReport> {
    let outcomes = Outcomes::Memory(Arc::new(files.to_vec()));
    let mut reports = Vec::new();
    // In memory nothing can fail to be read.
    if let Ok(index) = Index::build(&outcomes) {
        let _ = for_each_report(&outcomes, &index, |_| true, |report| reports.push(report));
    }
    reports.sort_by_key(|report| report.case_id);
    reports
}

/// The spooled outcomes an export reads: spool files on disk, read as a stream each time
/// they are needed, or outcomes held in memory (those that could not be saved).
#[derive(Clone, Debug)]
pub enum Outcomes {
    /// Spool files, in this order.
    Files(Vec<PathBuf>),
    /// Outcomes in memory.
    Memory(Arc<Vec<SpoolFile>>),
}

/// What the export keeps of one spool file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileMeta {
    /// Its name in the session directory (what the journal and the comments name).
    pub name: String,
    /// The cargo package of its test binary.
    pub package: String,
    /// The git commit of the build, when known.
    pub git_commit: Option<String>,
}

impl Outcomes {
    /// Hands every test to `each` with the index of its file and the file's
    /// [`FileMeta`], one file after the other, without holding the outcomes; returns the
    /// files' [`FileMeta`] in order.
    ///
    /// # Errors
    /// A spool file that cannot be read.
    pub fn visit(
        &self,
        mut each: impl FnMut(u32, &FileMeta, &TestOutcome),
    ) -> Result<Vec<FileMeta>, SpoolError> {
        let mut metas = Vec::new();
        match self {
            Outcomes::Files(paths) => {
                for (index, path) in paths.iter().enumerate() {
                    let index = u32::try_from(index).unwrap_or(u32::MAX);
                    let mut meta: Option<FileMeta> = None;
                    let read = SpoolFile::stream(path, |header, test| {
                        let meta = meta.get_or_insert_with(|| FileMeta {
                            name: header.file_name(),
                            package: header.package.clone(),
                            git_commit: header.git_commit.clone(),
                        });
                        each(index, meta, &test);
                    })?;
                    metas.push(meta.unwrap_or_else(|| FileMeta {
                        name: read.file.file_name(),
                        package: read.file.package,
                        git_commit: read.file.git_commit,
                    }));
                }
            }
            Outcomes::Memory(files) => {
                for (index, file) in files.iter().enumerate() {
                    let index = u32::try_from(index).unwrap_or(u32::MAX);
                    let meta = FileMeta {
                        name: file.file_name(),
                        package: file.package.clone(),
                        git_commit: file.git_commit.clone(),
                    };
                    for test in &file.tests {
                        each(index, &meta, test);
                    }
                    metas.push(meta);
                }
            }
        }
        Ok(metas)
    }
}

/// What the export keeps of one linked case across the whole run: a few bytes, not its
/// outcomes (those are read again, a batch at a time, by [`for_each_report`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseEntry {
    /// The files reporting it (indexes into [`Index::files`]).
    files: FileSet,
    /// How many tests and steps report it.
    pub sources: u32,
    /// The verdicts they give, one bit per [`Verdict::all`] position.
    verdicts: u32,
    /// Whether a source has steps without a case of their own (step results).
    pub unlinked_steps: bool,
}

/// Indexes of spool files, sorted and unique; one without an allocation.
#[derive(Clone, Debug, PartialEq, Eq)]
enum FileSet {
    One(u32),
    Many(Box<[u32]>),
}

impl Default for FileSet {
    fn default() -> Self {
        FileSet::Many(Box::default())
    }
}

impl FileSet {
    fn as_slice(&self) -> &[u32] {
        match self {
            FileSet::One(file) => std::slice::from_ref(file),
            FileSet::Many(files) => files,
        }
    }

    fn insert(&mut self, file: u32) {
        let files = self.as_slice();
        if files.contains(&file) {
            return;
        }
        *self = match files {
            [] => FileSet::One(file),
            _ => {
                let mut files = files.to_vec();
                files.push(file);
                files.sort_unstable();
                FileSet::Many(files.into_boxed_slice())
            }
        };
    }
}

impl CaseEntry {
    /// The files reporting it (indexes into [`Index::files`]), sorted.
    pub fn files(&self) -> &[u32] {
        self.files.as_slice()
    }

    /// Why the case is not reported (every source's verdict is one the mapping does not
    /// report: run result Error, a skipped test), or `None` when it is.
    pub fn not_reported(&self, statuses: &StatusMap) -> Option<&'static str> {
        let verdicts = || {
            Verdict::all()
                .enumerate()
                .filter(|(bit, _)| self.verdicts & (1 << bit) != 0)
                .map(|(_, verdict)| verdict)
        };
        if verdicts().any(|verdict| statuses.status_of(verdict).is_some()) {
            return None;
        }
        // The decisive (worst) source is a skipped test only when every source is one.
        Some(
            match verdicts().all(|verdict| verdict == Verdict::Skipped) {
                true => "skipped (ignored test)",
                false => "run result Error (not reported)",
            },
        )
    }
}

/// The linked cases of some outcomes, read in one pass: which files report each case and
/// how, in a few bytes per case.
#[derive(Clone, Debug, Default)]
pub struct Index {
    /// The spool files, in the order read.
    pub files: Vec<FileMeta>,
    /// Every linked case, sorted by ID.
    cases: Vec<(u64, CaseEntry)>,
}

impl Index {
    /// Reads `outcomes` once.
    ///
    /// # Errors
    /// A spool file that cannot be read.
    pub fn build(outcomes: &Outcomes) -> Result<Index, SpoolError> {
        // One entry per source first, merged by case after sorting: a sorted vector takes
        // half the memory of a map.
        let mut seen: Vec<(u64, CaseEntry)> = Vec::new();
        let files = outcomes.visit(|file, meta, test| {
            for (case_ids, source) in sources_of(test, &meta.name, None) {
                let bit = Verdict::all()
                    .position(|verdict| verdict == source.verdict)
                    .unwrap_or(0);
                for case_id in case_ids {
                    let entry = CaseEntry {
                        files: FileSet::One(file),
                        sources: 1,
                        verdicts: 1 << bit,
                        unlinked_steps: !source.unlinked_steps.is_empty(),
                    };
                    seen.push((case_id, entry));
                }
            }
        })?;
        seen.sort_by_key(|(case_id, _)| *case_id);
        let mut cases: Vec<(u64, CaseEntry)> = Vec::new();
        for (case_id, entry) in seen {
            match cases.last_mut() {
                Some((last, merged)) if *last == case_id => {
                    merged.sources += entry.sources;
                    merged.verdicts |= entry.verdicts;
                    merged.unlinked_steps |= entry.unlinked_steps;
                    for file in entry.files() {
                        merged.files.insert(*file);
                    }
                }
                _ => cases.push((case_id, entry)),
            }
        }
        cases.shrink_to_fit();
        Ok(Index { files, cases })
    }

    /// Every linked case, by ID.
    pub fn cases(&self) -> impl Iterator<Item = (u64, &CaseEntry)> {
        self.cases.iter().map(|(case_id, entry)| (*case_id, entry))
    }

    /// The IDs of every linked case, ascending.
    pub fn case_ids(&self) -> impl Iterator<Item = u64> {
        self.cases.iter().map(|(case_id, _)| *case_id)
    }

    /// What is known of `case_id`.
    pub fn get(&self, case_id: u64) -> Option<&CaseEntry> {
        self.position(case_id).map(|at| &self.cases[at].1)
    }

    fn position(&self, case_id: u64) -> Option<usize> {
        self.cases
            .binary_search_by_key(&case_id, |(case_id, _)| *case_id)
            .ok()
    }

    /// The names of the files reporting `case_id`, sorted.
    pub fn files_of(&self, case_id: u64) -> Vec<String> {
        let mut names: Vec<String> = self
            .get(case_id)
            .map(|entry| {
                entry
                    .files()
                    .iter()
                    .filter_map(|file| self.files.get(*file as usize))
                    .map(|meta| meta.name.clone())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names.dedup();
        names
    }
}

/// Reads `outcomes` again as a stream and hands `each` the report of every case of the
/// `index` that `wanted` accepts, as soon as its last source is read: only the reports of
/// cases whose sources are still to come are held. A report's sources are in the order
/// [`build`] gives them (worst first; among equals, by file, test path and position in the
/// test). A source the index did not count (a file that grew since) is left out, and no
/// case is handed over twice.
///
/// # Errors
/// A spool file that cannot be read.
pub fn for_each_report(
    outcomes: &Outcomes,
    index: &Index,
    wanted: impl Fn(u64) -> bool,
    mut each: impl FnMut(CaseReport),
) -> Result<(), SpoolError> {
    type Key = (u32, String, usize);
    let mut pending: HashMap<u64, Vec<(Key, Source)>> = HashMap::new();
    // One bit per case of the index.
    let mut done = vec![0u64; index.cases.len().div_ceil(64)];
    let finish = |case_id: u64, mut sources: Vec<(Key, Source)>| {
        sources.sort_by(|a, b| a.0.cmp(&b.0));
        let mut sources: Vec<Source> = sources.into_iter().map(|(_, source)| source).collect();
        sources.sort_by_key(|source| std::cmp::Reverse(source.verdict.severity()));
        CaseReport { case_id, sources }
    };
    outcomes.visit(|file, meta, test| {
        let sources = sources_of(test, &meta.name, meta.git_commit.as_deref());
        for (position, (case_ids, source)) in sources.into_iter().enumerate() {
            for case_id in case_ids {
                let Some(at) = index.position(case_id) else {
                    continue;
                };
                let (word, bit) = (at / 64, 1u64 << (at % 64));
                if !wanted(case_id) || done[word] & bit != 0 {
                    continue;
                }
                let entry = &index.cases[at].1;
                let key = (file, test.path.clone(), position);
                if entry.sources <= 1 {
                    done[word] |= bit;
                    each(finish(case_id, vec![(key, source.clone())]));
                    continue;
                }
                let held = pending.entry(case_id).or_default();
                held.push((key, source.clone()));
                if held.len() >= entry.sources as usize {
                    let held = pending.remove(&case_id).unwrap_or_default();
                    done[word] |= bit;
                    each(finish(case_id, held));
                }
            }
        }
    })?;
    // Sources the index counted but the second reading did not find.
    let mut rest: Vec<(u64, Vec<(Key, Source)>)> = pending.into_iter().collect();
    rest.sort_by_key(|(case_id, _)| *case_id);
    for (case_id, held) in rest {
        each(finish(case_id, held));
    }
    Ok(())
}

fn sources_of(test: &TestOutcome, file: &str, git_commit: Option<&str>) -> Vec<(Vec<u64>, Source)> {
    let verdict = match (&test.execution, test.run_result, test.bug_label) {
        (Execution::Skipped { .. }, _, _) => Verdict::Skipped,
        (Execution::Ran, Some(run_result), Some(label)) => Verdict::Ran { run_result, label },
        (Execution::Ran, _, _) => return Vec::new(),
    };
    let last = test.last_attempt();
    let steps = last
        .map(|attempt| attempt.steps.as_slice())
        .unwrap_or_default();
    let base = Source {
        file: file.to_owned(),
        description: format!("test {}", test.path),
        verdict,
        message: last.and_then(|attempt| attempt.message.clone()),
        location: last.and_then(|attempt| attempt.location.as_ref().map(ToString::to_string)),
        failed_step: last.and_then(|attempt| attempt.failed_step.clone()),
        attempts: test.attempts.len(),
        history: test
            .attempts
            .iter()
            .map(|attempt| Attempt {
                steps: Vec::new(),
                ..attempt.clone()
            })
            .collect(),
        skip_reason: match &test.execution {
            Execution::Skipped { reason } => reason.clone(),
            Execution::Ran => None,
        },
        elapsed_ms: test.elapsed_ms,
        defects: test.defects.clone(),
        comments: test.comments.clone(),
        fields: test.fields.clone(),
        unlinked_steps: unlinked(steps),
        git_commit: git_commit.map(str::to_owned),
    };
    let mut sources = Vec::new();
    if !test.case_ids.is_empty() {
        sources.push((test.case_ids.clone(), base.clone()));
    }
    collect_steps(steps, &base, test, &mut sources);
    sources
}

/// The steps of a tree that have no case of their own, flattened in order.
fn unlinked(steps: &[StepOutcome]) -> Vec<StepOutcome> {
    let mut flat = Vec::new();
    for step in steps {
        if step.case_ids.is_empty() {
            flat.push(StepOutcome {
                steps: Vec::new(),
                ..step.clone()
            });
        }
        flat.extend(unlinked(&step.steps));
    }
    flat
}

fn collect_steps(
    steps: &[StepOutcome],
    test_source: &Source,
    test: &TestOutcome,
    sources: &mut Vec<(Vec<u64>, Source)>,
) {
    for step in steps {
        if !step.case_ids.is_empty() {
            let verdict = step_verdict(step.status, test_source.verdict);
            sources.push((
                step.case_ids.clone(),
                Source {
                    description: format!("step {} in {}", step.name, test.path),
                    verdict,
                    message: step.message.clone(),
                    location: step.location.as_ref().map(ToString::to_string),
                    failed_step: (step.status == StepStatus::Failed).then(|| step.name.to_string()),
                    elapsed_ms: step.elapsed_ms,
                    unlinked_steps: unlinked(&step.steps),
                    comments: Vec::new(),
                    ..test_source.clone()
                },
            ));
        }
        collect_steps(&step.steps, test_source, test, sources);
    }
}

/// A step's verdict: a passed step is NoBug; a failed step carries the test's label when it
/// is a bug label (LikelyBug for a known bug), else DefinitelyBug; a stopped step is
/// Undecided; a step not reached is NotReached.
fn step_verdict(status: StepStatus, test: Verdict) -> Verdict {
    let run_result = match test {
        Verdict::Ran { run_result, .. } => run_result,
        _ => RunResult::Success,
    };
    match status {
        StepStatus::Passed => Verdict::Ran {
            run_result,
            label: BugLabel::NoBug,
        },
        StepStatus::Failed => {
            let label = match test {
                Verdict::Ran {
                    label: label @ (BugLabel::LikelyBug | BugLabel::DefinitelyBug),
                    ..
                } => label,
                _ => BugLabel::DefinitelyBug,
            };
            Verdict::Ran { run_result, label }
        }
        StepStatus::Stopped => Verdict::Ran {
            run_result,
            label: BugLabel::Undecided,
        },
        StepStatus::NotReached => Verdict::NotReached,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use testrail_formats::outcome::{Attempt, LabelSource, Location};

    fn step(name: &'static str, case_ids: &[u64], status: StepStatus) -> StepOutcome {
        StepOutcome {
            name: name.into(),
            case_ids: case_ids.to_vec(),
            defined_at: None,
            status,
            message: None,
            location: None,
            elapsed_ms: 5,
            steps: Vec::new(),
        }
    }

    fn test(path: &str, case_ids: &[u64], label: BugLabel, steps: Vec<StepOutcome>) -> TestOutcome {
        TestOutcome {
            path: path.into(),
            title: None,
            defined_at: Location {
                file: "t.rs".into(),
                line: 1,
                column: None,
            },
            case_ids: case_ids.to_vec(),
            execution: Execution::Ran,
            run_result: Some(RunResult::Success),
            bug_label: Some(label),
            label_source: Some(LabelSource::Derived),
            passed: label.is_pass(),
            elapsed_ms: 10,
            attempts: vec![Attempt {
                number: 1,
                run_result: RunResult::Success,
                passed: label.is_pass(),
                message: None,
                location: None,
                failed_step: None,
                elapsed_ms: 10,
                steps,
            }],
            known_bug: None,
            defects: Vec::new(),
            comments: Vec::new(),
            fields: BTreeMap::new(),
            attachments: Vec::new(),
        }
    }

    fn file(tests: Vec<TestOutcome>) -> SpoolFile {
        SpoolFile {
            format: testrail_formats::spool::FORMAT.into(),
            version: testrail_formats::spool::VERSION,
            session: "s".into(),
            session_source: testrail_formats::session::SessionSource::Environment,
            package: "p".into(),
            binary: "b".into(),
            pid: 1,
            started_at_ms: 0,
            finished_at_ms: 0,
            git_commit: None,
            manifest_dir: ".".into(),
            tests,
        }
    }

    #[test]
    fn test_and_step_cases_are_all_reported_and_a_failure_wins() {
        let flow = test(
            "t::flow",
            &[1],
            BugLabel::DefinitelyBug,
            vec![
                step("login", &[2], StepStatus::Passed),
                step("pay", &[3], StepStatus::Failed),
                step("logout", &[4], StepStatus::NotReached),
                step("helper", &[], StepStatus::Passed),
            ],
        );
        let other = test("t::other", &[3], BugLabel::NoBug, Vec::new());
        let reports = build(&[file(vec![flow, other])]);
        let ids: Vec<u64> = reports.iter().map(|r| r.case_id).collect();
        assert_eq!(ids, [1, 2, 3, 4]);
        let three = &reports[2];
        assert_eq!(three.sources.len(), 2);
        assert_eq!(three.decisive().description, "step pay in t::flow");
        assert_eq!(reports[3].decisive().verdict, Verdict::NotReached);
        assert_eq!(reports[0].decisive().unlinked_steps.len(), 1);
        assert_eq!(reports[0].decisive().unlinked_steps[0].name, "helper");
    }

    #[test]
    fn a_spool_file_read_as_a_stream_gives_the_reports_of_the_file_in_memory() {
        let flow = test(
            "t::flow",
            &[1],
            BugLabel::DefinitelyBug,
            vec![step("pay", &[3], StepStatus::Failed)],
        );
        let other = test("t::other", &[3, 5], BugLabel::NoBug, Vec::new());
        let last = test("t::zz", &[1], BugLabel::NoBug, Vec::new());
        let spool = file(vec![last, other, flow]);
        let dir = tempfile::tempdir().unwrap();
        let path = spool.write_to(dir.path()).unwrap();
        let outcomes = Outcomes::Files(vec![path]);
        let index = Index::build(&outcomes).unwrap();
        assert_eq!(index.case_ids().collect::<Vec<_>>(), [1, 3, 5]);
        assert_eq!(index.get(3).map(|entry| entry.sources), Some(2));
        let mut streamed = Vec::new();
        for_each_report(&outcomes, &index, |_| true, |report| streamed.push(report)).unwrap();
        assert_eq!(streamed.len(), 3, "each case handed over once");
        streamed.sort_by_key(|report| report.case_id);
        assert_eq!(
            streamed,
            build(&[spool]),
            "the same sources, in the same order"
        );

        let mut only_five = Vec::new();
        for_each_report(
            &outcomes,
            &index,
            |case| case == 5,
            |report| only_five.push(report.case_id),
        )
        .unwrap();
        assert_eq!(only_five, [5]);
    }
}
