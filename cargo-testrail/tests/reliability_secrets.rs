//! Reliability, scenario 12 (issue 10): the API key never appears in any output of the CLI,
//! whatever shape TESTRAIL_URL has, and an address without a scheme asks for `https://`.

mod common;

#[path = "../../tests/support/url_shapes.rs"]
mod url_shapes;

use common::World;

/// Every command that reads TESTRAIL_URL, with the arguments it needs to get that far.
fn commands(junit: &str) -> Vec<Vec<String>> {
    [
        vec!["check"],
        vec!["check", "--json"],
        vec!["cases"],
        vec!["status"],
        vec!["accept"],
        vec!["upload"],
        vec!["upload", "--dry-run"],
        vec!["upload", "--json"],
        vec!["import", "junit", junit],
        vec!["create", "--create-section", "Web Shop/Automated"],
        vec!["push", "--dry-run"],
    ]
    .into_iter()
    .map(|args| args.into_iter().map(str::to_owned).collect())
    .collect()
}

#[test]
fn no_url_shape_makes_any_command_print_the_key() {
    let world = World::new();
    common::spool(
        &world,
        "secrets",
        "checkout",
        1,
        vec![
            common::passed("checkout::pays", &[101]),
            common::passed("checkout::unmapped_test", &[]),
        ],
    );
    let junit = common::workspace_root().join("cargo-testrail/tests/junit/pytest.xml");
    let commands = commands(&junit.display().to_string());
    let shapes = url_shapes::shapes();
    assert!(shapes.len() >= 70, "{}", shapes.len());
    // Every shape goes through `check` and `upload`; every third one through each other
    // command too (they share the same parsing; this keeps the test under a few seconds).
    let jobs: Vec<(&(String, &str), &Vec<String>)> = shapes
        .iter()
        .enumerate()
        .flat_map(|(i, shape)| {
            commands
                .iter()
                .filter(move |args| i % 3 == 0 || matches!(args[0].as_str(), "check" | "upload"))
                .map(move |args| (shape, args))
        })
        .collect();
    let refused = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for part in jobs.chunks(jobs.len().div_ceil(3)) {
            let (world, refused) = (&world, &refused);
            scope.spawn(move || {
                for ((url, key), args) in part {
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    let mut command = world.command(&args);
                    command
                        .env("TESTRAIL_URL", url)
                        .env("TESTRAIL_API_KEY", key)
                        .env("TESTRAIL_TIMEOUT", "2s");
                    let ran = common::run(&mut command);
                    if let Some(fragment) = url_shapes::leaked(&ran.both(), key) {
                        panic!(
                            "`cargo testrail {}` with TESTRAIL_URL={url:?} printed {fragment:?} of the key\n{}",
                            args.join(" "),
                            ran.both()
                        );
                    }
                    assert_ne!(
                        ran.code,
                        Some(0),
                        "`{}` with {url:?} must not succeed\n{}",
                        args.join(" "),
                        ran.both()
                    );
                    if ran.both().contains("holds credentials") {
                        refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            });
        }
    });
    // Every shape holds `@`: the address is refused as holding credentials, by every command.
    assert_eq!(refused.into_inner(), jobs.len());
    // Nothing was sent.
    assert!(world.run_ids().is_empty());
}

#[test]
fn the_four_reported_shapes_are_named_as_credentials_and_hidden() {
    let world = World::new();
    for (url, shown) in [
        (
            "https:/admin:KeyZ9@acme.testrail.io",
            "`https:/***@acme.testrail.io`",
        ),
        ("admin:KeyZ9@acme.testrail.io", "`***@acme.testrail.io`"),
        (
            "https:admin:KeyZ9@acme.testrail.io",
            "`https:***@acme.testrail.io`",
        ),
        ("//admin:KeyZ9@acme.testrail.io", "`//***@acme.testrail.io`"),
    ] {
        let mut command = world.command(&["check"]);
        command
            .env("TESTRAIL_URL", url)
            .env("TESTRAIL_API_KEY", "KeyZ9");
        let ran = common::run(&mut command);
        assert_eq!(ran.code, Some(2), "{}", ran.both());
        assert!(!ran.both().contains("KeyZ9"), "{url}\n{}", ran.both());
        assert!(
            ran.stdout.contains(&format!(
                "✗ settings: TESTRAIL_URL {shown} is not usable: it holds credentials (`user:key@`): give them as TESTRAIL_USER and TESTRAIL_API_KEY instead"
            )),
            "{url}\n{}",
            ran.both()
        );
    }
}

#[test]
fn a_host_and_port_without_scheme_asks_for_https() {
    let world = World::new();
    for (url, suggestion) in [
        (
            "localhost:19300",
            "add https:// in front, as in https://localhost:19300 (http:// also works for a loopback address such as a local simulator)",
        ),
        (
            "acme.testrail.io:443",
            "add https:// in front, as in https://acme.testrail.io:443",
        ),
    ] {
        let mut command = world.command(&["check"]);
        command.env("TESTRAIL_URL", url);
        let ran = common::run(&mut command);
        assert_eq!(ran.code, Some(2), "{}", ran.both());
        assert!(ran.stdout.contains(suggestion), "{url}\n{}", ran.both());
        assert!(!ran.stdout.contains("no host"), "{url}\n{}", ran.both());
    }
}

#[test]
fn check_json_shows_the_normalised_address() {
    let world = World::new();
    let ran = world.run(&["check", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON");
    assert_eq!(
        json["url"],
        format!("{}/", world.sim.base_url().trim_end_matches('/'))
    );
}
