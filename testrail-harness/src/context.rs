//! The running test's context: the steps it entered and what its body said about itself.
//!
//! The runner installs a fresh context for every attempt on the thread that runs the body
//! (async bodies run on a current-thread runtime, so the same thread). Steps and the
//! runtime API below write into it. Threads and tasks the test starts get the context when
//! they are started through [`crate::threads`] (`testrail::spawn`, `testrail::scope`,
//! `testrail::propagate`, `testrail::propagate_async`); each thread keeps its own stack of
//! open steps, so steps of parallel threads nest under the step that started them and never
//! under each other. Outside a test, the runtime API warns once and does nothing; a step
//! entered outside a test says so, once per step name.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use crate::outcome::{BugLabel, Location, StepOutcome, StepStatus};
use crate::panic_capture::{PanicKind, PanicRecord, SetupFailure};

/// What one attempt recorded, shared between the threads running the body and the runner
/// (which reads it even when a timed-out body is still running).
#[derive(Debug, Default)]
pub struct Recorder {
    test: String,
    max_steps: Option<u32>,
    steps_entered: u32,
    next_id: u64,
    /// The open steps by ID, oldest first (IDs only grow): a stack as deep as the steps
    /// nest, where entering pushes and exiting usually pops (a `BTreeMap` moved the steps
    /// around its nodes on every step).
    open: Vec<(StepId, OpenStep)>,
    finished: Vec<StepOutcome>,
    failed_step: Option<Cow<'static, str>>,
    closed: bool,
    /// The bug label set with [`set_bug_label`].
    pub label: Option<BugLabel>,
    /// Comments added with [`comment`].
    pub comments: Vec<String>,
    /// Defects added with [`defect`].
    pub defects: Vec<String>,
    /// Fields set with [`result_field`].
    pub fields: BTreeMap<String, serde_json::Value>,
    /// Files added with [`crate::attach::attach`] and [`crate::attach::attach_bytes`].
    pub attachments: Vec<crate::outcome::Attachment>,
}

#[derive(Debug)]
struct OpenStep {
    name: Cow<'static, str>,
    case_ids: Vec<u64>,
    defined_at: Option<Location>,
    parent: Option<StepId>,
    started: Instant,
    children: Vec<StepOutcome>,
}

/// A handle on an attempt's recorder.
pub type SharedRecorder = Arc<Mutex<Recorder>>;

/// An open step of a recorder.
pub type StepId = u64;

/// What a step looks like when it is entered.
#[derive(Debug, Clone)]
pub struct StepStart {
    /// Name shown in outcomes: borrowed for a step known at compile time.
    pub name: Cow<'static, str>,
    /// Linked TestRail case IDs.
    pub case_ids: Vec<u64>,
    /// Where the step is defined, for step functions.
    pub defined_at: Option<Location>,
}

impl StepStart {
    /// `name (C1, C2)`: the step as a message names it.
    pub fn describe(&self) -> String {
        let cases: Vec<String> = self.case_ids.iter().map(|id| format!("C{id}")).collect();
        match cases.is_empty() {
            true => format!("`{}`", self.name),
            false => format!("`{}` ({})", self.name, cases.join(", ")),
        }
    }
}

/// Why a step could not be entered.
#[derive(Debug, PartialEq, Eq)]
pub enum EnterError {
    /// The test's `max_steps` budget is used up.
    BudgetExceeded(u32),
    /// The attempt is over: its outcome was taken (a thread it started outlived it).
    AttemptEnded,
}

impl Recorder {
    /// A recorder for an attempt of test `test` with the given step budget.
    pub fn new(test: &str, max_steps: Option<u32>) -> SharedRecorder {
        Arc::new(Mutex::new(Recorder {
            test: test.to_owned(),
            max_steps,
            ..Recorder::default()
        }))
    }

    /// The test this recorder belongs to.
    pub fn test(&self) -> &str {
        &self.test
    }

