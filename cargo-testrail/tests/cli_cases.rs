//! `cargo testrail cases`: the tree of the configured suites, search by ID and by title,
//! `--suite` / `--section`, and the cache with `--refresh`.

mod common;

use common::World;

#[test]
fn tree_search_narrowing_and_cache() {
    let world = World::new();
    let cases = |args: &[&str]| {
        let mut all = vec!["cases", "--suites", "Web Shop,Payments"];
        all.extend_from_slice(args);
        world.run(&all)
    };

    // The whole tree: suites, sections, indented sub-sections, cases.
    let ran = cases(&[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(ran.stdout.contains("fetched"), "{}", ran.stdout);
    let lines: Vec<&str> = ran.stdout.lines().collect();
    let position = |text: &str| {
        lines
            .iter()
            .position(|line| line.contains(text))
            .unwrap_or_else(|| panic!("{text:?} is shown\n{}", ran.stdout))
    };
    assert!(lines[position("Web Shop (S1)")].starts_with("Web Shop"));
    assert!(lines[position("Payments (S2)")].starts_with("Payments"));
    let cart = position("  Cart");
    let adding = position("Adding items");
    assert!(lines[cart].starts_with("  Cart"), "{}", lines[cart]);
    assert!(
        lines[adding].starts_with("    Adding items"),
        "sub-sections are indented: {:?}",
        lines[adding]
    );
    assert!(cart < adding && adding < position("C1 "), "{}", ran.stdout);
    assert!(lines[position("Adding an item grows the cart")].starts_with("      C1 "));
    assert!(
        !ran.stdout.contains("Mobile App"),
        "unconfigured suites are not shown"
    );

    // By ID.
    let ran = cases(&["C12"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stdout.contains("cached, fetched"),
        "the cache is used\n{}",
        ran.stdout
    );
    assert!(
        ran.stdout.contains("C12") && ran.stdout.contains("Customer can check out"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout.contains("Changing the cart"),
        "with its section\n{}",
        ran.stdout
    );
    assert!(!ran.stdout.contains("C1 "), "{}", ran.stdout);

    // By words of the title, as JSON.
    let ran = cases(&["coupon", "--json"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON");
    let titles: Vec<&str> = json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| case["title"].as_str().unwrap())
        .collect();
    assert!(!titles.is_empty());
    assert!(
        titles.iter().all(|t| t.to_lowercase().contains("coupon")),
        "{titles:?}"
    );
    assert_eq!(json["cached"], true);
    let expired = json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|case| case["id"] == 25)
        .expect("C25 Expired coupon is refused");
    assert_eq!(
        expired["section_path"],
        serde_json::json!(["Cart", "Totals and discounts"])
    );

    // Narrowed by suite and section.
    let ran = cases(&["--suite", "Web Shop", "--section", "Address", "--json"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON");
    let ids: Vec<u64> = json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| case["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, (31..=40).collect::<Vec<_>>());
    let ran = cases(&["--suite", "Nope"]);
    assert_eq!(ran.code, Some(2));
    assert!(
        ran.stderr.contains("Web Shop (S1)"),
        "the error lists the suites\n{}",
        ran.both()
    );

    // A case added in TestRail appears after --refresh only.
    world.sim.with_state_mut(|state| {
        let mut case = state.cases[&1].clone();
        case.id = 9001;
        case.title = "Brand new quokka case".into();
        state.cases.insert(9001, case);
    });
    let ran = cases(&["quokka"]);
    assert!(ran.stdout.contains("no case matches"), "{}", ran.both());
    let ran = cases(&["quokka", "--refresh"]);
    assert!(ran.stdout.contains("C9001"), "{}", ran.both());
    assert!(!ran.stdout.contains("cached"), "{}", ran.stdout);
}
