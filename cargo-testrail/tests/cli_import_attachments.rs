//! `cargo testrail import junit` with attachments in both conventions: `[[ATTACHMENT|path]]`
//! lines in `system-out`/`system-err` (Jenkins, GitLab) and trcli's `testrail_attachment`
//! property. Relative paths are resolved next to the JUnit file; a file that is not there
//! is named in a warning and left out; each file lands once on its case's result.

mod common;
#[allow(dead_code)] // only the settings are used here
#[path = "../../tests/support/snapshot.rs"]
mod snapshot;

use std::collections::BTreeMap;

use common::World;

#[test]
fn junit_attachments_of_both_conventions_land_once_on_their_results() {
    let world = World::new();
    let reports = world.dir.path().join("reports");
    std::fs::create_dir_all(reports.join("screens")).unwrap();
    std::fs::write(reports.join("screens/cart.png"), b"\x89PNG cart").unwrap();
    std::fs::write(reports.join("trace.txt"), b"trace of C2").unwrap();
    // Not next to the JUnit file, but in the directory the CLI runs in (where trcli looks).
    std::fs::write(
        world.dir.path().join("cwd.txt"),
        b"from the current directory",
    )
    .unwrap();
    let elsewhere = world.dir.path().join("elsewhere.log");
    std::fs::write(&elsewhere, b"absolute path").unwrap();
    let junit = reports.join("junit.xml");
    std::fs::write(
        &junit,
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="cart" tests="3">
    <testcase classname="shop.cart" name="C1_add_one_item" time="0.2">
      <system-out>adding one item
[[ATTACHMENT|screens/cart.png]]
</system-out>
      <system-err>[[ATTACHMENT|{}]]</system-err>
    </testcase>
    <testcase classname="shop.cart" name="C2_add_twice" time="0.1">
      <properties>
        <property name="testrail_attachment" value="trace.txt"/>
        <property name="testrail_attachment" value="gone.txt"/>
        <property name="testrail_attachment" value="cwd.txt"/>
      </properties>
      <failure message="quantity stayed 1"/>
    </testcase>
    <testcase classname="shop.cart" name="C3_empty" time="0.1"/>
  </testsuite>
</testsuites>
"#,
            elsewhere.display()
        ),
    )
    .unwrap();
    let ran = world.run(&["import", "junit", junit.to_str().unwrap()]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());

    let stored: BTreeMap<(u64, String), Vec<Vec<u8>>> = world.sim.with_state(|state| {
        let mut stored: BTreeMap<(u64, String), Vec<Vec<u8>>> = BTreeMap::new();
        for a in state.attachments.values() {
            stored
                .entry((a.case_id.unwrap(), a.name.clone()))
                .or_default()
                .push(a.bytes.clone());
        }
        stored
    });
    let expected: BTreeMap<(u64, String), Vec<Vec<u8>>> = BTreeMap::from([
        ((1, "cart.png".into()), vec![b"\x89PNG cart".to_vec()]),
        ((1, "elsewhere.log".into()), vec![b"absolute path".to_vec()]),
        ((2, "trace.txt".into()), vec![b"trace of C2".to_vec()]),
        (
            (2, "cwd.txt".into()),
            vec![b"from the current directory".to_vec()],
        ),
    ]);
    assert_eq!(stored, expected, "{}", ran.both());

    let dir = world.dir.path().display().to_string();
    let lines: Vec<String> = format!("{}{}", ran.stdout, ran.stderr)
        .lines()
        .filter(|line| line.contains("attachment"))
        .map(|line| line.replace(&dir, "[DIR]"))
        .collect();
    snapshot::settings(&[]).bind(|| {
        insta::assert_snapshot!("import_junit_attachments", lines.join("\n"));
    });

    // Imported again (the same session): nothing is sent twice.
    let again = world.run(&["import", "junit", junit.to_str().unwrap()]);
    assert_eq!(again.code, Some(0), "{}", again.both());
    let count = world.sim.with_state(|state| state.attachments.len());
    assert_eq!(count, 4, "{}", again.both());
}
