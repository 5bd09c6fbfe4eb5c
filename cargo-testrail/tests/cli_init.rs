//! `cargo testrail init` on a fresh crate, as a user meets it: a crate whose test file uses
//! `testrail::main!()` and `#[testrail::case]` (depending on this workspace's `testrail` by
//! path). `init` is run twice (the second run changes nothing and says so), then the crate's
//! own `cargo test` exports to the simulator with nothing set but what the CI workflow
//! `init` wrote sets: the address, the user, the key and `TESTRAIL_EXPORT=1`; and then, as
//! that workflow does, into the run `cargo testrail run create` made (`TESTRAIL_RUN_ID`).

mod common;
#[path = "../../tests/support/snapshot.rs"]
mod snapshot;
mod snapshot_cli;

use std::path::{Path, PathBuf};

use common::{World, workspace_root};
use snapshot_cli::assert_cli;

const MANIFEST: &str = r#"# A crate of a user of testrail-rs.
[package]
name = "shopfront"
version = "0.1.0"
edition = "2024"
publish = false   # not for crates.io

[dev-dependencies]
testrail = { path = "WORKSPACE" }

# Its own workspace, not the temporary directory's.
[workspace]
"#;

const CHECKOUT: &str = r#"use testrail::case;

#[case(C1)]
fn adds_one_item() {
    assert_eq!(shopfront::add(1, 1), 2);
}

#[case(C2)]
fn adds_the_same_item_twice() {
    assert_eq!(shopfront::add(2, 2), 4);
}

testrail::main!();
"#;

