//! Account tests: labels set by the test itself, defects, and setup failures.

use testrail::{BugLabel, case};

#[case(C20)]
async fn sign_in_accepts_a_long_password() {
    let session = shop::sign_in("carol", "long enough").await.unwrap();
    assert_eq!(session.user, "carol");
}

#[case(C21)]
async fn sign_in_refuses_a_short_password() {
    assert!(shop::sign_in("carol", "short").await.is_err());
}

/// The single sign-on provider is only reachable from the staging network: elsewhere the
/// test cannot run at all, which is run result Error (not reported to TestRail), not a bug.
#[case(C22)]
fn single_sign_on_redirects_to_the_provider() {
    let Ok(provider) = std::env::var("SHOP_SSO_URL") else {
        testrail::setup_failed("SHOP_SSO_URL is not set: the SSO provider is unreachable");
    };
    assert!(provider.starts_with("https://"));
}

/// Password rules are being reworked: whatever happens, QA decides.
#[case(C23)]
fn password_rules_are_documented() {
    testrail::set_bug_label(BugLabel::Undecided);
    testrail::defect("SHOP-77");
    testrail::comment("rules under review, see SHOP-77");
}

testrail::main!();
