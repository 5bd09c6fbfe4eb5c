//! `cargo testrail create --write`: the new case IDs written into the sources. A
//! `#[testrail::test(...)]` becomes `#[testrail::case(C123, ...)]` and a `#[testrail::step]`
//! becomes `#[testrail::step(C124)]`, at the file and line the spool recorded (the line of
//! the function's name), keeping the attribute's path prefix (a renamed dependency), its
//! options and the file's formatting: only the attribute's tokens are edited, found by
//! parsing the file (`syn`, with `proc-macro2` span locations), never by a regex over it.
//!
//! A file with uncommitted changes (`git status --porcelain`) is not touched unless
//! `--allow-dirty`; each file's diff is shown before it is written (atomically, through a
//! temporary file in the same directory). A function that already names its case is left
//! alone, so running it again changes nothing. Every case that cannot be written back gets
//! a line saying why, with its ID to paste by hand.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use proc_macro2::{LineColumn, TokenStream, TokenTree};
use syn::spanned::Spanned as _;
use syn::visit::Visit;

use crate::output::{self, BOLD, GRAY, GREEN, RED};

/// What a case was created for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A test (`#[testrail::test]` → `#[testrail::case(C..)]`).
    Test,
    /// A step function (`#[testrail::step]` → `#[testrail::step(C..)]`).
    Step,
}

/// A case to write into the code.
#[derive(Clone, Debug)]
pub struct Target {
    /// Test or step.
    pub kind: Kind,
    /// The case ID (without the `C`).
    pub case_id: u64,
    /// The test's path (`checkout::pays`) or the step's name.
    pub what: String,
    /// The source file as recorded (`file!()`, relative to the package's workspace).
    pub file: String,
    /// The line of the function's name.
    pub line: u32,
    /// The package directory of the test binary (the spool's `manifest_dir`).
    pub manifest_dir: PathBuf,
}

impl Target {
    /// The function's name: the last part of a test's path, or the step's name.
    fn name(&self) -> &str {
        self.what.rsplit("::").next().unwrap_or(&self.what)
    }

    fn describe(&self) -> String {
        match self.kind {
            Kind::Test => format!("test {}", self.what),
            Kind::Step => format!("step {}", self.what),
        }
    }
}

/// Whether `--write` may touch files with uncommitted changes.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// `--allow-dirty`.
    pub allow_dirty: bool,
}

/// What happened to the targets.
#[derive(Debug, Default)]
pub struct Summary {
    /// Cases written into the code.
    pub written: usize,
    /// Functions that already named their case.
    pub unchanged: usize,
    /// Cases that could not be written back (each got a line).
    pub failed: usize,
}

/// An edit of a file's text: replace `start..end` with `text`.
struct Edit {
    start: usize,
    end: usize,
    text: String,
    /// A line to show once the file is written.
    note: Option<String>,
}

/// Writes the case IDs into the sources, printing each file's diff, a line per case that
/// could not be written back, and a closing line.
pub fn write(targets: &[Target], options: Options) -> Summary {
    let mut summary = Summary::default();
    let mut by_file: BTreeMap<PathBuf, Vec<&Target>> = BTreeMap::new();
    for target in targets {
        match resolve(target) {
            Some(path) => by_file.entry(path).or_default().push(target),
            None => fail(
                &mut summary,
                target,
                &format!(
                    "{} is not found (moved or renamed since the tests ran?)",
                    target.file
                ),
            ),
        }
    }
    for (path, targets) in by_file {
        write_file(&path, &targets, options, &mut summary);
    }
    let not_written = match summary.failed {
        0 => String::new(),
        n => format!("; {n} not written (see above)"),
    };
    if summary.written == 0 {
        output::line(format!(
            "{} nothing written: {} already name their case in the code{not_written}",
            output::paint(GRAY, "unchanged"),
            summary.unchanged
        ));
    } else {
        output::line(format!(
            "wrote {} case ID(s) into the code; {} already there{not_written}",
            summary.written, summary.unchanged
        ));
    }
    summary
}

