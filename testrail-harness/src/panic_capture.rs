//! Catching what a panic said and where, for the outcome of the test or step that panicked.
//!
//! libtest-mimic does not record panic messages, so the harness installs a panic hook that
//! stores the message and location of the last panic of the current thread. The harness's
//! own control panics (step budget exceeded, setup failure) carry typed payloads and say one
//! short line instead of a message and backtrace.
//!
//! Like libtest, the hook keeps what a panic says away from the other tests' lines: while
//! [`capture`] is on (the in-process runner without `--nocapture`), a panic on a thread that
//! runs in a test's context is written into that attempt's buffer, in the words of Rust's
//! own hook (thread name, location, message, then the backtrace when `RUST_BACKTRACE` asks
//! for one), and the runner prints it under the test's failure, or not at all when the test
//! passes (a `should_panic` test, a retried attempt). Panics elsewhere go to the hook that
//! was in place before, which prints them.

use std::any::Any;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic::{self, PanicHookInfo};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Once};

use crate::context::{self, SharedRecorder};

use crate::outcome::Location;

/// Payload of the panic that ends a test which entered more steps than `max_steps`.
#[derive(Debug)]
pub struct StepBudgetExceeded {
    /// The budget.
    pub max_steps: u32,
    /// The step that would have exceeded it.
    pub step: String,
}

/// Payload of the panic raised by [`crate::context::setup_failed`].
#[derive(Debug)]
pub struct SetupFailure(pub String);

/// What the last panic of a thread said.
#[derive(Clone, Debug, PartialEq)]
pub struct PanicRecord {
    /// The message, or a description of the control payload.
    pub message: String,
    /// Where it panicked.
    pub location: Option<Location>,
    /// The kind of panic.
    pub kind: PanicKind,
}

/// Ordinary panics versus the harness's control panics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PanicKind {
    /// `panic!`, a failed assertion, an `unwrap` on `None`...
    Ordinary,
    /// The step budget was exceeded.
    StepBudget,
    /// The test declared a setup failure.
    Setup,
}

thread_local! {
    static LAST_PANIC: RefCell<Option<PanicRecord>> = const { RefCell::new(None) };
}

/// Installs the recording hook once per process, chaining to the hook in place before.
pub fn install_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let record = record_of(info);
            let control = record.kind != PanicKind::Ordinary;
            let test = match CAPTURE.load(Ordering::Relaxed) {
                true => context::current(),
                false => None,
            };
            if let Some(recorder) = &test {
                keep(recorder, &record);
            }
            let captured = test.is_some();
            if !captured && control {
                eprintln!("thread '{}' stopped: {}", thread_name(), record.message);
            }
            LAST_PANIC.with(|last| *last.borrow_mut() = Some(record));
            if !captured && !control {
                previous(info);
            }
        }));
    });
}

/// Whether panics in a test's context are kept for the runner instead of printed.
static CAPTURE: AtomicBool = AtomicBool::new(false);

/// What the panics of each running attempt said, by the address of its recorder (alive for
/// as long as the attempt can panic into it, so no two attempts share one at a time).
static CAPTURED: Mutex<BTreeMap<usize, String>> = Mutex::new(BTreeMap::new());

/// Whether Rust's "run with `RUST_BACKTRACE=1`" note was given; like Rust's hook, the
/// harness gives it once per process.
static NOTE_GIVEN: AtomicBool = AtomicBool::new(false);

/// Keeps the panics of tests for the runner ([`take_captured`]) instead of printing them
/// (`true`), or prints them as they happen (`false`, the default: `--nocapture`, and the
/// child process of an isolated test, whose output its parent captures).
pub fn capture(on: bool) {
    CAPTURE.store(on, Ordering::Relaxed);
}

/// What the panics of the attempt recording into `recorder` said, taken out; empty when it
/// did not panic (or panics were not captured).
pub fn take_captured(recorder: &SharedRecorder) -> String {
    lock_captured()
        .remove(&(Arc::as_ptr(recorder) as usize))
        .unwrap_or_default()
}

fn lock_captured() -> std::sync::MutexGuard<'static, BTreeMap<usize, String>> {
    CAPTURED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The name Rust's hook gives the panicking thread.
fn thread_name() -> String {
    std::thread::current()
        .name()
        .unwrap_or("<unnamed>")
        .to_owned()
}