/// A fresh crate in the world's directory: a library, a test file for the testrail harness
/// and a plain libtest one; the workspace's lock file, so that it builds offline with the
/// versions the workspace's target directory holds.
fn fresh_crate(world: &World) -> PathBuf {
    let dir = world.dir.path().join("shopfront");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    let manifest = MANIFEST.replace("WORKSPACE", workspace_root().to_str().unwrap());
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(
        dir.join("src/lib.rs"),
        "/// Adds.\npub fn add(a: u32, b: u32) -> u32 {\n    a + b\n}\n",
    )
    .unwrap();
    std::fs::write(dir.join("tests/checkout.rs"), CHECKOUT).unwrap();
    std::fs::write(
        dir.join("tests/plain.rs"),
        "#[test]\nfn plain() {\n    assert_eq!(shopfront::add(0, 0), 0);\n}\n",
    )
    .unwrap();
    std::fs::copy(workspace_root().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    dir
}

/// Every file `init` may write, with its text (`None`: absent).
fn files(dir: &Path) -> Vec<(&'static str, Option<String>)> {
    [
        "Cargo.toml",
        "testrail.toml",
        ".config/nextest.toml",
        ".github/workflows/testrail.yml",
    ]
    .into_iter()
    .map(|file| (file, std::fs::read_to_string(dir.join(file)).ok()))
    .collect()
}

#[test]
fn init_twice_on_a_fresh_crate_then_its_tests_export() {
    let world = World::new();
    let dir = fresh_crate(&world);
    let args = [
        "init",
        "--project",
        "Shop",
        "--suite",
        "Web Shop",
        "--nextest",
        "--ci",
        "github",
    ];
    let ran = world.run_in(&dir, &args);
    assert_cli(&world, "init_fresh_crate", &args, &ran, &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let after_first = files(&dir);

    let manifest = after_first[0].1.as_deref().unwrap();
    assert!(
        manifest.starts_with("# A crate of a user of testrail-rs.\n"),
        "{manifest}"
    );
    assert!(
        manifest.contains("publish = false   # not for crates.io"),
        "{manifest}"
    );
    let parsed: toml::Table = manifest.parse().unwrap();
    assert_eq!(
        parsed["test"],
        toml::Value::Array(vec![toml::Value::Table(
            [
                ("name".to_owned(), "checkout".into()),
                ("harness".to_owned(), false.into())
            ]
            .into_iter()
            .collect()
        )]),
        "checkout.rs became a harness = false target, plain.rs stayed a libtest one"
    );
    let config = after_first[1].1.as_deref().expect("testrail.toml");
    assert!(!config.contains(world.sim.api_key()));
    let mut settings = snapshot::settings(&[]);
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"));
    settings.bind(|| {
        insta::assert_snapshot!("init_testrail_toml", config);
        insta::assert_snapshot!("init_nextest_toml", after_first[2].1.as_deref().unwrap());
        insta::assert_snapshot!("init_github_workflow", after_first[3].1.as_deref().unwrap());
    });

    // Again: nothing changes, and every file says so.
    let ran = world.run_in(&dir, &args);
    assert_cli(&world, "init_again", &args, &ran, &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(files(&dir), after_first, "the second init changed a file");

    let json = [&args[..], &["--json"]].concat();
    let ran = world.run_in(&dir, &json);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let answer: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON");
    let actions: Vec<(&str, &str)> = answer["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| {
            (
                file["file"].as_str().unwrap(),
                file["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("testrail.toml", "unchanged"),
            ("tests/plain.rs", "skipped"),
            ("Cargo.toml", "unchanged"),
            (".config/nextest.toml", "unchanged"),
            (".github/workflows/testrail.yml", "unchanged"),
        ]
    );
    assert_eq!(answer["ok"], true);

    // A different testrail.toml is not replaced without --force.
    let other = ["init", "--project", "Back Office"];
    let ran = world.run_in(&dir, &other);
    assert_cli(&world, "init_different_config", &other, &ran, &[]);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert_eq!(files(&dir), after_first, "the refused init changed a file");

    // The crate's own tests, as the workflow runs them: the shared target directory only
    // saves building the workspace's crates again.
    let cargo_test = |env: &[(&str, &str)]| {
        let mut cargo = crate_test(&world, &dir);
        cargo.envs(env.iter().copied());
        common::run(&mut cargo)
    };
    let ran = cargo_test(&[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(!ran.both().contains(world.sim.api_key()), "{}", ran.both());
    let runs = world.run_ids();
    let [run_id] = runs.as_slice() else {
        panic!("one run, not {runs:?}\n{}", ran.both());
    };
    assert_eq!(
        world.statuses(*run_id),
        [(1, vec![1]), (2, vec![1])].into(),
        "both tests passed into the run of suite Web Shop\n{}",
        ran.both()
    );
    let suite = world.sim.with_state(|state| state.runs[run_id].suite_id);
    assert_eq!(suite, 1, "the suite testrail.toml names");

    // The workflow's way: the build's run first (from the crate's testrail.toml), then the
    // tests report into it with TESTRAIL_RUN_ID.
    let create = [
        "run",
        "create",
        "--build",
        "gh-1",
        "--format",
        "github-output",
    ];
    let ran = world.run_in(&dir, &create);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let build_run = ran
        .stdout
        .trim()
        .strip_prefix("TESTRAIL_RUN_ID=")
        .expect("TESTRAIL_RUN_ID=<id>")
        .to_owned();
    let ran = cargo_test(&[("TESTRAIL_RUN_ID", &build_run)]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let build_run: u64 = build_run.parse().unwrap();
    assert_eq!(
        world.run_ids(),
        [*run_id, build_run],
        "no run besides the build's"
    );
    assert_eq!(
        world.statuses(build_run),
        [(1, vec![1]), (2, vec![1])].into(),
        "the tests reported into the build's run\n{}",
        ran.both()
    );
}

/// The crate's `cargo test --test checkout`, with the settings the CI workflow gives.
fn crate_test(world: &World, dir: &Path) -> std::process::Command {
    let mut cargo = common::crate_cargo_test(world, dir);
    cargo.env("TESTRAIL_EXPORT", "1");
    cargo
}

/// `init` asks for the settings the flags leave out on a terminal (here a pseudo-terminal
/// made by util-linux's `script`), and never when standard input is not one.
#[cfg(target_os = "linux")]
#[test]
fn init_asks_on_a_terminal_only() {
    use std::io::Write as _;
    use std::process::{Command, Stdio};

    let answers = "https://acme.testrail.io\nqa@acme.io\nWeb Shop, Payments\n";
    let init = |dir: &Path, terminal: bool| {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(
            dir.join("Cargo.toml"),
            "[package]\nname = \"asked\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
        )
        .unwrap();
        let bin = env!("CARGO_BIN_EXE_cargo-testrail");
        let mut command = match terminal {
            true => {
                let mut command = Command::new("script");
                command.args(["-qec", &format!("'{bin}' init --project Shop"), "/dev/null"]);
                command
            }
            false => {
                let mut command = Command::new(bin);
                command.args(["init", "--project", "Shop"]);
                command
            }
        };
        let mut child = command
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("util-linux's `script` runs (apt-get install util-linux)");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(answers.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{output:?}");
        let text = std::fs::read_to_string(dir.join("testrail.toml")).unwrap();
        text.parse::<toml::Table>().unwrap()
    };
    let world = World::new();
    let asked = init(&world.dir.path().join("terminal"), true);
    assert_eq!(asked["url"].as_str(), Some("https://acme.testrail.io"));
    assert_eq!(asked["user"].as_str(), Some("qa@acme.io"));
    assert_eq!(
        asked["project"].as_str(),
        Some("Shop"),
        "the flag, not asked"
    );
    assert_eq!(
        asked["suites"],
        toml::Value::Array(vec!["Web Shop".into(), "Payments".into()])
    );
    let not_asked = init(&world.dir.path().join("pipe"), false);
    assert_eq!(
        not_asked.keys().collect::<Vec<_>>(),
        ["project"],
        "nothing asked without a terminal: only the flag"
    );
}

/// A workspace's manifest (no `[package]`) stops `init` before it writes anything.
#[test]
fn init_refuses_a_workspace_manifest() {
    let world = World::new();
    let dir = world.dir.path().join("workspace");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("Cargo.toml"), "[workspace]\nmembers = [\"a\"]\n").unwrap();
    let args = ["init", "--project", "Shop"];
    let ran = world.run_in(&dir, &args);
    assert_cli(&world, "init_workspace_manifest", &args, &ran, &[]);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert!(!dir.join("testrail.toml").exists(), "nothing written");
}

/// An address the client could not use stops `init` before it writes anything.
#[test]
fn init_refuses_an_address_the_client_cannot_use() {
    let world = World::new();
    let dir = fresh_crate(&world);
    let ran = world.run_in(
        &dir,
        &["init", "--url", "acme.testrail.io", "--project", "Shop"],
    );
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert!(ran.stderr.contains("acme.testrail.io"), "{}", ran.both());
    assert!(!dir.join("testrail.toml").exists(), "nothing written");
    let ran = world.run_in(
        &dir,
        &[
            "init",
            "--url",
            "https://ada:secret-key@acme.testrail.io",
            "--project",
            "Shop",
        ],
    );
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert!(!ran.both().contains("secret-key"), "{}", ran.both());
}

/// Targets in a directory (`tests/sub/main.rs`) and `[[test]]` entries with a path of their
/// own are set up too; plain `#[test]`s in a file that becomes `harness = false` are named,
/// and the exit code is 1.
#[test]
fn init_finds_every_target_and_names_the_tests_harness_false_drops() {
    let world = World::new();
    let dir = fresh_crate(&world);
    std::fs::create_dir_all(dir.join("tests/sub")).unwrap();
    std::fs::write(
        dir.join("tests/sub/main.rs"),
        "#[testrail::test]\nfn in_sub() {}\n\ntestrail::main!();\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("tests/weird")).unwrap();
    std::fs::write(
        dir.join("tests/weird/explicit_file.rs"),
        "#[testrail::test]\nfn explicit() {}\n\ntestrail::main!();\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("tests/mixed.rs"),
        "#[testrail::test]\nfn tagged() {}\n\n#[test]\nfn plain_std_test() {}\n\ntestrail::main!();\n",
    )
    .unwrap();
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "{manifest}\n[[test]]\nname = \"explicit\"\npath = \"tests/weird/explicit_file.rs\"\n"
        ),
    )
    .unwrap();
    let ran = world.run_in(&dir, &["init", "--project", "Shop"]);
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    assert!(
        ran.stdout.contains("tests/mixed.rs:5: warning, fn plain_std_test (#[test]) never runs once mixed has harness = false"),
        "{}",
        ran.both()
    );
    let manifest: toml::Table = std::fs::read_to_string(dir.join("Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let without_harness: Vec<&str> = manifest["test"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry.get("harness").and_then(toml::Value::as_bool) == Some(false))
        .filter_map(|entry| entry.get("name")?.as_str())
        .collect();
    for name in ["checkout", "explicit", "mixed", "sub"] {
        assert!(
            without_harness.contains(&name),
            "{name}: {without_harness:?}\n{}",
            ran.both()
        );
    }
    assert!(!without_harness.contains(&"plain"), "{without_harness:?}");
}