/// One file: locate every target's attribute, check the file is clean, show the diff and
/// write it.
fn write_file(path: &Path, targets: &[&Target], options: Options, summary: &mut Summary) {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => {
            for target in targets {
                fail(
                    summary,
                    target,
                    &format!("{} cannot be read: {error}", path.display()),
                );
            }
            return;
        }
    };
    let ast = match syn::parse_file(&text) {
        Ok(ast) => ast,
        Err(error) => {
            for target in targets {
                fail(
                    summary,
                    target,
                    &format!(
                        "{} does not parse as Rust ({error} at {}:{})",
                        path.display(),
                        error.span().start().line,
                        error.span().start().column + 1
                    ),
                );
            }
            return;
        }
    };
    let lines = LineIndex::new(&text);
    let mut edits: Vec<(Edit, &Target)> = Vec::new();
    for target in targets {
        match locate(&ast, &lines, target) {
            Ok(Some(mut found)) => edits.extend(found.drain(..).map(|edit| (edit, *target))),
            Ok(None) => summary.unchanged += 1,
            Err(reason) => fail(
                summary,
                target,
                &format!("{}:{}: {reason}", target.file, target.line),
            ),
        }
    }
    if edits.is_empty() {
        return;
    }
    let mut written: Vec<&Target> = Vec::new();
    for (_, target) in &edits {
        if !written.iter().any(|t| std::ptr::eq(*t, *target)) {
            written.push(target);
        }
    }
    if !options.allow_dirty
        && let Some(reason) = dirty(path)
    {
        for target in written {
            fail(summary, target, &reason);
        }
        return;
    }
    edits.sort_by_key(|(edit, _)| std::cmp::Reverse(edit.start));
    let mut new = text.clone();
    for (edit, _) in &edits {
        new.replace_range(edit.start..edit.end, &edit.text);
    }
    let shown = written.first().map_or_else(String::new, |t| t.file.clone());
    let diff = similar::TextDiff::from_lines(&text, &new);
    output::line(
        diff.unified_diff()
            .context_radius(2)
            .header(&format!("a/{shown}"), &format!("b/{shown}"))
            .to_string()
            .trim_end(),
    );
    if let Err(error) = persist(path, &new) {
        for target in written {
            fail(
                summary,
                target,
                &format!("{} cannot be written: {error}", path.display()),
            );
        }
        return;
    }
    let mut notes: Vec<&str> = edits
        .iter()
        .filter_map(|(e, _)| e.note.as_deref())
        .collect();
    notes.sort_unstable();
    notes.dedup();
    for note in notes {
        output::note(note);
    }
    for target in written {
        summary.written += 1;
        output::line(format!(
            "{} {} into {}:{} ({})",
            output::paint(GREEN, "wrote"),
            output::paint(BOLD, format!("C{}", target.case_id)),
            target.file,
            target.line,
            target.describe()
        ));
    }
}

/// A case that cannot be written back: a line with what, why and the ID to paste.
fn fail(summary: &mut Summary, target: &Target, reason: &str) {
    summary.failed += 1;
    let attribute = match target.kind {
        Kind::Test => format!("#[testrail::case(C{})]", target.case_id),
        Kind::Step => format!("#[testrail::step(C{})]", target.case_id),
    };
    output::warn(format!(
        "{} C{} for {}: {reason}; the case exists in TestRail: write {attribute} by hand",
        output::paint(RED, "not written"),
        target.case_id,
        target.describe()
    ));
}

/// The file on disk: the recorded path as is when absolute, else relative to the package
/// directory or one of its parents (`file!()` is relative to the workspace root), else to
/// the current directory.
fn resolve(target: &Target) -> Option<PathBuf> {
    let file = Path::new(&target.file);
    if file.is_absolute() {
        return file.is_file().then(|| file.to_owned());
    }
    target
        .manifest_dir
        .ancestors()
        .map(|dir| dir.join(file))
        .chain(std::iter::once(file.to_owned()))
        .find(|path| path.is_file())
}

