//! Steps: parts of a test with their own outcome, elapsed time and failure message.
//!
//! `#[testrail::step]` functions use [`StepGuard`]; closures and blocks use [`step`] and
//! [`step_async`].

use std::borrow::Cow;
use std::fmt::Debug;
use std::future::Future;

use crate::context::{self, EnterError, PanicRecordOrMessage, SharedRecorder, StepId, StepStart};
use crate::outcome::{Location, StepStatus};
use crate::panic_capture::{self, StepBudgetExceeded};
use crate::registry::{BodyResult, StepDef};

/// An open step of the running test. Close it with [`StepGuard::finish`]; a guard dropped
/// during a panic closes the step as failed, one dropped otherwise (the test was cancelled
/// by its timeout) as stopped.
#[must_use = "a step is closed when its guard is finished or dropped"]
pub struct StepGuard {
    entered: Option<(SharedRecorder, StepId)>,
}

impl StepGuard {
    /// Opens the step defined by `def` in the running test. Its name and file are borrowed
    /// from `def`: recording the step allocates nothing for them.
    ///
    /// # Panics
    /// With a [`StepBudgetExceeded`] payload when the test's `max_steps` budget is used up:
    /// that ends the test with run result MaxSteps.
    #[track_caller]
    pub fn enter(def: &'static StepDef) -> StepGuard {
        Self::enter_with(StepStart {
            name: Cow::Borrowed(def.name),
            case_ids: def.case_ids.to_vec(),
            defined_at: Some(Location {
                file: Cow::Borrowed(def.file),
                line: def.line,
                column: None,
            }),
        })
    }

    /// Opens a step described at run time. Where no test's context is (a thread the test
    /// started without [`crate::threads`]), the step is not recorded and a line says so.
    ///
    /// # Panics
    /// As [`StepGuard::enter`].
    #[track_caller]
    pub fn enter_with(start: StepStart) -> StepGuard {
        let entered = match context::enter_step(start) {
            Ok(entered) => entered,
            Err((EnterError::BudgetExceeded(max_steps), start)) => {
                std::panic::panic_any(StepBudgetExceeded {
                    max_steps,
                    step: start.name.into_owned(),
                })
            }
            Err((EnterError::AttemptEnded, _)) => None,
        };
        StepGuard { entered }
    }

    /// Closes the step: passed for `Ok(())`, failed with the message otherwise.
    pub fn finish(mut self, verdict: BodyResult) {
        if let Some((recorder, id)) = self.entered.take() {
            let (status, failure) = match verdict {
                Ok(()) => (StepStatus::Passed, None),
                Err(message) => (
                    StepStatus::Failed,
                    Some(PanicRecordOrMessage::Message(message)),
                ),
            };
            context::exit_step(&recorder, id, status, failure);
        }
    }
}

impl Drop for StepGuard {
    fn drop(&mut self) {
        let Some((recorder, id)) = self.entered.take() else {
            return;
        };
        let (status, failure) = if std::thread::panicking() {
            match panic_capture::peek_last() {
                Some(record) if context::is_control(&record) => (StepStatus::Stopped, None),
                Some(record) => (
                    StepStatus::Failed,
                    Some(PanicRecordOrMessage::Panic(record)),
                ),
                None => (StepStatus::Failed, None),
            }
        } else {
            (StepStatus::Stopped, None)
        };
        context::exit_step(&recorder, id, status, failure);
    }
}

fn inline_start(name: &str) -> StepStart {
    StepStart {
        name: Cow::Owned(name.to_owned()),
        case_ids: Vec::new(),
        defined_at: None,
    }
}

/// Runs `body` as a step named `name` of the running test and returns what it returned.
/// A panic fails the step (and propagates). For a body that returns a `Result`, use
/// [`try_step`] so that an `Err` fails the step too.
///
/// ```
/// let total = testrail_harness::step::step("add up the cart", || 2 + 3);
/// assert_eq!(total, 5);
/// ```
#[track_caller]
pub fn step<T>(name: &str, body: impl FnOnce() -> T) -> T {
    let guard = StepGuard::enter_with(inline_start(name));
    let value = body();
    guard.finish(Ok(()));
    value
}

/// Runs `body` as a step named `name`; an `Err` return fails the step (with the error's
/// `Debug` text) and is returned to the caller.
///
/// ```
/// let paid: Result<u32, String> = testrail_harness::step::try_step("pay", || Err("card declined".into()));
/// assert!(paid.is_err());
/// ```
#[track_caller]
pub fn try_step<T, E: Debug>(name: &str, body: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
    let guard = StepGuard::enter_with(inline_start(name));
    let value = body();
    guard.finish(verdict(&value));
    value
}

/// Runs the future `body` as a step named `name` of the running test.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let items = testrail_harness::step::step_async("load the cart", async { vec![1, 2] }).await;
/// assert_eq!(items.len(), 2);
/// # });
/// ```
pub async fn step_async<T>(name: &str, body: impl Future<Output = T>) -> T {
    let guard = StepGuard::enter_with(inline_start(name));
    let value = body.await;
    guard.finish(Ok(()));
    value
}

/// Runs the future `body` as a step named `name`; an `Err` output fails the step.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let paid: Result<u32, String> = testrail_harness::step::try_step_async("pay", async { Ok(42) }).await;
/// assert_eq!(paid, Ok(42));
/// # });
/// ```
pub async fn try_step_async<T, E: Debug>(
    name: &str,
    body: impl Future<Output = Result<T, E>>,
) -> Result<T, E> {
    let guard = StepGuard::enter_with(inline_start(name));
    let value = body.await;
    guard.finish(verdict(&value));
    value
}

fn verdict<T, E: Debug>(value: &Result<T, E>) -> BodyResult {
    match value {
        Ok(_) => Ok(()),
        Err(error) => Err(format!("{error:?}")),
    }
}
