//! Tests returning `Result` with errors that implement `Display`, only `Debug`, or are boxed.

use std::error::Error;
use std::fmt;

#[derive(Debug)]
struct DebugOnly;

#[derive(Debug)]
struct Displayed;

impl fmt::Display for Displayed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("displayed")
    }
}

impl Error for Displayed {}

#[testrail::case(C1)]
fn display_error() -> Result<(), Displayed> {
    Ok(())
}

#[testrail::case(C2)]
fn debug_only_error() -> Result<(), DebugOnly> {
    Ok(())
}

#[testrail::case(C3)]
fn boxed_error() -> Result<(), Box<dyn Error>> {
    let number: u8 = "7".parse()?;
    assert_eq!(number, 7);
    Ok(())
}

#[testrail::case(C4)]
fn string_error() -> Result<(), String> {
    Err("fails at run time, compiles fine".to_owned())
}

#[testrail::case(C5)]
fn ok_value_is_ignored() -> Result<u32, std::io::Error> {
    Ok(5)
}

#[testrail::case(C6)]
async fn async_boxed_error() -> Result<(), Box<dyn Error>> {
    Err(Box::new(Displayed))
}

fn main() {}
