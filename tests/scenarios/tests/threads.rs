//! Steps entered on threads and tasks the tests start: carried into them with the
//! `testrail::spawn`, `testrail::scope`, `testrail::propagate` and
//! `testrail::propagate_async` helpers, and once on a bare `std::thread::spawn`, where the
//! step cannot be attributed (and says so).

use testrail::{case, step};

#[case(C121)]
fn std_spawn() {
    let paid = testrail::spawn(|| pays(5));
    paid.join().unwrap();
}

#[step(C122)]
fn pays(amount: u32) {
    assert!(amount > 0);
}

#[case(C123)]
fn scoped_threads() {
    let mut refused = None;
    testrail::scope(|s| {
        s.spawn(|| pays(7));
        s.spawn(|| refused = Some(refunds(0)));
    });
    assert!(refused.unwrap().is_err());
}

#[step(C124)]
fn refunds(amount: u32) -> Result<(), String> {
    if amount == 0 {
        Err("nothing to refund".into())
    } else {
        Ok(())
    }
}

#[case(C125)]
async fn tokio_tasks() {
    let task = tokio::spawn(testrail::propagate_async(async { ships("parcel").await }));
    let blocking = tokio::task::spawn_blocking(testrail::propagate(|| invoices(3)));
    task.await.unwrap();
    blocking.await.unwrap();
}

#[step(C126)]
async fn ships(what: &str) {
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert!(!what.is_empty());
}

#[step(C127)]
fn invoices(count: u32) {
    assert!(count > 0);
}

#[case(C128)]
fn bare_thread() {
    std::thread::spawn(audits).join().unwrap();
}

#[step(C129)]
fn audits() {}

testrail::main!();
