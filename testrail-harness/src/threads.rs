//! Carrying the running test's context into the threads and tasks it starts, so that steps
//! entered there are recorded in the test (nested under the step that started them).
//!
//! A step entered on a thread that has no test context is not recorded, and a line naming
//! it says so. Start threads and tasks with these helpers instead:
//!
//! | instead of | use |
//! |---|---|
//! | `std::thread::spawn(f)` | [`spawn`]`(f)` |
//! | `std::thread::scope(\|s\| { s.spawn(f); })` | [`scope`]`(\|s\| { s.spawn(f); })` |
//! | `tokio::task::spawn_blocking(f)`, rayon, any pool | `spawn_blocking(`[`propagate`]`(f))` |
//! | `tokio::spawn(future)` | `tokio::spawn(`[`propagate_async`]`(future))` |
//!
//! Outside a running test the helpers behave exactly like what they wrap.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::thread::{JoinHandle, Scope as StdScope, ScopedJoinHandle};

use crate::context::{self, TestContext, ThreadContext};

/// Wraps `f` so that it runs in the context of the test that called `propagate`, on
/// whatever thread it is called.
///
/// ```
/// let handle = std::thread::spawn(testrail_harness::threads::propagate(|| {
///     testrail_harness::step::step("on a pool thread", || 2 + 2)
/// }));
/// assert_eq!(handle.join().unwrap(), 4);
/// ```
pub fn propagate<F, T>(f: F) -> impl FnOnce() -> T + Send + 'static
where
    F: FnOnce() -> T + Send + 'static,
{
    let captured = TestContext::current();
    move || {
        let _installed = captured.map(TestContext::install);
        f()
    }
}

/// Spawns a thread (like [`std::thread::spawn`]) that runs in the running test's context.
///
/// ```
/// let sum = testrail_harness::threads::spawn(|| {
///     testrail_harness::step::step("add in a thread", || 1 + 2)
/// });
/// assert_eq!(sum.join().unwrap(), 3);
/// ```
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    std::thread::spawn(propagate(f))
}

/// Like [`std::thread::scope`], with a scope whose threads run in the running test's context.
///
/// ```
/// let mut total = 0;
/// testrail_harness::threads::scope(|s| {
///     s.spawn(|| total += testrail_harness::step::step("count", || 5));
/// });
/// assert_eq!(total, 5);
/// ```
pub fn scope<'env, F, T>(f: F) -> T
where
    F: for<'scope> FnOnce(&Scope<'scope, 'env>) -> T,
{
    let captured = TestContext::current();
    std::thread::scope(|inner| {
        let scope = Scope { inner, captured };
        // The wrapper lives as long as the closure; `std::thread::scope` joins every thread
        // before returning.
        f(&scope)
    })
}

/// The scope of [`scope`]: its threads run in the test's context.
pub struct Scope<'scope, 'env: 'scope> {
    inner: &'scope StdScope<'scope, 'env>,
    captured: Option<TestContext>,
}

impl<'scope, 'env> Scope<'scope, 'env> {
    /// Spawns a scoped thread (like [`std::thread::Scope::spawn`]) in the test's context.
    pub fn spawn<F, T>(&self, f: F) -> ScopedJoinHandle<'scope, T>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        let captured = self.captured.clone();
        self.inner.spawn(move || {
            let _installed = captured.map(TestContext::install);
            f()
        })
    }

    /// The wrapped [`std::thread::Scope`], for its other methods.
    pub fn std(&self) -> &'scope StdScope<'scope, 'env> {
        self.inner
    }
}

/// Wraps a future so that it is polled in the context of the test that called
/// `propagate_async`, on whatever thread: for `tokio::spawn` on a multi-thread runtime, or a
/// task that outlives the body's own polling.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let task = testrail_harness::threads::propagate_async(async {
///     testrail_harness::step::step_async("in a task", async { 7 }).await
/// });
/// assert_eq!(task.await, 7);
/// # });
/// ```
pub fn propagate_async<F: Future>(future: F) -> Propagated<F> {
    Propagated {
        future: Box::pin(future),
        context: TestContext::current().map(TestContext::into_thread),
    }
}

/// A future polled in a test's context: see [`propagate_async`].
pub struct Propagated<F> {
    future: Pin<Box<F>>,
    context: Option<ThreadContext>,
}

impl<F: Future> Future for Propagated<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        let Some(own) = this.context.take() else {
            return this.future.as_mut().poll(cx);
        };
        let installed = context::install_thread(Some(own));
        let polled = this.future.as_mut().poll(cx);
        // The steps still open in the task stay with it for its next poll.
        this.context = installed.take_back();
        polled
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::{Recorder, install, lock};
    use crate::outcome::StepStatus;
    use crate::step::step;

    #[test]
    fn steps_of_parallel_threads_nest_under_the_step_that_started_them() {
        let recorder = Recorder::new("t", None);
        {
            let _context = install(recorder.clone());
            step("outer", || {
                scope(|s| {
                    for name in ["left", "right"] {
                        s.spawn(move || {
                            step(name, || {
                                std::thread::sleep(std::time::Duration::from_millis(20));
                                step("inner", || ());
                            })
                        });
                    }
                });
            });
        }
        let steps = lock(&recorder).close_steps();
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0].name, "outer");
        let mut children: Vec<(&str, Vec<&str>)> = steps[0]
            .steps
            .iter()
            .map(|child| {
                assert_eq!(child.status, StepStatus::Passed);
                (
                    child.name.as_ref(),
                    child.steps.iter().map(|s| s.name.as_ref()).collect(),
                )
            })
            .collect();
        children.sort();
        assert_eq!(
            children,
            [("left", vec!["inner"]), ("right", vec!["inner"])]
        );
    }

    #[test]
    fn a_task_keeps_its_open_steps_across_polls() {
        let recorder = Recorder::new("t", None);
        let _context = install(recorder.clone());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let task = tokio::spawn(propagate_async(async {
                crate::step::step_async("task", async {
                    tokio::task::yield_now().await;
                    step("after a poll", || ());
                })
                .await
            }));
            task.await.unwrap();
        });
        let steps = lock(&recorder).close_steps();
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0].name, "task");
        assert_eq!(steps[0].steps[0].name, "after a poll");
    }

    #[test]
    fn steps_after_the_attempt_ended_are_refused() {
        let recorder = Recorder::new("t", None);
        let _context = install(recorder.clone());
        assert!(lock(&recorder).close_steps().is_empty());
        step("late", || ());
        assert!(lock(&recorder).close_steps().is_empty());
    }
}
