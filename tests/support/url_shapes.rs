//! Malformed and well-formed TESTRAIL_URL shapes that carry an API key as user info, for
//! the tests that assert the key appears in no output. Shared by the harness tests (root
//! `tests/`) and the CLI tests (`cargo-testrail/tests/`, through `#[path]`).

/// Keys to hide: a plain one, and one holding `@`, `:`, `/`, `%` and `#`.
pub const KEYS: [&str; 2] = ["Xk3yPlainS3cr3tValue", "Qx7p:Zr8w@Vb9n/Lm3k%40Jh#Wt4c"];

/// The parts of a key that must not appear either (its pieces between special characters,
/// and its percent-decoded form).
pub fn fragments(key: &str) -> Vec<String> {
    let mut parts: Vec<String> = key
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| part.len() >= 4)
        .map(str::to_owned)
        .collect();
    parts.push(key.to_owned());
    parts.push(key.replace("%40", "@"));
    parts
}

const SCHEMES: [&str; 13] = [
    "https://",
    "http://",
    "https:/",
    "https:",
    "https:///",
    "//",
    "",
    "htps://",
    "HTTPS://",
    "ftp://",
    "https:\\\\",
    "https//",
    "hxxps:",
];

const HOSTS: [&str; 6] = [
    "acme.testrail.io",
    "acme.testrail.io:443",
    "localhost:19300",
    "127.0.0.1:8080",
    "[::1]:9000",
    "[2001:db8::7]",
];

const SUFFIXES: [&str; 6] = [
    "",
    "/",
    "/testrail/index.php?/api/v2/",
    "/?x=1",
    "#top",
    "/path?q=a@b",
];

/// User info around `key`: with and without a user name, the key as the user, an email
/// address as the user (with its `@` raw or encoded).
fn userinfo(index: usize, key: &str) -> String {
    match index % 5 {
        0 => format!("admin:{key}@"),
        1 => format!("{key}@"),
        2 => format!(":{key}@"),
        3 => format!("ci%40acme.io:{key}@"),
        _ => format!("ci@acme.io:{key}@"),
    }
}

/// About seventy shapes spread over every scheme, user info, host, suffix and key, plus the
/// four shapes that printed the key before (`https:/admin:KEY@...`, `admin:KEY@host`,
/// `https:admin:KEY@host`, `//admin:KEY@host`). Each is `(url, key)`.
pub fn shapes() -> Vec<(String, &'static str)> {
    let mut shapes = Vec::new();
    for key in KEYS {
        for url in [
            format!("https:/admin:{key}@acme.testrail.io"),
            format!("admin:{key}@acme.testrail.io"),
            format!("https:admin:{key}@acme.testrail.io"),
            format!("//admin:{key}@acme.testrail.io"),
        ] {
            shapes.push((url, key));
        }
    }
    for i in 0..66 {
        let key = KEYS[i % KEYS.len()];
        let url = format!(
            "{}{}{}{}",
            SCHEMES[i % SCHEMES.len()],
            userinfo(i / 2, key),
            HOSTS[(i / 3) % HOSTS.len()],
            SUFFIXES[(i / 5) % SUFFIXES.len()],
        );
        shapes.push((url, key));
    }
    shapes
}

/// The fragment of `key` found in `text`, if any.
pub fn leaked(text: &str, key: &str) -> Option<String> {
    fragments(key)
        .into_iter()
        .find(|fragment| text.contains(fragment.as_str()))
}