    /// Opens a step under `parent` (the innermost step open on the entering thread), unless
    /// the step budget is used up or the attempt is over (then the step is handed back with
    /// the reason, for the message that names it).
    pub fn enter(
        &mut self,
        start: StepStart,
        parent: Option<StepId>,
    ) -> Result<StepId, (EnterError, StepStart)> {
        if self.closed {
            return Err((EnterError::AttemptEnded, start));
        }
        if let Some(max) = self.max_steps
            && self.steps_entered >= max
        {
            return Err((EnterError::BudgetExceeded(max), start));
        }
        self.steps_entered += 1;
        self.next_id += 1;
        let id = self.next_id;
        self.open.push((
            id,
            OpenStep {
                name: start.name,
                case_ids: start.case_ids,
                defined_at: start.defined_at,
                parent,
                started: Instant::now(),
                children: Vec::new(),
            },
        ));
        if let Some((_, step)) = self.open.last() {
            crate::isolate::step_entered(
                id,
                parent,
                &step.name,
                &step.case_ids,
                step.defined_at.as_ref(),
            );
        }
        Ok(id)
    }

    /// Closes open step `id` with how it ended; its outcome goes to its parent, or to the
    /// top level when the parent is no longer open.
    pub fn exit(&mut self, id: StepId, status: StepStatus, failure: Option<PanicRecordOrMessage>) {
        let Some(position) = self.open.iter().rposition(|(open, _)| *open == id) else {
            return;
        };
        let (_, step) = self.open.remove(position);
        let (message, location) = match failure {
            Some(PanicRecordOrMessage::Panic(record)) => (Some(record.message), record.location),
            Some(PanicRecordOrMessage::Message(message)) => (Some(message), None),
            None => (None, None),
        };
        if status == StepStatus::Failed && self.failed_step.is_none() {
            self.failed_step = Some(step.name.clone());
        }
        let outcome = StepOutcome {
            name: step.name,
            case_ids: step.case_ids,
            defined_at: step.defined_at,
            status,
            message,
            location,
            elapsed_ms: millis(step.started.elapsed()),
            steps: step.children,
        };
        crate::isolate::step_exited(id, &outcome);
        let parent = step
            .parent
            .and_then(|parent| self.open.iter_mut().rev().find(|(open, _)| *open == parent));
        match parent {
            Some((_, parent)) => parent.children.push(outcome),
            None => self.finished.push(outcome),
        }
    }

    /// The steps of the attempt; steps still open (the body timed out or was cancelled
    /// inside them, or a thread it started is still in them) are closed as
    /// [`StepStatus::Stopped`], innermost first. Steps entered after this are refused.
    pub fn close_steps(&mut self) -> Vec<StepOutcome> {
        while let Some(&(id, _)) = self.open.last() {
            self.exit(id, StepStatus::Stopped, None);
        }
        self.closed = true;
        std::mem::take(&mut self.finished)
    }

    /// The case IDs of the innermost of steps `ids` (open on one thread, outermost first)
    /// that has its own cases; empty when none has.
    pub fn innermost_cases(&self, ids: &[StepId]) -> Vec<u64> {
        ids.iter()
            .rev()
            .filter_map(|id| self.open.iter().find(|(open, _)| open == id))
            .map(|(_, step)| &step.case_ids)
            .find(|case_ids| !case_ids.is_empty())
            .cloned()
            .unwrap_or_default()
    }

    /// The innermost step that failed, if any.
    pub fn failed_step(&self) -> Option<&str> {
        self.failed_step.as_deref()
    }
}

/// A step failure: a panic (with location) or an `Err` value's text.
#[derive(Debug)]
pub enum PanicRecordOrMessage {
    /// The step panicked.
    Panic(PanicRecord),
    /// The step returned an `Err`.
    Message(String),
}

/// Locks a recorder, recovering from a poisoned lock (a panic while it was held cannot
/// leave it inconsistent: every method completes its update before returning).
pub fn lock(recorder: &SharedRecorder) -> MutexGuard<'_, Recorder> {
    recorder
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A test's context as one thread (or task) holds it: the attempt's recorder and the steps
/// open on this thread, innermost last.
#[derive(Clone, Debug)]
pub struct ThreadContext {
    recorder: SharedRecorder,
    open: Vec<StepId>,
}

