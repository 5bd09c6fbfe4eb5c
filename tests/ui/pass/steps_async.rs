//! `async` steps: arguments, patterns, lifetimes, `?` and early `return`.

#[derive(Debug)]
struct LoginError;

#[testrail::step(C2001)]
async fn login<'a>(user: &'a str, mut retries: u32, (a, b): (u8, u8)) -> Result<&'a str, LoginError> {
    retries += u32::from(a + b);
    if retries > 100 {
        return Err(LoginError);
    }
    let ready = std::future::ready(user).await;
    Ok(ready)
}

#[testrail::step(name = "pay the bill")]
async fn pay(amount: u32) -> Result<u32, String> {
    let checked = checked(amount).await?;
    Ok(checked)
}

#[testrail::step]
async fn checked(amount: u32) -> Result<u32, String> {
    if amount == 0 { Err("nothing to pay".to_owned()) } else { Ok(amount) }
}

#[testrail::step]
async fn nothing() {}

#[testrail::case(C1)]
async fn checkout() -> Result<(), String> {
    let user = login("ann", 0, (1, 2)).await.map_err(|error| format!("{error:?}"))?;
    assert_eq!(user, "ann");
    pay(42).await?;
    nothing().await;
    Ok(())
}

fn main() {}
