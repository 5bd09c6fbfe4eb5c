// The body is not parsed by the macro: rustc reports the mistake at the user's line.

#[testrail::case(C1)]
fn broken_test() {
    let total = 1 +;
    assert_eq!(total, 1);
}

fn main() {}