impl ThreadContext {
    /// A context whose steps nest under `parent` (or at the top level).
    fn new(recorder: SharedRecorder, parent: Option<StepId>) -> ThreadContext {
        ThreadContext {
            recorder,
            open: parent.into_iter().collect(),
        }
    }
}

/// The context of the running test, to carry into a thread or task it starts: steps entered
/// there nest under the step open here when it was taken.
#[derive(Clone, Debug)]
pub struct TestContext {
    recorder: SharedRecorder,
    parent: Option<StepId>,
}

impl TestContext {
    /// The context of the test running on this thread, if any.
    pub fn current() -> Option<TestContext> {
        CURRENT.with(|current| {
            current.borrow().as_ref().map(|context| TestContext {
                recorder: context.recorder.clone(),
                parent: context.open.last().copied(),
            })
        })
    }

    /// Makes this the context of the calling thread until the guard is dropped.
    pub fn install(self) -> InstalledContext {
        install_thread(Some(ThreadContext::new(self.recorder, self.parent)))
    }

    /// The per-thread state to install around each poll of a task.
    pub(crate) fn into_thread(self) -> ThreadContext {
        ThreadContext::new(self.recorder, self.parent)
    }
}

thread_local! {
    static CURRENT: RefCell<Option<ThreadContext>> = const { RefCell::new(None) };
}

/// Makes `recorder` the context of this thread until the returned guard is dropped.
pub fn install(recorder: SharedRecorder) -> InstalledContext {
    install_thread(Some(ThreadContext::new(recorder, None)))
}

/// Makes `context` (or none) this thread's context until the guard is dropped.
pub(crate) fn install_thread(context: Option<ThreadContext>) -> InstalledContext {
    let previous = CURRENT.with(|current| std::mem::replace(&mut *current.borrow_mut(), context));
    InstalledContext { previous }
}

/// Restores the previous context when dropped.
pub struct InstalledContext {
    previous: Option<ThreadContext>,
}

impl InstalledContext {
    /// Restores the previous context and returns the one that was installed, with the
    /// steps still open in it (a task polled again later continues with it).
    pub(crate) fn take_back(mut self) -> Option<ThreadContext> {
        let previous = self.previous.take();
        CURRENT.with(|current| std::mem::replace(&mut *current.borrow_mut(), previous))
    }
}

impl Drop for InstalledContext {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CURRENT.with(|current| *current.borrow_mut() = previous);
    }
}

/// The recorder of the test running on this thread, with the steps open on this thread
/// (outermost first), if any.
pub(crate) fn current_with_steps() -> Option<(SharedRecorder, Vec<StepId>)> {
    CURRENT.with(|current| {
        current
            .borrow()
            .as_ref()
            .map(|c| (c.recorder.clone(), c.open.clone()))
    })
}

/// The recorder of the test running on this thread, if any.
pub fn current() -> Option<SharedRecorder> {
    CURRENT.with(|current| current.borrow().as_ref().map(|c| c.recorder.clone()))
}

/// Enters a step in the context of this thread: `None` when no test runs here (after saying
/// so, once per step name), else the recorder and the step's ID; a step that cannot be
/// entered is handed back with the reason.
pub(crate) fn enter_step(
    start: StepStart,
) -> Result<Option<(SharedRecorder, StepId)>, (EnterError, StepStart)> {
    let context = CURRENT.with(|current| {
        current
            .borrow()
            .as_ref()
            .map(|c| (c.recorder.clone(), c.open.last().copied()))
    });
    let Some((recorder, parent)) = context else {
        warn_unattributed(&start);
        return Ok(None);
    };
    let entered = lock(&recorder).enter(start, parent);
    match entered {
        Ok(id) => {
            CURRENT.with(|current| {
                if let Some(context) = current.borrow_mut().as_mut() {
                    context.open.push(id);
                }
            });
            Ok(Some((recorder, id)))
        }
        Err((EnterError::AttemptEnded, start)) => {
            let test = lock(&recorder).test().to_owned();
            eprintln!(
                "testrail: step {} was entered after its test {test} ended (on a thread the test started and did not join); it is not recorded",
                start.describe()
            );
            Ok(None)
        }
        Err((error, start)) => Err((error, start)),
    }
}

