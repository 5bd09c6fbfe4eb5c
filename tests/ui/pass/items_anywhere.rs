//! Tests and steps in modules and functions, with attributes, raw names, `#[cfg]` and other
//! qualifiers.

mod checkout {
    /// Documented and public.
    #[testrail::case(C1)]
    #[allow(clippy::needless_return)]
    pub fn documented() {
        return;
    }

    #[testrail::case(C2)]
    fn r#match() {}

    #[cfg(any())]
    #[testrail::case(C3)]
    fn compiled_out() {
        this_does_not_exist();
    }

    #[testrail::case(C4)]
    #[cfg(any())]
    fn compiled_out_after_the_attribute() {
        this_does_not_exist();
    }

    #[testrail::case(C5)]
    const fn constant() {}

    #[testrail::case(C6)]
    extern "C" fn with_abi() {}

    #[testrail::step]
    #[must_use]
    pub(super) fn inner_step() -> u8 {
        1
    }
}

struct Page;

impl Page {
    /// Steps may be associated functions (without `self`) that name their type.
    #[testrail::step]
    fn open() -> Page {
        Page
    }
}

fn main() {
    let _page = Page::open();

    #[testrail::case(C7)]
    fn inside_a_function() {}

    #[testrail::step]
    fn step_inside_a_function() {}

    step_inside_a_function();
    // A test function is still an ordinary function.
    checkout::documented();
    let _ = checkout::inner_step();
}
