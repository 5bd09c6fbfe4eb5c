//! The running test's context: the steps it entered and what its body said about itself.
//!
//! The runner installs a fresh context for every attempt on the thread that runs the body
//! (async bodies run on a current-thread runtime, so the same thread). Steps and the
//! runtime API below write into it. Outside a test, the runtime API warns once and does
//! nothing.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use crate::outcome::{BugLabel, Location, StepOutcome, StepStatus};
use crate::panic_capture::{PanicKind, PanicRecord, SetupFailure};

/// What one attempt recorded, shared between the thread running the body and the runner
/// (which reads it even when a timed-out body is still running).
#[derive(Debug, Default)]
pub struct Recorder {
    max_steps: Option<u32>,
    steps_entered: u32,
    open: Vec<OpenStep>,
    finished: Vec<StepOutcome>,
    failed_step: Option<String>,
    /// The bug label set with [`set_bug_label`].
    pub label: Option<BugLabel>,
    /// Comments added with [`comment`].
    pub comments: Vec<String>,
    /// Defects added with [`defect`].
    pub defects: Vec<String>,
    /// Fields set with [`result_field`].
    pub fields: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug)]
struct OpenStep {
    name: String,
    case_ids: Vec<u64>,
    defined_at: Option<Location>,
    started: Instant,
    children: Vec<StepOutcome>,
}

/// A handle on an attempt's recorder.
pub type SharedRecorder = Arc<Mutex<Recorder>>;

/// What a step looks like when it is entered.
#[derive(Debug, Clone)]
pub struct StepStart {
    /// Name shown in outcomes.
    pub name: String,
    /// Linked TestRail case IDs.
    pub case_ids: Vec<u64>,
    /// Where the step is defined, for step functions.
    pub defined_at: Option<Location>,
}

/// Why a step could not be entered.
#[derive(Debug, PartialEq, Eq)]
pub enum EnterError {
    /// The test's `max_steps` budget is used up.
    BudgetExceeded(u32),
}

impl Recorder {
    /// A recorder for an attempt with the given step budget.
    pub fn new(max_steps: Option<u32>) -> SharedRecorder {
        Arc::new(Mutex::new(Recorder {
            max_steps,
            ..Recorder::default()
        }))
    }

    /// Opens a step, unless the step budget is used up.
    pub fn enter(&mut self, start: StepStart) -> Result<(), EnterError> {
        if let Some(max) = self.max_steps
            && self.steps_entered >= max
        {
            return Err(EnterError::BudgetExceeded(max));
        }
        self.steps_entered += 1;
        self.open.push(OpenStep {
            name: start.name,
            case_ids: start.case_ids,
            defined_at: start.defined_at,
            started: Instant::now(),
            children: Vec::new(),
        });
        Ok(())
    }

    /// Closes the innermost open step with how it ended.
    pub fn exit(&mut self, status: StepStatus, failure: Option<PanicRecordOrMessage>) {
        let Some(step) = self.open.pop() else {
            return;
        };
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
        match self.open.last_mut() {
            Some(parent) => parent.children.push(outcome),
            None => self.finished.push(outcome),
        }
    }

    /// The steps of the attempt; steps still open (the body timed out or was cancelled
    /// inside them) are closed as [`StepStatus::Stopped`].
    pub fn close_steps(&mut self) -> Vec<StepOutcome> {
        while !self.open.is_empty() {
            self.exit(StepStatus::Stopped, None);
        }
        std::mem::take(&mut self.finished)
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

thread_local! {
    static CURRENT: RefCell<Option<SharedRecorder>> = const { RefCell::new(None) };
}

/// Makes `recorder` the context of this thread until the returned guard is dropped.
pub fn install(recorder: SharedRecorder) -> InstalledContext {
    let previous = CURRENT.with(|current| current.borrow_mut().replace(recorder));
    InstalledContext { previous }
}

/// Restores the previous context when dropped.
pub struct InstalledContext {
    previous: Option<SharedRecorder>,
}

impl Drop for InstalledContext {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CURRENT.with(|current| *current.borrow_mut() = previous);
    }
}

/// The context of this thread, if a test is running on it.
pub fn current() -> Option<SharedRecorder> {
    CURRENT.with(|current| current.borrow().clone())
}

fn with_current(api: &str, update: impl FnOnce(&mut Recorder)) {
    match current() {
        Some(recorder) => update(&mut lock(&recorder)),
        None => warn_outside_test(api),
    }
}

fn warn_outside_test(api: &str) {
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