/// Why the file may not be touched, if it may not: uncommitted changes, or no git to ask.
fn dirty(path: &Path) -> Option<String> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or(path.as_os_str());
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["status", "--porcelain", "--"])
        .arg(name)
        .output();
    match output {
        Ok(output) if output.status.success() => {
            let changes = String::from_utf8_lossy(&output.stdout);
            (!changes.trim().is_empty()).then(|| {
                format!(
                    "{} has uncommitted changes ({}): commit or stash them first, or pass --allow-dirty",
                    path.display(),
                    changes.trim()
                )
            })
        }
        Ok(output) => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            Some(if stderr.contains("not a git repository") {
                format!(
                    "{} is not in a git repository, so its changes cannot be checked: pass --allow-dirty to write it anyway",
                    path.display()
                )
            } else {
                format!(
                    "`git status` failed for {}: {}; pass --allow-dirty to write it anyway",
                    path.display(),
                    stderr.trim()
                )
            })
        }
        Err(error) => Some(format!(
            "`git` could not be run ({error}) to check {} for uncommitted changes: pass --allow-dirty to write it anyway",
            path.display()
        )),
    }
}

/// Writes `text` to `path` through a temporary file in the same directory.
fn persist(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(text.as_bytes())?;
    file.as_file().sync_all()?;
    if let Ok(metadata) = std::fs::metadata(path) {
        file.as_file().set_permissions(metadata.permissions())?;
    }
    file.persist(path).map_err(|error| error.error)?;
    Ok(())
}

/// The edits that link the target's function to its case; `None` when it already names the
/// case; an error saying why it cannot be done.
fn locate(
    ast: &syn::File,
    lines: &LineIndex,
    target: &Target,
) -> Result<Option<Vec<Edit>>, String> {
    let line = target.line as usize;
    let Some(function) = find_fn(ast, line) else {
        if in_macro(&ast.items, line) {
            return Err(
                "the function is generated by a macro (the line is inside a macro call), so its attribute is not in this file's text".to_owned(),
            );
        }
        return Err(format!(
            "the line holds no function {} (the file changed since the tests ran: run them again, then `create --write`)",
            target.name()
        ));
    };
    if function.ident != target.name() && !names_step(&function, target) {
        return Err(format!(
            "the line holds fn {}, not {} (the file changed since the tests ran: run them again, then `create --write`)",
            function.ident,
            target.name()
        ));
    }
    let wanted: &[&str] = match target.kind {
        Kind::Test => &["test", "case"],
        Kind::Step => &["step"],
    };
    let Some((attr, last)) = function.attrs.iter().find_map(|attr| {
        let last = attr.path().segments.last()?;
        wanted
            .contains(&last.ident.to_string().as_str())
            .then_some((attr, last))
    }) else {
        return Err(format!(
            "fn {} has no #[testrail::{}] attribute",
            function.ident, wanted[0]
        ));
    };
    let (tokens, open) = match &attr.meta {
        syn::Meta::Path(_) => (TokenStream::new(), None),
        syn::Meta::List(list) => (list.tokens.clone(), Some(list.delimiter.span().open())),
        syn::Meta::NameValue(_) => {
            return Err(format!(
                "the attribute of fn {} is not written as #[path] or #[path(...)]",
                function.ident
            ));
        }
    };
    let ids = case_ids(&tokens);
    if ids.contains(&target.case_id) {
        return Ok(None);
    }
    if !ids.is_empty() {
        let named: Vec<String> = ids.iter().map(|id| format!("C{id}")).collect();
        return Err(format!(
            "fn {} already names {} in the code",
            function.ident,
            named.join(", ")
        ));
    }
    let mut edits = Vec::new();
    if target.kind == Kind::Test && last.ident == "test" {
        let path = &attr.path().segments;
        let case = if path.len() == 1 && attr.path().leading_colon.is_none() {
            let prefix = imported_from(&ast.items, &last.ident.to_string()).ok_or_else(|| {
                format!(
                    "fn {} uses a bare #[{}] whose import is not found in this file (a glob import?)",
                    function.ident, last.ident
                )
            })?;
            if imported_from(&ast.items, "case").as_ref() == Some(&prefix) {
                ("case".to_owned(), None)
            } else {
                (
                    format!("{prefix}::case"),
                    Some(format!(
                        "{}: `use {prefix}::{};` may be unused now: remove it if the compiler says so",
                        target.file, last.ident
                    )),
                )
            }
        } else {
            ("case".to_owned(), None)
        };
        let span = last.ident.span();
        edits.push(Edit {
            start: lines.offset(span.start()),
            end: lines.offset(span.end()),
            text: case.0,
            note: case.1,
        });
    }
    let id = format!("C{}", target.case_id);
    match open {
        None => edits.push(Edit {
            start: lines.offset(attr.path().span().end()),
            end: lines.offset(attr.path().span().end()),
            text: format!("({id})"),
            note: None,
        }),
        Some(open) => match tokens.clone().into_iter().next() {
            None => edits.push(Edit {
                start: lines.offset(open.end()),
                end: lines.offset(open.end()),
                text: id,
                note: None,
            }),
            Some(first) => {
                let at = first.span().start();
                let text = if at.line == open.end().line {
                    format!("{id}, ")
                } else {
                    format!("{id},\n{}", " ".repeat(at.column))
                };
                edits.push(Edit {
                    start: lines.offset(at),
                    end: lines.offset(at),
                    text,
                    note: None,
                });
            }
        },
    }
    Ok(Some(edits))
}

