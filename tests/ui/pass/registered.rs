//! What the attributes register: every field of `TestDef` and `StepDef`, checked at run time.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use testrail::__private::{TESTRAIL_STEPS, ShouldPanic, StepDef, TESTRAIL_TESTS, TestBody, TestDef};

#[testrail::case(C11, 12, title = "Everything", timeout = "1m 30s", retries = 2, max_steps = 7,
    ignore = "slow", should_panic(expected = "boom"), known_bug = "BUG-1")]
fn everything() {
    panic!("boom");
}

#[testrail::test]
fn defaults() {}

#[testrail::case(C13, ignore, should_panic)]
fn flags() {}

#[testrail::case(C14)]
fn fails() -> Result<(), String> {
    Err("display text".to_owned())
}

#[derive(Debug)]
struct Opaque;

#[testrail::case(C15)]
async fn fails_async() -> Result<(), Opaque> {
    std::future::ready(Err(Opaque)).await
}

#[testrail::step(C21, C22, name = "log in")]
fn login() -> Result<(), String> {
    Err("step failed".to_owned())
}

fn find(name: &str) -> &'static TestDef {
    TESTRAIL_TESTS
        .iter()
        .find(|test| test.name == name)
        .unwrap_or_else(|| panic!("{name} is not registered"))
}

fn step(name: &str) -> &'static StepDef {
    TESTRAIL_STEPS
        .iter()
        .find(|step| step.name == name)
        .unwrap_or_else(|| panic!("step {name} is not registered"))
}

fn run(test: &TestDef) -> Result<(), String> {
    match test.body {
        TestBody::Plain(body) => {
            body();
            Ok(())
        }
        TestBody::Sync(body) => body(),
        TestBody::Async(body) => {
            let mut future = pin!(body());
            match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
                Poll::Ready(result) => result,
                Poll::Pending => panic!("the body should be ready at once"),
            }
        }
    }
}

fn main() {
    assert_eq!(TESTRAIL_TESTS.len(), 5);

    let test = find("everything");
    assert_eq!(test.case_ids, [11, 12]);
    assert_eq!(test.title, Some("Everything"));
    assert_eq!(test.timeout, Some(Duration::from_secs(90)));
    assert_eq!(test.retries, 2);
    assert_eq!(test.max_steps, Some(7));
    assert_eq!(test.ignore, Some(Some("slow")));
    assert_eq!(test.should_panic, ShouldPanic::WithMessage("boom"));
    assert_eq!(test.known_bug, Some("BUG-1"));
    assert!(test.file.ends_with("registered.rs"), "{}", test.file);
    // The line of the function's name, not of the attribute.
    assert_eq!(test.line, 12);
    assert!(matches!(test.body, TestBody::Plain(_)));

    let test = find("defaults");
    assert!(test.case_ids.is_empty());
    assert_eq!(test.title, None);
    assert_eq!(test.timeout, None);
    assert_eq!(test.retries, 0);
    assert_eq!(test.max_steps, None);
    assert_eq!(test.ignore, None);
    assert_eq!(test.should_panic, ShouldPanic::No);
    assert_eq!(test.known_bug, None);
    assert_eq!(test.line, 17);
    assert_eq!(test.module_path, module_path!());
    assert_eq!(run(test), Ok(()));

    let test = find("flags");
    assert_eq!(test.ignore, Some(None));
    assert_eq!(test.should_panic, ShouldPanic::Yes);

    assert_eq!(run(find("fails")), Err("display text".to_owned()));
    let test = find("fails_async");
    assert!(matches!(test.body, TestBody::Async(_)));
    assert_eq!(run(test), Err("Opaque".to_owned()));

    let step = step("log in");
    assert_eq!(step.case_ids, [21, 22]);
    assert_eq!(step.line, 36);
    assert_eq!(step.module_path, module_path!());
    assert!(step.file.ends_with("registered.rs"));
    assert_eq!(login(), Err("step failed".to_owned()));
}
