//! Step plans: the steps a test went through the last time it passed, so that when a later
//! attempt fails early, the steps it never reached are still reported (as not reached)
//! instead of silently missing from TestRail.
//!
//! A plan is learned from a passing attempt and kept in `target/testrail/step-plans/`, in
//! one file per test binary, `<package>.<binary>.jsonl`: one JSON line per test,
//! `{"test":"<path>","steps":[…]}`, where a later line for a test replaces an earlier one.
//!
//! - A process reads the file once, when its first test ends, into an index of where each
//!   test's plan is (the plans themselves are read only for a test that failed).
//! - It appends the plans that changed as its tests pass, a few whole lines per write, and
//!   writes nothing when no plan changed. Processes of one binary that run at once (as
//!   cargo-nextest runs them) append to the same file; each write holds whole lines only.
//! - A process that is killed while appending leaves at most its last line cut short: that
//!   line is ignored (the test's earlier line still counts), and the next line appended
//!   starts on a line of its own.
//! - When lines that later lines replaced make up more than half of the file, the process
//!   that ends while no other process of the binary runs rewrites it with the newest line of
//!   each test ([`spool::write_atomically_with`]: a reader sees the old or the new file).
//!   Processes hold a shared lock on `<package>.<binary>.lock` while their tests run and the
//!   rewrite an exclusive one, so that a rewrite never drops a line another process appends.
//! - A missing file means no plans yet; an unreadable file or line is treated as no plan and
//!   reported in one line at the end of the run ([`StepPlans::notes`]).
//! - Plans kept in the earlier layout, one file per test in `step-plans/<binary>/`, are moved
//!   into the binary's file by [`StepPlans::migrate_legacy`].

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};

use serde::{Deserialize, Serialize};

use testrail_formats::spool;

use crate::outcome::{Location, StepOutcome, StepStatus};
use crate::session::sanitize;

/// A step as a plan remembers it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedStep {
    /// The step's name (borrowed when learned from a step known at compile time).
    pub name: Cow<'static, str>,
    /// Its linked case IDs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub case_ids: Vec<u64>,
    /// Where it is defined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defined_at: Option<Location>,
    /// The steps it calls.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<PlannedStep>,
}

impl PlannedStep {
    /// The plan of a completed step tree.
    pub fn learn(steps: &[StepOutcome]) -> Vec<PlannedStep> {
        steps
            .iter()
            .map(|step| PlannedStep {
                name: step.name.clone(),
                case_ids: step.case_ids.clone(),
                defined_at: step.defined_at.clone(),
                steps: PlannedStep::learn(&step.steps),
            })
            .collect()
    }

    fn not_reached(&self) -> StepOutcome {
        StepOutcome {
            name: self.name.clone(),
            case_ids: self.case_ids.clone(),
            defined_at: self.defined_at.clone(),
            status: StepStatus::NotReached,
            message: None,
            location: None,
            elapsed_ms: 0,
            steps: self.steps.iter().map(PlannedStep::not_reached).collect(),
        }
    }
}

/// The plan of a completed step tree, written as [`PlannedStep`]s are, without building them.
struct PlanOf<'a>(&'a [StepOutcome]);

impl Serialize for PlanOf<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(StepPlanOf))
    }
}

/// One step of [`PlanOf`]: the fields of [`PlannedStep`], in its order, skipped as it skips
/// them.
struct StepPlanOf<'a>(&'a StepOutcome);

impl Serialize for StepPlanOf<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let step = self.0;
        let mut out = serializer.serialize_struct("PlannedStep", 4)?;
        out.serialize_field("name", &step.name)?;
        match step.case_ids.is_empty() {
            true => out.skip_field("case_ids")?,
            false => out.serialize_field("case_ids", &step.case_ids)?,
        }
        match &step.defined_at {
            None => out.skip_field("defined_at")?,
            Some(at) => out.serialize_field("defined_at", at)?,
        }
        match step.steps.is_empty() {
            true => out.skip_field("steps")?,
            false => out.serialize_field("steps", &PlanOf(&step.steps))?,
        }
        out.end()
    }
}