/// The attributes and name of a function.
struct Function<'a> {
    attrs: &'a [syn::Attribute],
    ident: &'a syn::Ident,
}

/// The function whose name is on `line`: free, in a module, in an `impl` or `trait` block,
/// or nested in another function's body or a `const` block.
fn find_fn(ast: &syn::File, line: usize) -> Option<Function<'_>> {
    struct Finder<'a> {
        line: usize,
        found: Option<Function<'a>>,
    }
    impl<'a> Finder<'a> {
        fn check(&mut self, attrs: &'a [syn::Attribute], ident: &'a syn::Ident) {
            if self.found.is_none() && ident.span().start().line == self.line {
                self.found = Some(Function { attrs, ident });
            }
        }
    }
    impl<'a> Visit<'a> for Finder<'a> {
        fn visit_item_fn(&mut self, f: &'a syn::ItemFn) {
            self.check(&f.attrs, &f.sig.ident);
            syn::visit::visit_item_fn(self, f);
        }
        fn visit_impl_item_fn(&mut self, f: &'a syn::ImplItemFn) {
            self.check(&f.attrs, &f.sig.ident);
            syn::visit::visit_impl_item_fn(self, f);
        }
        fn visit_trait_item_fn(&mut self, f: &'a syn::TraitItemFn) {
            self.check(&f.attrs, &f.sig.ident);
            syn::visit::visit_trait_item_fn(self, f);
        }
    }
    let mut finder = Finder { line, found: None };
    finder.visit_file(ast);
    finder.found
}

/// Whether `function` is the step `target` names by its `name = "..."` option (the spool
/// records a step's name, which that option sets).
fn names_step(function: &Function<'_>, target: &Target) -> bool {
    use syn::punctuated::Punctuated;
    target.kind == Kind::Step
        && function.attrs.iter().any(|attr| {
            let syn::Meta::List(list) = &attr.meta else {
                return false;
            };
            if attr
                .path()
                .segments
                .last()
                .is_none_or(|last| last.ident != "step")
            {
                return false;
            }
            let Ok(options) =
                list.parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
            else {
                return false;
            };
            options.iter().any(|option| match option {
                syn::Meta::NameValue(pair) if pair.path.is_ident("name") => matches!(
                    &pair.value,
                    syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(name), .. })
                        if name.value() == target.what
                ),
                _ => false,
            })
        })
}

