//! The tests that never run: plain `#[test]` functions (and `#[tokio::test]`, or any
//! attribute named `test` that is not testrail's) in `harness = false` test targets.
//!
//! Cargo builds a `harness = false` target without `--test` (it still sets `cfg(test)`), and
//! without `--test` rustc drops every `#[test]` function without a word; `testrail::main!()` cannot see them
//! either, since they are gone before it runs. So they are found in the sources: the
//! targets come from `cargo metadata` (their source files) and from each package's
//! `Cargo.toml` (which `[[test]]` entries say `harness = false`: `cargo metadata` does not
//! tell), and each target's files are read with `syn`, following `mod name;` declarations
//! (and their `#[path]`) from the target's root file. `check` and `status` list what is
//! found, with what to write instead.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::context;

/// A `#[test]` function that rustc drops.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DroppedTest {
    /// The source file, relative to the current directory when inside it.
    pub file: String,
    /// The line of the function's name.
    pub line: usize,
    /// The function's name.
    pub name: String,
    /// The attribute as written, e.g. `#[test]` or `#[tokio::test]`.
    pub attribute: String,
    /// The `harness = false` target, e.g. `checkout`.
    pub target: String,
    /// Its package.
    pub package: String,
}

impl DroppedTest {
    /// `tests/checkout.rs:12 fn plain (#[test] in target checkout)`.
    pub fn describe(&self) -> String {
        format!(
            "{}:{} fn {} ({} in target {})",
            self.file, self.line, self.name, self.attribute, self.target
        )
    }
}

/// What to write instead, said once under the list.
pub const INSTEAD: &str = "rustc drops #[test] functions in a `harness = false` target, so these never run: write #[testrail::test] (or #[testrail::case(C..)] to link a case) instead, or move them to a test file without `harness = false`";