/// Appends, as not reached, the planned steps that an attempt which ended early did not
/// enter. Nothing is added when the recorded steps do not follow the plan (the test has
/// changed since the plan was learned).
///
/// ```
/// use testrail_harness::outcome::{StepOutcome, StepStatus};
/// use testrail_harness::step_plan::{fill_not_reached, PlannedStep};
///
/// let step = |name: &'static str, status| StepOutcome {
///     name: name.into(), case_ids: vec![], defined_at: None, status,
///     message: None, location: None, elapsed_ms: 1, steps: vec![],
/// };
/// let plan = PlannedStep::learn(&[step("login", StepStatus::Passed), step("pay", StepStatus::Passed)]);
/// let mut recorded = vec![step("login", StepStatus::Failed)];
/// fill_not_reached(&mut recorded, &plan);
/// assert_eq!(recorded[1].name, "pay");
/// assert_eq!(recorded[1].status, StepStatus::NotReached);
/// ```
pub fn fill_not_reached(recorded: &mut Vec<StepOutcome>, plan: &[PlannedStep]) {
    let reached = recorded.len();
    let follows_plan = reached <= plan.len()
        && recorded
            .iter()
            .zip(plan)
            .all(|(step, planned)| step.name == planned.name);
    if !follows_plan {
        return;
    }
    if let Some(last) = recorded.last_mut()
        && last.status != StepStatus::Passed
    {
        fill_not_reached(&mut last.steps, &plan[reached - 1].steps);
    }
    recorded.extend(plan[reached..].iter().map(PlannedStep::not_reached));
}

/// Appended lines are written once this many bytes wait.
const FLUSH_AT: usize = 64 * 1024;

/// The file is rewritten when replaced or unreadable lines take at least this many bytes
/// and at least half of it.
const COMPACT_AT: u64 = 256 * 1024;

/// How each line begins, up to the test's path.
const LINE_START: &[u8] = b"{\"test\":";

/// What follows the test's path, up to its steps.
const BEFORE_STEPS: &[u8] = b",\"steps\":";

/// The plans of one test binary on disk (see the module documentation).
pub struct StepPlans {
    file: PathBuf,
    lock_file: PathBuf,
    legacy_dir: PathBuf,
    lock: OnceLock<Option<File>>,
    opened: OnceLock<Opened>,
    appending: Mutex<Appending>,
    problems: Mutex<Problems>,
}

/// The file as this process read it.
struct Opened {
    /// The file, to read the plans the index points to.
    file: Option<Mutex<File>>,
    index: Index,
}

/// Where each test's newest plan is in the file.
#[derive(Default)]
struct Index {
    spans: HashMap<String, Span>,
    /// Bytes in the file.
    len: u64,
    /// Bytes of lines that later lines replaced, or that are unreadable.
    stale: u64,
    /// Whether the file ends in a line cut short.
    ends_mid_line: bool,
    /// Unreadable lines: how many, and the byte at which the first one starts.
    unreadable: usize,
    first_unreadable: Option<u64>,
}

/// A test's newest line.
#[derive(Clone, Copy)]
struct Span {
    line_at: u64,
    line_len: u64,
    steps_at: u64,
    steps_len: usize,
}

/// Lines waiting to be appended, and the file they go to.
#[derive(Default)]
struct Appending {
    waiting: Vec<u8>,
    waiting_plans: usize,
    file: Option<File>,
    wrote_any: bool,
    appended: u64,
    replaced: u64,
}

/// What went wrong, to be reported once at the end.
#[derive(Default)]
struct Problems {
    unsaved: Count,
    unreadable: Count,
    notes: Vec<String>,
}

/// How many times something went wrong, and the first reason.
#[derive(Default)]
struct Count {
    count: usize,
    first: Option<String>,
}

impl Count {
    fn add(&mut self, count: usize, reason: impl FnOnce() -> String) {
        self.count += count;
        if self.first.is_none() {
            self.first = Some(reason());
        }
    }
}

impl StepPlans {
    /// The plans of test binary `binary` (the test target's crate name) of package `package`,
    /// kept under `root` (`target/testrail/step-plans`). Nothing is read before the first
    /// plan is needed.
    pub fn new(root: &Path, package: &str, binary: &str) -> StepPlans {
        let name = sanitize(&format!("{package}.{binary}"));
        StepPlans {
            file: root.join(format!("{name}.jsonl")),
            lock_file: root.join(format!("{name}.lock")),
            legacy_dir: root.join(binary),
            lock: OnceLock::new(),
            opened: OnceLock::new(),
            appending: Mutex::new(Appending::default()),
            problems: Mutex::new(Problems::default()),
        }
    }