/// Whether `line` is inside a macro call at item level.
fn in_macro(items: &[syn::Item], line: usize) -> bool {
    items.iter().any(|item| match item {
        syn::Item::Macro(m) => (m.span().start().line..=m.span().end().line).contains(&line),
        syn::Item::Mod(m) => m
            .content
            .as_ref()
            .is_some_and(|(_, items)| in_macro(items, line)),
        _ => false,
    })
}

/// The path a bare attribute name is imported from (`use testrail::test;` → `testrail`).
fn imported_from(items: &[syn::Item], name: &str) -> Option<String> {
    fn walk(tree: &syn::UseTree, prefix: &mut Vec<String>, name: &str) -> Option<String> {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                let found = walk(&path.tree, prefix, name);
                prefix.pop();
                found
            }
            syn::UseTree::Name(leaf) if leaf.ident == name && !prefix.is_empty() => {
                Some(prefix.join("::"))
            }
            syn::UseTree::Rename(rename) if rename.rename == name && !prefix.is_empty() => {
                // `use testrail::test as tr_test;` is not `testrail::case`-shaped: only a
                // plain rename of `test` keeps the path.
                (rename.ident == "test").then(|| prefix.join("::"))
            }
            syn::UseTree::Group(group) => group.items.iter().find_map(|t| walk(t, prefix, name)),
            _ => None,
        }
    }
    items.iter().find_map(|item| match item {
        syn::Item::Use(u) => walk(&u.tree, &mut Vec::new(), name).map(|prefix| {
            if u.leading_colon.is_some() {
                format!("::{prefix}")
            } else {
                prefix
            }
        }),
        syn::Item::Mod(m) => m
            .content
            .as_ref()
            .and_then(|(_, items)| imported_from(items, name)),
        _ => None,
    })
}

/// The case IDs at the start of an attribute's arguments: `C123` or `123`, up to the first
/// option.
fn case_ids(tokens: &TokenStream) -> Vec<u64> {
    let mut ids = Vec::new();
    let mut group: Vec<TokenTree> = Vec::new();
    let mut flush = |group: &mut Vec<TokenTree>| -> bool {
        let id = match group.as_slice() {
            [TokenTree::Ident(ident)] => ident
                .to_string()
                .strip_prefix(['C', 'c'])
                .and_then(|n| n.parse().ok()),
            [TokenTree::Literal(literal)] => literal.to_string().parse().ok(),
            _ => None,
        };
        group.clear();
        match id {
            Some(id) => {
                ids.push(id);
                true
            }
            None => false,
        }
    };
    for token in tokens.clone() {
        match &token {
            TokenTree::Punct(p) if p.as_char() == ',' => {
                if !flush(&mut group) {
                    return ids;
                }
            }
            _ => group.push(token),
        }
    }
    if !group.is_empty() {
        flush(&mut group);
    }
    ids
}

