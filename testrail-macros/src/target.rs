//! Which harness runs the crate being compiled: libtest's, or `testrail::main!()`.
//!
//! `cfg(test)` does not tell: Cargo sets it for every test target, and passes `--test`
//! (which makes rustc keep `#[test]` functions and generate libtest's `main`) only to
//! those with libtest's harness. A target with `harness = false` gets `--cfg test` alone.
//! So the package's `Cargo.toml` is read, as Cargo sees it at build time
//! (`CARGO_MANIFEST_DIR`): the crate is a `harness = false` target when it is an
//! integration test or bench (`CARGO_TARGET_TMPDIR` is set for those only) whose
//! `[[test]]` or `[[bench]]` entry, named like the crate (`CARGO_CRATE_NAME`, with `-` as
//! `_`), says `harness = false`.

use std::path::Path;

use proc_macro2::TokenStream;
use quote::quote;

/// See [`crate::harness_main`].
pub(crate) fn harness_main(main: TokenStream) -> TokenStream {
    if is_harness_false() {
        return main;
    }
    let name = std::env::var("CARGO_CRATE_NAME").unwrap_or_default();
    let manifest = std::env::var("CARGO_MANIFEST_DIR")
        .map(|dir| Path::new(&dir).join("Cargo.toml").display().to_string())
        .unwrap_or_else(|_| "Cargo.toml".to_owned());
    let message = format!(
        "`testrail::main!()` needs `harness = false`: without it, Cargo builds this file with libtest's harness, which runs none of its tests and reports `running 0 tests ... ok`. Add to {manifest}:\n\n[[test]]\nname = \"{name}\"\nharness = false\n\n(the name is the file's name without `.rs`; a `#[testrail::case]` test in a file without `testrail::main!()` runs under libtest's harness as it is)"
    );
    quote! {
        #[cfg(not(test))]
        #main

        #[cfg(test)]
        ::core::compile_error!(#message);
    }
}

/// Whether the crate being compiled is a `harness = false` test or bench target. A
/// manifest that cannot be read counts as no: then `testrail::main!()` in such a target is
/// a compile error that names the entry, never a silent `running 0 tests`.
pub(crate) fn is_harness_false() -> bool {
    if std::env::var_os("CARGO_TARGET_TMPDIR").is_none() {
        return false;
    }
    let (Some(dir), Ok(crate_name)) = (
        std::env::var_os("CARGO_MANIFEST_DIR"),
        std::env::var("CARGO_CRATE_NAME"),
    ) else {
        return false;
    };
    std::fs::read_to_string(Path::new(&dir).join("Cargo.toml"))
        .is_ok_and(|manifest| declares_harness_false(&manifest, &crate_name))
}

/// Whether `manifest` has a `[[test]]` or `[[bench]]` entry for crate `crate_name` with
/// `harness = false`.
fn declares_harness_false(manifest: &str, crate_name: &str) -> bool {
    let Ok(manifest) = manifest.parse::<toml_edit::DocumentMut>() else {
        return false;
    };
    let is_it = |name: Option<&str>, harness: Option<bool>| {
        name.is_some_and(|name| name.replace('-', "_") == crate_name) && harness == Some(false)
    };
    ["test", "bench"]
        .into_iter()
        .filter_map(|kind| manifest.get(kind))
        .any(|entries| {
            // `[[test]]` tables, or `test = [{ ... }]` written inline.
            let mut tables = entries.as_array_of_tables().into_iter().flatten();
            let inline = entries.as_array().into_iter().flatten();
            tables.any(|entry| {
                is_it(
                    entry.get("name").and_then(|name| name.as_str()),
                    entry.get("harness").and_then(|harness| harness.as_bool()),
                )
            }) || inline
                .filter_map(|entry| entry.as_inline_table())
                .any(|entry| {
                    is_it(
                        entry.get("name").and_then(|name| name.as_str()),
                        entry.get("harness").and_then(|harness| harness.as_bool()),
                    )
                })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_entry_named_like_the_crate() {
        let manifest = r#"
[package]
name = "shop"

[[test]]
name = "check-out"
harness = false

[[test]]
name = "cart"

[[bench]]
name = "speed"
harness = false
"#;
        assert!(declares_harness_false(manifest, "check_out"));
        assert!(declares_harness_false(manifest, "speed"));
        assert!(
            !declares_harness_false(manifest, "cart"),
            "libtest's harness"
        );
        assert!(!declares_harness_false(manifest, "shop"), "no entry");
        assert!(!declares_harness_false("not toml [", "cart"));
        let inline = "test = [{ name = \"a\", harness = false }, { name = \"b\" }]";
        assert!(declares_harness_false(inline, "a"));
        assert!(!declares_harness_false(inline, "b"));
    }
}