    /// The file the plans are kept in.
    pub fn path(&self) -> &Path {
        &self.file
    }

    /// The plans that could not be written, as `(how many, the first reason)`: the harness
    /// reports them once, at its end, instead of once per test.
    pub fn unsaved(&self) -> Option<(usize, String)> {
        let problems = lock(&self.problems);
        let unsaved = &problems.unsaved;
        unsaved.first.clone().map(|first| (unsaved.count, first))
    }

    /// Lines for the end of the run: plans that could not be read (treated as none) and
    /// plans moved from the earlier layout.
    pub fn notes(&self) -> Vec<String> {
        let problems = lock(&self.problems);
        let mut notes = problems.notes.clone();
        if let Some(first) = &problems.unreadable.first {
            let count = problems.unreadable.count;
            notes.push(format!(
                "testrail: {count} step plan{} in {} could not be read ({first}) and count as none: steps that a failing attempt did not reach are reported as not reached only once the test passes again",
                if count == 1 { "" } else { "s" },
                self.file.display()
            ));
        }
        notes
    }

    /// The plan of a test, if one was learned (an unreadable plan counts as none and is
    /// reported by [`StepPlans::notes`]).
    pub fn load(&self, test_path: &str) -> Option<Vec<PlannedStep>> {
        let opened = self.opened();
        let span = *opened.index.spans.get(test_path)?;
        let parsed = match opened.read_steps(span) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|error| error.to_string()),
            Err(error) => Err(error.to_string()),
        };
        match parsed {
            Ok(plan) => Some(plan),
            Err(reason) => {
                lock(&self.problems)
                    .unreadable
                    .add(1, || format!("the plan of {test_path}: {reason}"));
                None
            }
        }
    }

    /// Remembers the plan of a test that passed, learned from the `steps` of its passing
    /// attempt (as [`PlannedStep::learn`] learns it). Nothing is written for a test without
    /// steps that has no plan, or whose plan did not change, so a run of many tests whose
    /// plans are known writes nothing. Failures to write are counted for
    /// [`StepPlans::unsaved`] and otherwise ignored, since a missing plan only means fewer
    /// not-reached steps.
    pub fn store(&self, test_path: &str, steps: &[StepOutcome]) {
        let opened = self.opened();
        let stored = opened.index.spans.get(test_path).copied();
        if steps.is_empty() && stored.is_none() {
            return;
        }
        let mut line = Vec::with_capacity(stored.map_or(256, |span| span.line_len as usize));
        let Some(steps) = write_line(&mut line, test_path, &PlanOf(steps)) else {
            return;
        };
        if let Some(span) = stored
            && span.steps_len == steps.len()
            && opened
                .read_steps(span)
                .is_ok_and(|current| current == line[steps.clone()])
        {
            return;
        }
        let mut appending = lock(&self.appending);
        if !appending.wrote_any && appending.waiting.is_empty() && opened.index.ends_mid_line {
            appending.waiting.push(b'\n');
        }
        appending.waiting.extend_from_slice(&line);
        appending.waiting_plans += 1;
        appending.replaced += stored.map_or(0, |span| span.line_len);
        if appending.waiting.len() >= FLUSH_AT {
            self.flush(&mut appending);
        }
    }

    /// Moves the plans of the earlier layout (`step-plans/<binary>/<test>.json`, one file
    /// per test) into this binary's file, for the tests that `tests` names and that have no
    /// plan in the file yet; their files are then removed (files of tests that this binary
    /// does not have are left). One note says what was moved. Does nothing (one `stat`) when
    /// there is no earlier layout. Call it before the first test ends: the plans it moves
    /// are read with the file when the first test ends.
    pub fn migrate_legacy<I: IntoIterator<Item = String>>(&self, tests: impl FnOnce() -> I) {
        let Ok(entries) = std::fs::read_dir(&self.legacy_dir) else {
            return;
        };
        let files: HashMap<std::ffi::OsString, PathBuf> = entries
            .filter_map(Result::ok)
            .map(|entry| (entry.file_name(), entry.path()))
            .collect();
        self.lock.get_or_init(|| self.take_shared_lock());
        let current = File::open(&self.file)
            .and_then(|file| Index::read(&file))
            .unwrap_or_default();
        let mut matched = Vec::new();
        let mut appending = lock(&self.appending);
        let mut moved = 0;
        for test in tests() {
            let name = format!("{}.json", sanitize(&test));
            let Some(path) = files.get(std::ffi::OsStr::new(&name)) else {
                continue;
            };
            matched.push(path);
            if current.spans.contains_key(&test) {
                continue;
            }
            let Some(plan) = std::fs::read(path)
                .ok()
                .and_then(|bytes| serde_json::from_slice::<Vec<PlannedStep>>(&bytes).ok())
                .filter(|plan| !plan.is_empty())
            else {
                continue;
            };
            let mut line = Vec::new();
            if write_line(&mut line, &test, &plan).is_some() {
                if appending.waiting.is_empty() && current.ends_mid_line {
                    appending.waiting.push(b'\n');
                }
                appending.waiting.extend_from_slice(&line);
                appending.waiting_plans += 1;
                moved += 1;
            }
        }
        let unsaved_before = lock(&self.problems).unsaved.count;
        self.flush(&mut appending);
        drop(appending);
        if lock(&self.problems).unsaved.count > unsaved_before {
            // The plans stay where they were; the line about unsaved plans says why.
            return;
        }
        for path in &matched {
            let _ = std::fs::remove_file(path);
        }
        let left = files.len() - matched.len();
        if left == 0 {
            let _ = std::fs::remove_dir(&self.legacy_dir);
        }
        if !matched.is_empty() {
            lock(&self.problems).notes.push(format!(
                "testrail: moved the step plans of {moved} test{} from {} into {}{}",
                if moved == 1 { "" } else { "s" },
                self.legacy_dir.display(),
                self.file.display(),
                match left {
                    0 => String::new(),
                    left => format!(
                        "; {left} file{} of tests this binary does not have {} left there",
                        if left == 1 { "" } else { "s" },
                        if left == 1 { "is" } else { "are" }
                    ),
                }
            ));
        }
    }

    /// Writes the plans waiting now, for runs whose end nobody sees (libtest runs a unit
    /// test's [`crate::libtest`] runtime and has no hook at its end); a failure to write
    /// is counted for [`StepPlans::unsaved`].
    pub fn write_waiting(&self) {
        self.flush(&mut lock(&self.appending));
    }

    /// The tests have ended: writes the plans still waiting, rewrites the file without its
    /// replaced lines when they make up most of it and no other process of this binary is
    /// running, and lets other processes rewrite it.
    pub fn finish(&self) {
        let Some(opened) = self.opened.get() else {
            return;
        };
        let mut appending = lock(&self.appending);
        self.flush(&mut appending);
        appending.file = None;
        let stale = opened.index.stale + appending.replaced;
        let len = opened.index.len + appending.appended;
        drop(appending);
        let Some(Some(held)) = self.lock.get() else {
            return;
        };
        if held.unlock().is_err() {
            return;
        }
        if stale >= COMPACT_AT && stale * 2 >= len && held.try_lock().is_ok() {
            if let Err(error) = self.compact() {
                lock(&self.problems).notes.push(format!(
                    "testrail: could not rewrite {} without its replaced lines ({error}); it keeps them and stays usable",
                    self.file.display()
                ));
            }
            let _ = held.unlock();
        }
    }

    /// Rewrites the file with the newest line of each test that has steps.
    fn compact(&self) -> Result<(), spool::SpoolError> {
        let io = |action, source| spool::SpoolError::Io {
            action,
            path: self.file.clone(),
            source,
        };
        let file = File::open(&self.file).map_err(|source| io("open", source))?;
        let index = Index::read(&file).map_err(|source| io("read", source))?;
        let mut keep: Vec<(u64, u64)> = index
            .spans
            .values()
            .filter(|span| span.steps_len > 2)
            .map(|span| (span.line_at, span.line_len))
            .collect();
        keep.sort_unstable();
        spool::write_atomically_with(&self.file, |out| {
            let mut file = &file;
            let mut line = Vec::new();
            for (at, len) in keep {
                line.resize(len as usize, 0);
                file.seek(SeekFrom::Start(at))?;
                file.read_exact(&mut line)?;
                out.write_all(&line)?;
            }
            Ok(())
        })
    }

    fn opened(&self) -> &Opened {
        self.opened.get_or_init(|| {
            self.lock.get_or_init(|| self.take_shared_lock());
            match File::open(&self.file) {
                Ok(file) => match Index::read(&file) {
                    Ok(index) => {
                        if let Some(at) = index.first_unreadable {
                            lock(&self.problems).notes.push(format!(
                                "testrail: {} line{} of {} could not be read (the first at byte {at}{}) and {} ignored",
                                index.unreadable,
                                if index.unreadable == 1 { "" } else { "s" },
                                self.file.display(),
                                if index.ends_mid_line {
                                    ", the last cut short by a process that ended while writing it"
                                } else {
                                    ""
                                },
                                if index.unreadable == 1 { "is" } else { "are" },
                            ));
                        }
                        Opened {
                            file: Some(Mutex::new(file)),
                            index,
                        }
                    }
                    Err(error) => self.unreadable_file(&error),
                },
                // No plans yet; or none can be kept there (the line about plans that could
                // not be saved says so).
                Err(error)
                    if matches!(
                        error.kind(),
                        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                    ) =>
                {
                    Opened {
                        file: None,
                        index: Index::default(),
                    }
                }
                Err(error) => self.unreadable_file(&error),
            }
        })
    }

    fn unreadable_file(&self, error: &std::io::Error) -> Opened {
        lock(&self.problems).notes.push(format!(
            "testrail: could not read the step plans in {} ({error}); they count as none: steps that a failing attempt did not reach are not reported as not reached",
            self.file.display()
        ));
        Opened {
            file: None,
            index: Index::default(),
        }
    }

    /// A shared lock on the lock file, held until [`StepPlans::finish`]; `None` where locks
    /// are not available (the file is then never rewritten by this process).
    fn take_shared_lock(&self) -> Option<File> {
        let dir = self.lock_file.parent()?;
        std::fs::create_dir_all(dir).ok()?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&self.lock_file)
            .ok()?;
        file.lock_shared().ok()?;
        Some(file)
    }

    /// Appends the waiting lines in one write.
    fn flush(&self, appending: &mut Appending) {
        if appending.waiting.is_empty() {
            return;
        }
        let written = (|| {
            if appending.file.is_none() {
                if let Some(dir) = self.file.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                appending.file = Some(
                    OpenOptions::new()
                        .append(true)
                        .create(true)
                        .open(&self.file)?,
                );
            }
            match appending.file.as_mut() {
                Some(file) => file.write_all(&appending.waiting),
                None => Ok(()),
            }
        })();
        match written {
            Ok(()) => {
                appending.wrote_any = true;
                appending.appended += appending.waiting.len() as u64;
            }
            Err(error) => lock(&self.problems)
                .unsaved
                .add(appending.waiting_plans, || {
                    format!("{}: {error}", self.file.display())
                }),
        }
        appending.waiting.clear();
        appending.waiting_plans = 0;
    }
}

