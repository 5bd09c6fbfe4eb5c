#[testrail::case(C1)]
fn returns_a_number() -> u32 {
    4
}

#[testrail::test]
async fn returns_a_string() -> String {
    String::new()
}

fn main() {}
