//! The run page in a real browser: headless Chromium over the DevTools protocol
//! (`headless_chrome`), asserting what a person sees, and saving a screenshot.
//!
//! Chromium must be installed (`apt-get install -y chromium` on Debian and Ubuntu; `.ci/run`
//! does it). Without it the test fails and says how to install it, unless
//! `TESTRAIL_SKIP_BROWSER_TESTS=1` is set, which skips it with a line saying so.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, LaunchOptions, Tab};
use testrail_sim::{Fixture, Simulator};

use crate::{FAILED_STEP, FAILED_STEP_ACTUAL, seed};

/// The variable that lets a machine without Chromium skip the browser tests.
const OPT_OUT: &str = "TESTRAIL_SKIP_BROWSER_TESTS";

/// Chromium's executable: `$CHROME`, else `chromium`, `google-chrome`, ... on the `PATH`.
/// `None` when there is none and the opt-out is set; a failure saying how to install it
/// otherwise.
fn chromium() -> Option<PathBuf> {
    match headless_chrome::browser::default_executable() {
        Ok(path) => Some(path),
        Err(why) if std::env::var_os(OPT_OUT).is_some_and(|v| v == "1") => {
            eprintln!(
                "skipped: the browser test of the simulator's pages, because Chromium is not installed ({why}) and {OPT_OUT}=1 is set"
            );
            None
        }
        Err(why) => panic!(
            "Chromium is needed to test the simulator's pages in a browser, and none was found ({why}).\n\
             Install it: `sudo apt-get install -y chromium` (Debian, Ubuntu), or point $CHROME at a Chrome or Chromium binary.\n\
             To skip this test on a machine without a browser, set {OPT_OUT}=1."
        ),
    }
}

fn launch(path: PathBuf) -> Browser {
    // No sandbox: CI containers (and root) cannot use Chromium's; the page is our own.
    let args = [OsStr::new("--hide-scrollbars"), OsStr::new("--lang=en-US")];
    let options = LaunchOptions::default_builder()
        .path(Some(path))
        .headless(true)
        .sandbox(false)
        .window_size(Some((1000, 760)))
        .idle_browser_timeout(Duration::from_secs(60))
        .args(args.to_vec())
        .build()
        .expect("launch options");
    Browser::new(options).expect("Chromium starts")
}

/// Evaluates a JavaScript expression that yields a string.
fn js_string(tab: &Tab, expression: &str) -> String {
    let value = tab
        .evaluate(expression, false)
        .unwrap_or_else(|e| panic!("{expression}: {e}"))
        .value;
    match value {
        Some(serde_json::Value::String(s)) => s,
        other => panic!("{expression} gave {other:?}"),
    }
}

/// `rgb(r, g, b)` (what `getComputedStyle` answers) as numbers.
fn rgb(css: &str) -> (u8, u8, u8) {
    let inner = css
        .trim()
        .trim_start_matches("rgba(")
        .trim_start_matches("rgb(")
        .trim_end_matches(')');
    let parts: Vec<u8> = inner
        .split(',')
        .take(3)
        .map(|p| p.trim().parse().unwrap_or_else(|_| panic!("colour {css}")))
        .collect();
    assert_eq!(parts.len(), 3, "colour {css}");
    (parts[0], parts[1], parts[2])
}

fn is_red((r, g, b): (u8, u8, u8)) -> bool {
    i32::from(r) > i32::from(g) + 30 && i32::from(r) > i32::from(b) + 30
}

fn is_green((r, g, b): (u8, u8, u8)) -> bool {
    i32::from(g) > i32::from(r) + 30 && i32::from(g) > i32::from(b) + 30
}

/// The computed background colour of the first element a selector finds.
fn background(tab: &Tab, selector: &str) -> (u8, u8, u8) {
    rgb(&js_string(
        tab,
        &format!("getComputedStyle(document.querySelector('{selector}')).backgroundColor"),
    ))
}

fn screenshot_path() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("testrail-sim-pages")
        .join("run-page.png")
}

#[test]
fn a_failed_test_is_red_and_shows_its_message_in_chromium() {
    let Some(chromium) = chromium() else {
        return;
    };
    let sim = Simulator::spawn(Fixture::demo()).expect("the simulator starts");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let seeded = runtime.block_on(seed(&sim));

    let browser = launch(chromium);
    let tab = browser.new_tab().expect("a tab");
    tab.set_default_timeout(Duration::from_secs(20));
    let url = sim.page_url(&format!("runs/view/{}", seeded.run_id));
    tab.navigate_to(&url)
        .and_then(|t| t.wait_until_navigated())
        .unwrap_or_else(|e| panic!("Chromium opens {url}: {e}"));
    tab.wait_for_element("#tests").expect("the tests table");

    // The failed test: its row is red, and its message and failed step are on screen.
    let failed = r#"tbody.test[data-case-id=\"2\"]"#;
    let row = background(&tab, &format!("{failed} tr.test"));
    assert!(is_red(row), "the failed test's row is {row:?}, not red");
    let status = background(&tab, &format!("{failed} tr.test .status"));
    assert!(is_red(status), "the Failed badge is {status:?}, not red");
    let text = js_string(
        &tab,
        &format!("document.querySelector('{failed}').innerText"),
    );
    assert!(
        text.contains("assertion failed: cart.len() == 2 <script>alert(1)</script>"),
        "the failed test shows its message, markup as text: {text}"
    );
    assert!(text.contains("Failed"), "{text}");
    assert!(
        text.contains(FAILED_STEP) && text.contains(FAILED_STEP_ACTUAL),
        "{text}"
    );

    // The passed test is green.
    let passed = r#"tbody.test[data-case-id=\"1\"]"#;
    let row = background(&tab, &format!("{passed} tr.test"));
    assert!(is_green(row), "the passed test's row is {row:?}, not green");
    let text = js_string(
        &tab,
        &format!("document.querySelector('{passed}').innerText"),
    );
    assert!(text.contains("Passed"), "{text}");

    // No script ran from the comment: the page has no script element at all.
    let scripts = tab
        .evaluate("document.querySelectorAll('script').length", false)
        .expect("a count")
        .value;
    assert_eq!(scripts, Some(serde_json::json!(0)));

    let png = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .expect("a screenshot");
    let path = screenshot_path();
    std::fs::create_dir_all(path.parent().expect("a folder")).expect("the artifact folder");
    std::fs::write(&path, &png).expect("the screenshot is written");
    println!("screenshot of the run page: {}", path.display());
}

#[test]
fn colours_are_read_as_numbers() {
    assert_eq!(rgb("rgb(253, 198, 199)"), (253, 198, 199));
    assert_eq!(rgb("rgba(1, 2, 3, 0.5)"), (1, 2, 3));
    assert!(is_red((253, 198, 199)) && !is_green((253, 198, 199)));
    assert!(is_green((193, 237, 193)) && !is_red((193, 237, 193)));
}