impl Opened {
    /// The JSON of the steps at `span`.
    fn read_steps(&self, span: Span) -> std::io::Result<Vec<u8>> {
        let Some(file) = &self.file else {
            return Err(std::io::ErrorKind::NotFound.into());
        };
        let mut file = lock(file);
        let mut bytes = vec![0; span.steps_len];
        file.seek(SeekFrom::Start(span.steps_at))?;
        file.read_exact(&mut bytes)?;
        Ok(bytes)
    }
}

impl Index {
    /// Reads `file` from its start, line by line.
    fn read(file: &File) -> std::io::Result<Index> {
        let mut reader = BufReader::with_capacity(256 * 1024, file);
        let mut index = Index::default();
        let mut line = Vec::new();
        loop {
            line.clear();
            let len = reader.read_until(b'\n', &mut line)?;
            if len == 0 {
                break;
            }
            let at = index.len;
            index.len += len as u64;
            let parsed = match line.strip_suffix(b"\n") {
                Some(line) => parse_line(line),
                None => {
                    index.ends_mid_line = true;
                    None
                }
            };
            match parsed {
                Some((test, steps)) => {
                    let span = Span {
                        line_at: at,
                        line_len: len as u64,
                        steps_at: at + steps.start as u64,
                        steps_len: steps.len(),
                    };
                    if let Some(replaced) = index.spans.insert(test, span) {
                        index.stale += replaced.line_len;
                    }
                }
                None if line.iter().all(u8::is_ascii_whitespace) => index.stale += len as u64,
                None => {
                    index.stale += len as u64;
                    index.unreadable += 1;
                    index.first_unreadable.get_or_insert(at);
                }
            }
        }
        Ok(index)
    }
}

