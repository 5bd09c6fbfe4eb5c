//! Turning what a test or step returned into pass or fail.
//!
//! Generated code calls `(&&&Verdict(&value)).testrail_verdict()` with the three traits in
//! scope. Method resolution then picks, by auto-ref, the most specific rule that applies:
//! `Result<_, E>` with `E: Display` reports the error's `Display` text, with `E: Debug` its
//! `Debug` text, and any other value passes.
//!
//! ```
//! use testrail_harness::verdict::{Verdict, ViaAny as _, ViaDebug as _, ViaDisplay as _};
//!
//! let failed: Result<(), std::io::Error> = Err(std::io::Error::other("disk full"));
//! assert_eq!((&&&Verdict(&failed)).testrail_verdict(), Err("disk full".to_owned()));
//!
//! #[derive(Debug)]
//! struct Opaque;
//! let failed: Result<u8, Opaque> = Err(Opaque);
//! assert_eq!((&&&Verdict(&failed)).testrail_verdict(), Err("Opaque".to_owned()));
//!
//! assert_eq!((&&&Verdict(&())).testrail_verdict(), Ok(()));
//! assert_eq!((&&&Verdict(&42)).testrail_verdict(), Ok(()));
//! ```

use std::fmt::{Debug, Display};

use crate::registry::BodyResult;

/// A borrowed return value waiting to be judged.
pub struct Verdict<'a, T: ?Sized>(pub &'a T);

/// Highest priority: an `Err` whose error type implements `Display`.
pub trait ViaDisplay {
    /// Judges the value.
    fn testrail_verdict(&self) -> BodyResult;
}

/// Second priority: an `Err` whose error type implements only `Debug`.
pub trait ViaDebug {
    /// Judges the value.
    fn testrail_verdict(&self) -> BodyResult;
}

/// Fallback: any other value passes.
pub trait ViaAny {
    /// Judges the value.
    fn testrail_verdict(&self) -> BodyResult;
}

impl<T, E: Display> ViaDisplay for &&Verdict<'_, Result<T, E>> {
    fn testrail_verdict(&self) -> BodyResult {
        match self.0 {
            Ok(_) => Ok(()),
            Err(error) => Err(error.to_string()),
        }
    }
}

impl<T, E: Debug> ViaDebug for &Verdict<'_, Result<T, E>> {
    fn testrail_verdict(&self) -> BodyResult {
        match self.0 {
            Ok(_) => Ok(()),
            Err(error) => Err(format!("{error:?}")),
        }
    }
}

impl<T: ?Sized> ViaAny for Verdict<'_, T> {
    fn testrail_verdict(&self) -> BodyResult {
        Ok(())
    }
}

/// The return types a test function may have: `()` or `Result<T, E>`.
///
/// Generated code calls [`check_test_return`] so that any other return type is a compile
/// error pointing at the test.
#[diagnostic::on_unimplemented(
    message = "a testrail test must return `()` or `Result<(), E>`, not `{Self}`",
    label = "this test returns `{Self}`"
)]
pub trait TestReturn {}

impl TestReturn for () {}
impl<T, E> TestReturn for Result<T, E> {}

/// Compile-time check that a test returns `()` or a `Result`.
pub fn check_test_return<T: TestReturn>(_: &T) {}