/// Byte offsets of a text's lines, to turn span locations into byte offsets.
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    /// The byte offset of a location (1-based line, 0-based column in characters).
    fn offset(&self, at: LineColumn) -> usize {
        let start = self
            .starts
            .get(at.line.saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len());
        let rest = &self.text[start..];
        start
            + rest
                .char_indices()
                .nth(at.column)
                .map_or(rest.len(), |(i, _)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(source: &str, kind: Kind, what: &str, line: u32) -> Result<String, String> {
        let ast = syn::parse_file(source).map_err(|e| e.to_string())?;
        let lines = LineIndex::new(source);
        let target = Target {
            kind,
            case_id: 7,
            what: what.to_owned(),
            file: "t.rs".to_owned(),
            line,
            manifest_dir: PathBuf::new(),
        };
        let Some(mut edits) = locate(&ast, &lines, &target)? else {
            return Ok(source.to_owned());
        };
        edits.sort_by_key(|e| std::cmp::Reverse(e.start));
        let mut text = source.to_owned();
        for e in edits {
            text.replace_range(e.start..e.end, &e.text);
        }
        Ok(text)
    }

    #[test]
    fn attributes_keep_their_prefix_and_options() {
        let source = "use testrail::test;\n\n#[testrail::test]\nfn a() {}\n#[my_tr::test(timeout = \"5s\")]\nfn b() {}\n#[test]\nfn c() {}\n#[testrail::step]\nfn d() {}\n#[testrail::step(\n    name = \"log in\",\n)]\nfn é() {}\n#[testrail::case(C7)]\nfn f() {}\n";
        let out = edit(source, Kind::Test, "m::a", 4).unwrap();
        assert!(out.contains("#[testrail::case(C7)]\nfn a"), "{out}");
        let out = edit(source, Kind::Test, "b", 6).unwrap();
        assert!(
            out.contains("#[my_tr::case(C7, timeout = \"5s\")]\nfn b"),
            "{out}"
        );
        let out = edit(source, Kind::Test, "c", 8).unwrap();
        assert!(out.contains("#[testrail::case(C7)]\nfn c"), "{out}");
        let out = edit(source, Kind::Step, "d", 10).unwrap();
        assert!(out.contains("#[testrail::step(C7)]\nfn d"), "{out}");
        let out = edit(source, Kind::Step, "é", 14).unwrap();
        assert!(
            out.contains("#[testrail::step(\n    C7,\n    name = \"log in\",\n)]"),
            "{out}"
        );
        assert_eq!(edit(source, Kind::Test, "f", 16).unwrap(), source);
        assert!(
            edit(source, Kind::Test, "a", 5)
                .unwrap_err()
                .contains("no function")
        );
        assert!(
            edit(source, Kind::Test, "z", 4)
                .unwrap_err()
                .contains("not z")
        );
    }

    #[test]
    fn a_bare_attribute_becomes_the_imported_case() {
        let source = "use ::testrail::{case, test};\n#[test]\nfn a() {}\n";
        let out = edit(source, Kind::Test, "a", 3).unwrap();
        assert!(out.contains("#[case(C7)]\nfn a"), "{out}");
        let source = "use testrail::test as tr;\n#[tr]\nfn a() {}\n";
        assert!(
            edit(source, Kind::Test, "a", 3).is_err(),
            "tr is not `test`"
        );
    }

    #[test]
    fn macro_generated_and_other_cases_are_refused() {
        let source = "make_tests! {\n    fn a() {}\n}\n#[testrail::case(C9)]\nfn b() {}\n";
        assert!(
            edit(source, Kind::Test, "a", 2)
                .unwrap_err()
                .contains("macro")
        );
        assert!(edit(source, Kind::Test, "b", 5).unwrap_err().contains("C9"));
    }

    #[test]
    fn a_step_is_found_by_its_name_option_and_nested_functions_are_found() {
        let source = "#[testrail::step(name = \"check sum\")]\nfn check_sum() {}\n";
        let out = edit(source, Kind::Step, "check sum", 2).unwrap();
        assert!(
            out.contains("#[testrail::step(C7, name = \"check sum\")]"),
            "{out}"
        );
        assert!(edit(source, Kind::Step, "other name", 2).is_err());

        let source = "#[testrail::test]\nfn outer() {\n    #[testrail::step]\n    fn inner() {}\n}\nconst _: () = {\n    #[testrail::step]\n    fn in_const() {}\n};\n";
        let out = edit(source, Kind::Step, "inner", 4).unwrap();
        assert!(
            out.contains("    #[testrail::step(C7)]\n    fn inner"),
            "{out}"
        );
        let out = edit(source, Kind::Step, "in_const", 8).unwrap();
        assert!(
            out.contains("    #[testrail::step(C7)]\n    fn in_const"),
            "{out}"
        );
    }
}