/// Closes step `id` of `recorder` and forgets it in this thread's open steps.
pub(crate) fn exit_step(
    recorder: &SharedRecorder,
    id: StepId,
    status: StepStatus,
    failure: Option<PanicRecordOrMessage>,
) {
    lock(recorder).exit(id, status, failure);
    CURRENT.with(|current| {
        if let Some(context) = current.borrow_mut().as_mut()
            && let Some(position) = context.open.iter().rposition(|open| *open == id)
        {
            context.open.remove(position);
        }
    });
}

/// Says, once per step name, that a step was entered where no test's context is: it cannot
/// be recorded.
fn warn_unattributed(start: &StepStart) {
    static WARNED: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    let mut warned = WARNED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if !warned.contains(start.name.as_ref()) {
        warned.insert(start.name.clone().into_owned());
        eprintln!(
            "testrail: step {} ran outside any test's context (on a thread the test started without testrail::spawn, testrail::scope or testrail::propagate?); it is not recorded",
            start.describe()
        );
    }
}

fn with_current(api: &str, update: impl FnOnce(&mut Recorder)) {
    match current() {
        Some(recorder) => update(&mut lock(&recorder)),
        None => warn_outside_test(api),
    }
}

pub(crate) fn warn_outside_test(api: &str) {
    static WARNED: AtomicBool = AtomicBool::new(false);
    if !WARNED.swap(true, Ordering::Relaxed) {
        eprintln!(
            "testrail: `{api}` was called outside a running testrail test (or on a thread the \
             test spawned); it is ignored"
        );
    }
}

/// Sets the bug label of the running test, replacing the one the harness would derive.
///
/// ```
/// # use testrail_harness::{context::set_bug_label, outcome::BugLabel};
/// // inside a test: the failure is a known quirk of the staging server
/// set_bug_label(BugLabel::Undecided);
/// ```
pub fn set_bug_label(label: BugLabel) {
    with_current("set_bug_label", |recorder| recorder.label = Some(label));
}

/// Adds a line to the comment of the running test's TestRail result.
pub fn comment(text: impl Into<String>) {
    let text = text.into();
    with_current("comment", |recorder| recorder.comments.push(text));
}

/// Adds a defect key (e.g. `JIRA-123`) to the running test's TestRail result.
pub fn defect(key: impl Into<String>) {
    let key = key.into();
    with_current("defect", |recorder| {
        if !recorder.defects.contains(&key) {
            recorder.defects.push(key);
        }
    });
}

/// Sets a custom result field of the running test's TestRail result. The `custom_` prefix
/// is added when missing: `result_field("browser", "firefox")` sets `custom_browser`.
pub fn result_field(name: &str, value: impl Into<serde_json::Value>) {
    let name = if name.starts_with("custom_") {
        name.to_owned()
    } else {
        format!("custom_{name}")
    };
    let value = value.into();
    with_current("result_field", |recorder| {
        recorder.fields.insert(name, value);
    });
}

/// Ends the running test with run result Error: it could not run properly (a database
/// that is down, a fixture that could not be created). Error results are not reported to
/// TestRail by default, since they say nothing about the product.
#[track_caller]
pub fn setup_failed(reason: impl Into<String>) -> ! {
    std::panic::panic_any(SetupFailure(reason.into()))
}

/// Whether a panic record is one of the harness's control panics.
pub fn is_control(record: &PanicRecord) -> bool {
    record.kind != PanicKind::Ordinary
}

pub(crate) fn millis(duration: std::time::Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
