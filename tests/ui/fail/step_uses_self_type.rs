// A step is moved into an inner function, which cannot see the `Self` of an `impl`.

struct Page;

impl Page {
    #[testrail::step]
    fn open() -> Self {
        Page
    }
}

fn main() {
    let _ = Page::open();
}
