//! Steps: nested, failing by panic and by `Err`, and not reached after an earlier failure.
//! `SCENARIO_FAIL_AT` names the step that fails (none by default), so a first run can pass
//! (and teach the harness the steps) and a second run can fail early.

use testrail::{case, step};

fn fail_at(name: &str) -> bool {
    std::env::var("SCENARIO_FAIL_AT").is_ok_and(|value| value == name)
}

#[step(C201)]
fn log_in() -> Result<(), String> {
    if fail_at("log_in") {
        return Err("wrong password".to_owned());
    }
    check_token();
    Ok(())
}

#[step]
fn check_token() {
    assert!(!fail_at("check_token"), "token expired");
}

#[step(C202, C203)]
async fn pay(amount: u32) -> Result<u32, String> {
    if fail_at("pay") {
        panic!("card declined for {amount}");
    }
    Ok(amount)
}

#[step(name = "log out")]
fn log_out() {}

#[case(C200)]
async fn checkout_in_steps() -> Result<(), String> {
    log_in()?;
    pay(42).await?;
    log_out();
    Ok(())
}

testrail::main!();
