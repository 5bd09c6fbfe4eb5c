//! `async` tests, with and without a return value.

#[testrail::case(C1)]
async fn checkout_flow() {
    std::future::ready(()).await;
}

#[testrail::case(C2)]
async fn checkout_returns_result() -> Result<(), String> {
    let total = std::future::ready(42).await;
    if total == 42 { Ok(()) } else { Err(format!("total {total}")) }
}

fn main() {}
