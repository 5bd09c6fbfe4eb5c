//! Snapshots of `cargo testrail cases`: the tree of the configured suites, one case by ID,
//! a search by words, `--suite`/`--section`, no match, an unknown suite; text and `--json`.

mod common;
#[path = "../../tests/support/snapshot.rs"]
mod snapshot;
mod snapshot_cli;

use common::World;
use snapshot_cli::run;

#[test]
fn cases_tree_search_and_errors() {
    let world = World::new();
    fn with<'a>(extra: &[&'a str]) -> Vec<&'a str> {
        [&["cases", "--suites", "Web Shop,Payments"][..], extra].concat()
    }

    let ran = run(&world, "cases_tree", &with(&[]));
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    run(&world, "cases_by_id", &with(&["C12"]));
    run(&world, "cases_by_words", &with(&["grows", "cart"]));
    run(&world, "cases_by_words_json", &with(&["coupon", "--json"]));
    run(
        &world,
        "cases_suite_and_section",
        &with(&["--suite", "Web Shop", "--section", "Address"]),
    );
    run(&world, "cases_no_match", &with(&["quokka"]));
    let ran = run(&world, "cases_unknown_suite", &with(&["--suite", "Nope"]));
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    run(&world, "cases_refresh_by_id", &with(&["C1", "--refresh"]));
}
