//! Running one attempt of a test body: catching panics, enforcing the timeout, driving
//! async bodies on tokio.

use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::context::{self, Recorder, SharedRecorder};
use crate::outcome::{Attempt, Location, RunResult};
use crate::panic_capture::{self, PanicKind, PanicRecord};
use crate::registry::{BodyResult, ShouldPanic, TestBody, TestDef};

/// How a body call ended, before `should_panic` is taken into account.
#[derive(Debug)]
enum BodyEnd {
    Returned(BodyResult),
    Panicked(PanicRecord),
    TimedOut(Duration),
    HarnessError(String),
}

/// What one attempt produced: the attempt record and the recorder with the body's
/// annotations (label, comments, defects, fields).
pub struct AttemptRun {
    /// The attempt as it goes into the outcome.
    pub attempt: Attempt,
    /// What the body recorded.
    pub recorder: SharedRecorder,
    /// What the attempt printed, as captured: its panics (in-process, see
    /// [`panic_capture::capture`]), or its whole stdout and stderr (isolated, see
    /// [`crate::isolate`]); empty when nothing was captured.
    pub output: String,
}

/// How long an async body that blocks its thread may overrun its timeout before the
/// runner abandons it.
const BLOCKED_ASYNC_GRACE: Duration = Duration::from_millis(250);

/// Runs attempt `number` of `def`.
pub fn run(def: &'static TestDef, number: u32) -> AttemptRun {
    let recorder = Recorder::new(&def.path(), def.max_steps);
    let started = Instant::now();
    let end = match def.timeout {
        None => call_body(def.body, recorder.clone(), None),
        Some(timeout) => call_body_with_timeout(def, recorder.clone(), timeout),
    };
    let elapsed_ms = context::millis(started.elapsed());
    let (steps, failed_step) = {
        let mut recorder = context::lock(&recorder);
        let steps = recorder.close_steps();
        (steps, recorder.failed_step().map(str::to_owned))
    };
    let (run_result, passed, message, location) = judge(def.should_panic, end);
    let output = panic_capture::take_captured(&recorder);
    AttemptRun {
        attempt: Attempt {
            number,
            run_result,
            passed,
            message,
            location,
            failed_step: if passed { None } else { failed_step },
            elapsed_ms,
            steps,
        },
        recorder,
        output,
    }
}

fn judge(
    should_panic: ShouldPanic,
    end: BodyEnd,
) -> (RunResult, bool, Option<String>, Option<Location>) {
    match end {
        BodyEnd::Returned(Ok(())) => match should_panic {
            ShouldPanic::No => (RunResult::Success, true, None, None),
            _ => (
                RunResult::Success,
                false,
                Some("test did not panic as expected".to_owned()),
                None,
            ),
        },
        BodyEnd::Returned(Err(message)) => (RunResult::Success, false, Some(message), None),
        BodyEnd::Panicked(record) => match record.kind {
            PanicKind::StepBudget => (
                RunResult::MaxSteps,
                false,
                Some(record.message),
                record.location,
            ),
            PanicKind::Setup => (
                RunResult::Error,
                false,
                Some(record.message),
                record.location,
            ),
            PanicKind::Ordinary => match should_panic {
                ShouldPanic::No => (
                    RunResult::Success,
                    false,
                    Some(record.message),
                    record.location,
                ),
                ShouldPanic::Yes => (RunResult::Success, true, None, None),
                ShouldPanic::WithMessage(expected) if record.message.contains(expected) => {
                    (RunResult::Success, true, None, None)
                }
                ShouldPanic::WithMessage(expected) => (
                    RunResult::Success,
                    false,
                    Some(format!(
                        "panic did not contain expected string\n      panic message: {:?}\n expected substring: {:?}",
                        record.message, expected
                    )),
                    record.location,
                ),
            },
        },
        BodyEnd::TimedOut(after) => (
            RunResult::Stopped,
            false,
            Some(format!("timed out after {}", humanize(after))),
            None,
        ),
        BodyEnd::HarnessError(message) => (RunResult::Error, false, Some(message), None),
    }
}

/// Calls the body on this thread with `recorder` as its context.
fn call_body(body: TestBody, recorder: SharedRecorder, timeout: Option<Duration>) -> BodyEnd {
    let _context = context::install(recorder);
    panic_capture::take_last();
    let called = panic::catch_unwind(AssertUnwindSafe(|| match body {
        TestBody::Plain(body) => {
            body();
            BodyEnd::Returned(Ok(()))
        }
        TestBody::Sync(body) => BodyEnd::Returned(body()),
        TestBody::Async(body) => block_on(body, timeout),
    }));
    match called {
        Ok(end) => end,
        Err(payload) => BodyEnd::Panicked(
            panic_capture::take_last()
                .unwrap_or_else(|| panic_capture::describe_payload(&*payload)),
        ),
    }
}

fn block_on(body: fn() -> crate::registry::BoxedBodyFuture, timeout: Option<Duration>) -> BodyEnd {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return BodyEnd::HarnessError(format!("could not start tokio: {error}")),
    };
    let end = runtime.block_on(async move {
        match timeout {
            None => BodyEnd::Returned(body().await),
            Some(timeout) => match tokio::time::timeout(timeout, body()).await {
                Ok(result) => BodyEnd::Returned(result),
                Err(_) => BodyEnd::TimedOut(timeout),
            },
        }
    });
    // Tasks the test spawned and left running are dropped here, not awaited.
    runtime.shutdown_background();
    end
}

/// Runs the body on its own thread and stops waiting after `timeout`: an async body is
/// cancelled by tokio at the deadline; a sync body (or an async one blocking its thread)
/// is abandoned and keeps running detached until the process exits.
fn call_body_with_timeout(
    def: &'static TestDef,
    recorder: SharedRecorder,
    timeout: Duration,
) -> BodyEnd {
    let (sender, receiver) = mpsc::channel();
    let body = def.body;
    let spawned = std::thread::Builder::new().name(def.path()).spawn(move || {
        let end = call_body(body, recorder, Some(timeout));
        // The runner may have stopped waiting; then nobody needs the result.
        let _ = sender.send(end);
    });
    if let Err(error) = spawned {
        return BodyEnd::HarnessError(format!("could not start the test thread: {error}"));
    }
    let wait = match body {
        TestBody::Plain(_) | TestBody::Sync(_) => timeout,
        TestBody::Async(_) => timeout + BLOCKED_ASYNC_GRACE,
    };
    match receiver.recv_timeout(wait) {
        Ok(end) => end,
        Err(mpsc::RecvTimeoutError::Timeout) => BodyEnd::TimedOut(timeout),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            BodyEnd::HarnessError("the test thread ended without reporting".to_owned())
        }
    }
}

/// `1.5s`, `30s`, `2m 5s`: a duration as a person writes it.
pub fn humanize(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis < 1000 {
        return format!("{millis}ms");
    }
    if !millis.is_multiple_of(1000) && millis < 60_000 {
        return format!("{:.1}s", duration.as_secs_f64());
    }
    let secs = duration.as_secs();
    match (secs / 60, secs % 60) {
        (0, s) => format!("{s}s"),
        (m, 0) => format!("{m}m"),
        (m, s) => format!("{m}m {s}s"),
    }
}
