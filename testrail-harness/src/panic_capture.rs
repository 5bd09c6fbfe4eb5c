//! Catching what a panic said and where, for the outcome of the test or step that panicked.
//!
//! libtest-mimic does not record panic messages, so the harness installs a panic hook that
//! stores the message and location of the last panic of the current thread, then lets the
//! previous hook print as usual. The harness's own control panics (step budget exceeded,
//! setup failure) carry typed payloads and print one short line instead.

use std::any::Any;
use std::cell::RefCell;
use std::panic::{self, PanicHookInfo};
use std::sync::Once;

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
            if control {
                let thread = std::thread::current();
                eprintln!(
                    "thread '{}' stopped: {}",
                    thread.name().unwrap_or("<unnamed>"),
                    record.message
                );
            }
            LAST_PANIC.with(|last| *last.borrow_mut() = Some(record));
            if !control {
                previous(info);
            }
        }));
    });
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