/// Writes what Rust's hook would print for `record` into the buffer of `recorder`'s attempt.
fn keep(recorder: &SharedRecorder, record: &PanicRecord) {
    let mut text = String::new();
    match record.kind {
        PanicKind::Ordinary => {
            let at = record
                .location
                .as_ref()
                .map(|location| format!(" at {location}"))
                .unwrap_or_default();
            let _ = writeln!(
                text,
                "thread '{}' panicked{at}:\n{}",
                thread_name(),
                record.message
            );
            match std::env::var("RUST_BACKTRACE").as_deref() {
                Ok("full") => {
                    let _ = writeln!(
                        text,
                        "stack backtrace:\n{:#}",
                        std::backtrace::Backtrace::force_capture()
                    );
                }
                Ok(value) if value != "0" => {
                    let frames = std::backtrace::Backtrace::force_capture().to_string();
                    let _ = writeln!(
                        text,
                        "stack backtrace:\n{}note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.",
                        short_backtrace(&frames)
                    );
                }
                _ if !NOTE_GIVEN.swap(true, Ordering::Relaxed) => text.push_str(
                    "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n",
                ),
                _ => {}
            }
        }
        PanicKind::StepBudget | PanicKind::Setup => {
            let _ = writeln!(
                text,
                "thread '{}' stopped: {}",
                thread_name(),
                record.message
            );
        }
    }
    lock_captured()
        .entry(Arc::as_ptr(recorder) as usize)
        .or_default()
        .push_str(&text);
}

/// The frames of a backtrace between the panic machinery and the thread's start, numbered
/// from 0, as Rust's own hook prints them by default: those after
/// `__rust_end_short_backtrace` and before `__rust_begin_short_backtrace` (all of them
/// when a marker is missing).
fn short_backtrace(frames: &str) -> String {
    let mut kept: Vec<Vec<&str>> = Vec::new();
    for line in frames.lines() {
        let is_frame = line
            .trim_start()
            .split_once(": ")
            .is_some_and(|(number, _)| number.bytes().all(|b| b.is_ascii_digit()));
        match (is_frame, kept.last_mut()) {
            (true, _) | (false, None) => kept.push(vec![line]),
            (false, Some(frame)) => frame.push(line),
        }
    }
    let named = |marker: &str| kept.iter().position(|frame| frame[0].contains(marker));
    let start = named("__rust_end_short_backtrace").map_or(0, |at| at + 1);
    let end = named("__rust_begin_short_backtrace").unwrap_or(kept.len());
    let mut text = String::new();
    for (number, frame) in kept.get(start..end).unwrap_or(&kept).iter().enumerate() {
        let name = frame[0]
            .trim_start()
            .split_once(": ")
            .map_or("", |(_, name)| name);
        let _ = writeln!(text, "{number:>4}: {name}");
        for line in &frame[1..] {
            let _ = writeln!(text, "{line}");
        }
    }
    text
}

/// Takes the record of the last panic of this thread, if any.
pub fn take_last() -> Option<PanicRecord> {
    LAST_PANIC.with(|last| last.borrow_mut().take())
}

/// Looks at the record of the last panic of this thread without taking it.
pub fn peek_last() -> Option<PanicRecord> {
    LAST_PANIC.with(|last| last.borrow().clone())
}

/// Describes a payload caught by `catch_unwind` when no hook record is available.
pub fn describe_payload(payload: &(dyn Any + Send)) -> PanicRecord {
    let (message, kind) = message_of(payload);
    PanicRecord {
        message,
        location: None,
        kind,
    }
}

fn record_of(info: &PanicHookInfo<'_>) -> PanicRecord {
    let (message, kind) = message_of(info.payload());
    PanicRecord {
        message,
        location: info.location().map(|location| Location {
            file: location.file().to_owned().into(),
            line: location.line(),
            column: Some(location.column()),
        }),
        kind,
    }
}

fn message_of(payload: &(dyn Any + Send)) -> (String, PanicKind) {
    if let Some(text) = payload.downcast_ref::<&str>() {
        ((*text).to_owned(), PanicKind::Ordinary)
    } else if let Some(text) = payload.downcast_ref::<String>() {
        (text.clone(), PanicKind::Ordinary)
    } else if let Some(budget) = payload.downcast_ref::<StepBudgetExceeded>() {
        (
            format!(
                "step budget of {} exceeded when entering step `{}`",
                budget.max_steps, budget.step
            ),
            PanicKind::StepBudget,
        )
    } else if let Some(SetupFailure(reason)) = payload.downcast_ref::<SetupFailure>() {
        (format!("setup failed: {reason}"), PanicKind::Setup)
    } else {
        (
            "panicked with a non-string payload".to_owned(),
            PanicKind::Ordinary,
        )
    }
}
