struct Shop;

impl Shop {
    #[testrail::case(C1)]
    fn test_method(&self) {}

    #[testrail::step]
    fn step_method(&mut self, item: u32) -> u32 {
        item
    }
}

fn main() {}