/// Writes the line of `test`'s plan; returns where its steps are in it (`None`, writing
/// nothing, if the plan cannot be written as JSON).
fn write_line(
    line: &mut Vec<u8>,
    test: &str,
    plan: &impl Serialize,
) -> Option<std::ops::Range<usize>> {
    line.extend_from_slice(LINE_START);
    serde_json::to_writer(&mut *line, test).ok()?;
    line.extend_from_slice(BEFORE_STEPS);
    let start = line.len();
    serde_json::to_writer(&mut *line, plan).ok()?;
    let steps = start..line.len();
    line.extend_from_slice(b"}\n");
    Some(steps)
}

/// The test's path and where its steps are in a line (without its `\n`), or `None` when
/// the line is not one that [`write_line`] writes. The steps themselves are read only when
/// needed.
fn parse_line(line: &[u8]) -> Option<(String, std::ops::Range<usize>)> {
    let rest = line.strip_prefix(LINE_START)?;
    let mut strings = serde_json::Deserializer::from_slice(rest).into_iter::<String>();
    let test = strings.next()?.ok()?;
    let after_test = LINE_START.len() + strings.byte_offset();
    let steps = line[after_test..]
        .strip_prefix(BEFORE_STEPS)?
        .strip_suffix(b"}")?;
    let start = after_test + BEFORE_STEPS.len();
    (steps.first() == Some(&b'[') && steps.last() == Some(&b']'))
        .then_some((test, start..start + steps.len()))
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(names: &[&'static str]) -> Vec<PlannedStep> {
        names
            .iter()
            .map(|name| PlannedStep {
                name: Cow::Borrowed(*name),
                case_ids: vec![7],
                defined_at: None,
                steps: Vec::new(),
            })
            .collect()
    }

    /// The steps of a passing attempt that went through `names`.
    fn passed(names: &[&'static str]) -> Vec<StepOutcome> {
        planned(names)
            .iter()
            .map(|step| StepOutcome {
                name: step.name.clone(),
                case_ids: step.case_ids.clone(),
                defined_at: None,
                status: StepStatus::Passed,
                message: None,
                location: None,
                elapsed_ms: 1,
                steps: Vec::new(),
            })
            .collect()
    }

    fn names(plan: &[PlannedStep]) -> Vec<&str> {
        plan.iter().map(|step| step.name.as_ref()).collect()
    }

    /// One process of the binary: the plans as they are on disk now.
    fn process(root: &Path) -> StepPlans {
        StepPlans::new(root, "shop", "checkout")
    }

    fn file_len(plans: &StepPlans) -> u64 {
        std::fs::metadata(plans.path()).map_or(0, |m| m.len())
    }

    #[test]
    fn a_plan_is_written_from_the_steps_as_the_learned_plan_is() {
        let mut steps = passed(&["log in", "pay"]);
        steps[0].case_ids.clear();
        steps[0].defined_at = Some(Location {
            file: "tests/shop.rs".into(),
            line: 3,
            column: None,
        });
        steps[0].steps = passed(&["check token"]);
        let learned = PlannedStep::learn(&steps);
        let written = serde_json::to_string(&PlanOf(&steps)).unwrap();
        assert_eq!(written, serde_json::to_string(&learned).unwrap());
        assert_eq!(
            serde_json::from_str::<Vec<PlannedStep>>(&written).unwrap(),
            learned
        );
    }

    #[test]
    fn a_later_process_reads_the_plans_and_an_unchanged_plan_writes_nothing() {
        let root = tempfile::tempdir().unwrap();
        let first = process(root.path());
        first.store("cart::add", &passed(&["log in", "add"]));
        first.store("cart::trivial", &[]);
        first.finish();
        assert_eq!(first.unsaved(), None);
        assert_eq!(
            first.path(),
            root.path().join("shop.checkout.jsonl"),
            "one file for the binary"
        );
        let written = file_len(&first);
        assert!(written > 0);

        let second = process(root.path());
        assert_eq!(names(&second.load("cart::add").unwrap()), ["log in", "add"]);
        assert_eq!(second.load("cart::add").unwrap()[0].case_ids, [7]);
        assert_eq!(second.load("cart::trivial"), None, "no steps, no plan");
        second.store("cart::add", &passed(&["log in", "add"]));
        second.finish();
        assert_eq!(file_len(&second), written, "nothing appended");

        let third = process(root.path());
        third.store("cart::add", &passed(&["log in", "add", "pay"]));
        third.finish();
        assert_eq!(
            names(&process(root.path()).load("cart::add").unwrap()),
            ["log in", "add", "pay"],
            "the newest line counts"
        );
        assert!(third.notes().is_empty(), "{:?}", third.notes());
    }

    #[test]
    fn a_line_cut_short_by_a_killed_process_is_ignored_and_the_earlier_plan_counts() {
        let root = tempfile::tempdir().unwrap();
        let first = process(root.path());
        first.store("a", &passed(&["one", "two"]));
        first.finish();
        // A second process was killed while appending `a`'s new plan.
        let mut file = OpenOptions::new().append(true).open(first.path()).unwrap();
        file.write_all(b"{\"test\":\"a\",\"steps\":[{\"name\":\"on")
            .unwrap();

        let third = process(root.path());
        assert_eq!(names(&third.load("a").unwrap()), ["one", "two"]);
        third.store("b", &passed(&["three"]));
        third.finish();
        let notes = third.notes();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].contains("cut short"), "{}", notes[0]);

        let fourth = process(root.path());
        assert_eq!(
            names(&fourth.load("b").unwrap()),
            ["three"],
            "the line appended after the cut one starts a line of its own"
        );
        assert_eq!(names(&fourth.load("a").unwrap()), ["one", "two"]);
    }

    #[test]
    fn an_unreadable_file_or_plan_counts_as_none_and_says_so() {
        let root = tempfile::tempdir().unwrap();
        // A directory where the file should be: it cannot be read nor appended to.
        std::fs::create_dir_all(root.path().join("shop.checkout.jsonl")).unwrap();
        let plans = process(root.path());
        assert_eq!(plans.load("a"), None);
        plans.store("a", &passed(&["one"]));
        plans.finish();
        let notes = plans.notes();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].contains("could not read the step plans"),
            "{}",
            notes[0]
        );
        let (count, first) = plans.unsaved().expect("the plan could not be written");
        assert_eq!(count, 1);
        assert!(first.contains("shop.checkout.jsonl"), "{first}");

        let root = tempfile::tempdir().unwrap();
        std::fs::write(
            root.path().join("shop.checkout.jsonl"),
            "{\"test\":\"a\",\"steps\":[{\"nme\":1}]}\nnot json\n",
        )
        .unwrap();
        let plans = process(root.path());
        assert_eq!(plans.load("a"), None);
        let notes = plans.notes();
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("1 line of"), "{}", notes[0]);
        assert!(notes[1].contains("the plan of a"), "{}", notes[1]);
    }

    #[test]
    fn processes_appending_at_once_lose_no_plan() {
        let root = tempfile::tempdir().unwrap();
        let steps = passed(&["a step with a long enough name"; 40]);
        std::thread::scope(|scope| {
            for process_number in 0..4 {
                let (root, steps) = (root.path(), &steps);
                scope.spawn(move || {
                    let plans = process(root);
                    for test in 0..500 {
                        plans.store(&format!("p{process_number}::t{test}"), steps);
                    }
                    plans.finish();
                    assert_eq!(plans.unsaved(), None);
                });
            }
        });
        let plans = process(root.path());
        for process_number in 0..4 {
            for test in 0..500 {
                let plan = plans.load(&format!("p{process_number}::t{test}"));
                assert_eq!(plan.map(|plan| plan.len()), Some(40));
            }
        }
        assert!(plans.notes().is_empty(), "{:?}", plans.notes());
    }

    /// Stores `plan` as the plan of tests `t0` to `t99` in one process.
    fn run_with(root: &Path, plan: &[StepOutcome]) -> u64 {
        let plans = process(root);
        for test in 0..100 {
            plans.store(&format!("t{test}"), plan);
        }
        plans.finish();
        assert_eq!(plans.unsaved(), None);
        file_len(&plans)
    }

    #[test]
    fn replaced_lines_are_dropped_once_they_make_up_most_of_the_file() {
        let root = tempfile::tempdir().unwrap();
        let (long, short) = (passed(&["a step"; 200]), passed(&["a step"]));
        let after_long = run_with(root.path(), &long);
        assert!(after_long > 2 * COMPACT_AT, "{after_long}");
        let plans = process(root.path());
        plans.store("gone", &short);
        plans.finish();
        let plans = process(root.path());
        plans.store("gone", &[]);
        plans.finish();
        // The short plans replace the long ones: most of the file is replaced lines.
        let after_short = run_with(root.path(), &short);
        assert!(
            after_short < 100 * 100,
            "rewritten with the newest lines only: {after_short} bytes"
        );
        let plans = process(root.path());
        assert_eq!(plans.load("t3").map(|plan| plan.len()), Some(1));
        assert_eq!(
            plans.load("gone"),
            None,
            "a test without steps keeps no line"
        );
        let leftovers: Vec<_> = std::fs::read_dir(root.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .filter(|name| name.to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn the_file_is_not_rewritten_while_another_process_runs() {
        let root = tempfile::tempdir().unwrap();
        let (long, short) = (passed(&["a step"; 200]), passed(&["a step"]));
        let after_long = run_with(root.path(), &long);
        // Another process of the binary is running its tests: it holds the shared lock.
        let other = process(root.path());
        assert_eq!(other.load("t0").map(|plan| plan.len()), Some(200));
        let after_short = run_with(root.path(), &short);
        assert!(after_short > after_long, "appended, not rewritten");
        other.finish();
        // Once it has ended, the next process to end rewrites the file.
        let after_next = run_with(root.path(), &short);
        assert!(after_next < 100 * 100, "rewritten: {after_next} bytes");
    }

    #[test]
    fn plans_of_the_earlier_layout_are_moved_into_the_file() {
        let root = tempfile::tempdir().unwrap();
        let legacy = root.path().join("checkout");
        std::fs::create_dir_all(&legacy).unwrap();
        let old = |steps: &[&'static str]| serde_json::to_vec(&planned(steps)).unwrap();
        std::fs::write(legacy.join("cart__add.json"), old(&["log in", "add"])).unwrap();
        std::fs::write(legacy.join("cart__pay.json"), old(&["old"])).unwrap();
        std::fs::write(legacy.join("gone__test.json"), old(&["x"])).unwrap();
        // `cart::pay` already has a newer plan in the file.
        let newer = process(root.path());
        newer.store("cart::pay", &passed(&["new"]));
        newer.finish();

        let plans = process(root.path());
        plans.migrate_legacy(|| ["cart::add".to_owned(), "cart::pay".to_owned()]);
        assert_eq!(names(&plans.load("cart::add").unwrap()), ["log in", "add"]);
        assert_eq!(names(&plans.load("cart::pay").unwrap()), ["new"]);
        plans.finish();
        let notes = plans.notes();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].contains("moved the step plans of 1 test")
                && notes[0].contains("1 file of tests this binary does not have is left there"),
            "{}",
            notes[0]
        );
        let left: Vec<_> = std::fs::read_dir(&legacy)
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(left, ["gone__test.json"]);

        // Once moved, a later process finds them in the file and says nothing.
        let later = process(root.path());
        later.migrate_legacy(|| ["cart::add".to_owned()]);
        assert_eq!(names(&later.load("cart::add").unwrap()), ["log in", "add"]);
        assert!(later.notes().is_empty(), "{:?}", later.notes());
    }
}