/// The dropped tests of the packages of the workspace around the current directory,
/// sorted; none when `cargo metadata` fails (no workspace) or a file cannot be parsed
/// (its build fails and says why).
pub fn find() -> Vec<DroppedTest> {
    let Some(metadata) = context::cargo_metadata() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        let (Some(name), Some(manifest)) =
            (package["name"].as_str(), package["manifest_path"].as_str())
        else {
            continue;
        };
        let without_harness = without_harness(Path::new(manifest));
        for target in package["targets"].as_array().into_iter().flatten() {
            let is_test = target["kind"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().any(|kind| kind == "test"));
            let (Some(target_name), Some(src)) =
                (target["name"].as_str(), target["src_path"].as_str())
            else {
                continue;
            };
            if is_test && without_harness.contains(target_name) {
                scan_target(name, target_name, Path::new(src), &mut found);
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// The plain `#[test]`s of one target (root file `root`) that a `harness = false` would
/// drop, sorted.
pub fn in_target(package: &str, target: &str, root: &Path) -> Vec<DroppedTest> {
    let mut found = Vec::new();
    scan_target(package, target, root, &mut found);
    found.sort();
    found
}

/// The names of the `[[test]]` entries of a manifest that say `harness = false`.
fn without_harness(manifest: &Path) -> BTreeSet<String> {
    let Ok(text) = std::fs::read_to_string(manifest) else {
        return BTreeSet::new();
    };
    let Ok(table) = text.parse::<toml::Table>() else {
        return BTreeSet::new();
    };
    table
        .get("test")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter(|entry| entry.get("harness").and_then(toml::Value::as_bool) == Some(false))
        .filter_map(|entry| entry.get("name").and_then(toml::Value::as_str))
        .map(str::to_owned)
        .collect()
}

/// Scans a target's root file and the module files it declares.
fn scan_target(package: &str, target: &str, root: &Path, found: &mut Vec<DroppedTest>) {
    let mut pending = vec![(root.to_path_buf(), module_dir_of_root(root))];
    let mut seen = BTreeSet::new();
    while let Some((file, dir)) = pending.pop() {
        if !seen.insert(file.clone()) {
            continue;
        }
        let Some(ast) = std::fs::read_to_string(&file)
            .ok()
            .and_then(|text| syn::parse_file(&text).ok())
        else {
            continue;
        };
        let ours = imports_testrail_test(&ast.items);
        let mut scan = Scan {
            package,
            target,
            file: &file,
            ours,
            found,
            modules: &mut pending,
        };
        scan.items(&ast.items, &dir);
    }
}

/// The directory of the modules that a target's root file declares: its own.
fn module_dir_of_root(root: &Path) -> PathBuf {
    root.parent().map(Path::to_path_buf).unwrap_or_default()
}

struct Scan<'a> {
    package: &'a str,
    target: &'a str,
    file: &'a Path,
    /// Whether the file imports testrail's `test` attribute, making a bare `#[test]` ours.
    ours: bool,
    found: &'a mut Vec<DroppedTest>,
    /// Module files still to read, with the directory of their own modules.
    modules: &'a mut Vec<(PathBuf, PathBuf)>,
}

impl Scan<'_> {
    /// Looks at `items`, whose `mod name;` files are in `dir`.
    fn items(&mut self, items: &[syn::Item], dir: &Path) {
        for item in items {
            match item {
                syn::Item::Fn(function) => self.function(&function.attrs, &function.sig.ident),
                syn::Item::Mod(module) => {
                    let name = module.ident.to_string();
                    let path = path_attribute(&module.attrs);
                    match &module.content {
                        Some((_, items)) => {
                            let inner = match &path {
                                Some(path) => dir.join(path),
                                None => dir.join(&name),
                            };
                            self.items(items, &inner);
                        }
                        None => {
                            let file = match &path {
                                Some(path) => dir.join(path),
                                None if dir.join(format!("{name}.rs")).is_file() => {
                                    dir.join(format!("{name}.rs"))
                                }
                                None => dir.join(&name).join("mod.rs"),
                            };
                            let own_dir = match file.file_name() {
                                Some(file_name) if file_name == "mod.rs" || path.is_some() => {
                                    file.parent().map(Path::to_path_buf).unwrap_or_default()
                                }
                                _ => dir.join(&name),
                            };
                            self.modules.push((file, own_dir));
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn function(&mut self, attrs: &[syn::Attribute], ident: &syn::Ident) {
        let Some(attribute) = attrs.iter().find(|attr| self.drops(attr.path())) else {
            return;
        };
        let written: Vec<String> = attribute
            .path()
            .segments
            .iter()
            .map(|segment| segment.ident.to_string())
            .collect();
        self.found.push(DroppedTest {
            file: context::display_path(self.file),
            line: ident.span().start().line,
            name: ident.to_string(),
            attribute: format!("#[{}]", written.join("::")),
            target: self.target.to_owned(),
            package: self.package.to_owned(),
        });
    }

    /// Whether an attribute with this path makes a libtest test: one named `test` that is
    /// not testrail's (`#[testrail::test]`, or a bare `#[test]` imported from testrail).
    fn drops(&self, path: &syn::Path) -> bool {
        let segments: Vec<String> = path
            .segments
            .iter()
            .map(|segment| segment.ident.to_string())
            .collect();
        match segments.as_slice() {
            [only] if only == "test" => !self.ours,
            [.., last] if last == "test" => segments[0] != "testrail",
            _ => false,
        }
    }
}

/// The `#[path = "..."]` of a module, if any.
fn path_attribute(attrs: &[syn::Attribute]) -> Option<PathBuf> {
    attrs.iter().find_map(|attr| match &attr.meta {
        syn::Meta::NameValue(value) if value.path.is_ident("path") => match &value.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(text),
                ..
            }) => Some(PathBuf::from(text.value())),
            _ => None,
        },
        _ => None,
    })
}

/// Whether `items` import testrail's `test` attribute under the name `test`
/// (`use testrail::test;`, `use testrail::{case, test};`).
fn imports_testrail_test(items: &[syn::Item]) -> bool {
    fn walk(tree: &syn::UseTree, under_testrail: bool) -> bool {
        match tree {
            syn::UseTree::Path(path) => {
                walk(&path.tree, under_testrail || path.ident == "testrail")
            }
            syn::UseTree::Name(name) => under_testrail && name.ident == "test",
            syn::UseTree::Rename(rename) => {
                under_testrail && rename.rename == "test" && rename.ident == "test"
            }
            syn::UseTree::Group(group) => group.items.iter().any(|tree| walk(tree, under_testrail)),
            syn::UseTree::Glob(_) => false,
        }
    }
    items.iter().any(|item| match item {
        syn::Item::Use(item) => walk(&item.tree, false),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(files: &[(&str, &str)]) -> Vec<(String, usize, String)> {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let mut found = Vec::new();
        scan_target(
            "shop",
            "checkout",
            &dir.path().join("checkout.rs"),
            &mut found,
        );
        found.sort();
        found
            .into_iter()
            .map(|test| {
                let file = Path::new(&test.file)
                    .strip_prefix(dir.path())
                    .unwrap()
                    .display()
                    .to_string();
                (file, test.line, format!("{} {}", test.attribute, test.name))
            })
            .collect()
    }

    #[test]
    fn finds_plain_tests_in_the_file_and_its_modules() {
        let found = scan(&[
            (
                "checkout.rs",
                "mod common;\n#[path = \"shared/x.rs\"]\nmod x;\n#[test]\nfn plain() {}\n#[testrail::test]\nfn ours() {}\nmod inner {\n    #[tokio::test]\n    async fn spawned() {}\n}\ntestrail::main!();\n",
            ),
            ("common/mod.rs", "mod deeper;\n#[test]\nfn in_common() {}\n"),
            ("common/deeper.rs", "#[test]\nfn deep() {}\n"),
            ("shared/x.rs", "#[test]\nfn by_path() {}\n"),
        ]);
        assert_eq!(
            found,
            [
                ("checkout.rs".into(), 5, "#[test] plain".into()),
                ("checkout.rs".into(), 10, "#[tokio::test] spawned".into()),
                ("common/deeper.rs".into(), 2, "#[test] deep".into()),
                ("common/mod.rs".into(), 3, "#[test] in_common".into()),
                ("shared/x.rs".into(), 2, "#[test] by_path".into()),
            ]
        );
    }

    #[test]
    fn a_bare_test_imported_from_testrail_is_ours() {
        let found = scan(&[(
            "checkout.rs",
            "use testrail::{case, test};\n#[test]\nfn ours() {}\n#[case(C1)]\nfn linked() {}\n",
        )]);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn only_harness_false_entries_count() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("Cargo.toml");
        std::fs::write(
            &manifest,
            "[package]\nname = \"a\"\n[[test]]\nname = \"one\"\nharness = false\n[[test]]\nname = \"two\"\n",
        )
        .unwrap();
        assert_eq!(
            without_harness(&manifest),
            BTreeSet::from(["one".to_owned()])
        );
    }
}
