//! The command line, declared with clap's derive API. Every command's `--help` ends with
//! examples; export settings are shared through [`ExportSettings`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::settings::ExportSettings;

/// Connect `cargo test` to TestRail: set a crate up, check the connection, pick cases, see the
/// sync state of case links, make the run of a build, upload spooled sessions, import JUnit XML.
#[derive(Debug, Parser)]
#[command(
    name = "cargo-testrail",
    bin_name = "cargo testrail",
    version,
    propagate_version = true,
    after_help = "Examples:
  cargo testrail init                  set a crate up: testrail.toml, test targets, CI workflow
  cargo testrail check                 verify URL, credentials, project and suites
  cargo testrail cases checkout        find cases by words of their title
  cargo testrail status                the sync state of every linked case
  cargo testrail upload                send the latest session's results
  cargo testrail import junit junit.xml

Settings come from testrail.toml, TESTRAIL_* environment variables and flags (flags win).
The API key only ever comes from TESTRAIL_API_KEY or the file named by api_key_file."
)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// When to use colours (`NO_COLOR` turns them off for `auto`).
    #[arg(long, value_enum, global = true, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
    /// Print machine-readable JSON on standard output instead of text.
    #[arg(long, global = true)]
    pub json: bool,
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Colours on a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always colours.
    Always,
    /// Never colours.
    Never,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Verify the TestRail URL, credentials, project and suites.
    #[command(after_help = "Examples:
  cargo testrail check
  cargo testrail check --url https://acme.testrail.io --user qa@acme.io --project Shop
  cargo testrail check --json

Exits with 0 when everything works, 2 with the first problem and what to do about it.")]
    Check(CheckArgs),
    /// Browse and search the cases of the configured suites (the case picker).
    #[command(after_help = "Examples:
  cargo testrail cases                    every configured suite as a tree
  cargo testrail cases C123               one case by ID
  cargo testrail cases empty cart         cases whose title has both words
  cargo testrail cases --suite Payments --section Refunds
  cargo testrail cases --refresh          fetch anew instead of using the cache

TestRail data is cached under target/testrail/cache/; the output says when it was fetched.")]
    Cases(CasesArgs),
    /// Show every linked case with its sync state, unmapped tests and shared cases.
    #[command(after_help = "Examples:
  cargo testrail status
  cargo testrail status -p shop
  cargo testrail status --json

Builds the test binaries (cargo test --no-run), asks each testrail harness for its registry,
and compares the linked cases with TestRail and testrail.lock:
  Synced        accepted, unchanged in TestRail
  Outdated      changed in TestRail since it was accepted
  Missing       deleted in TestRail (exit code 1)
  New           linked in code, not yet accepted
  Unconfigured  its suite is not configured")]
    Status(BuildArgs),
    /// Record the linked cases, as TestRail has them now, in testrail.lock.
    #[command(after_help = "Examples:
  cargo testrail accept
  cargo testrail accept -p shop

testrail.lock sits at the workspace root: commit it. `status` judges Outdated and New
against it.")]
    Accept(BuildArgs),
    /// Send spooled sessions to TestRail (resumes a partial upload; exactly once).
    #[command(after_help = "Examples:
  cargo testrail upload                                  the latest session
  cargo testrail upload target/testrail/sessions/ci-42   resume a failed export
  cargo testrail upload shard-*/testrail/sessions/*      several sessions into one run
  cargo testrail upload --run-id 42                      into an existing run
  cargo testrail upload --plan                           into a new plan
  cargo testrail upload --dry-run                        show the requests, send nothing

A result TestRail acknowledged is never sent again: run it as often as needed.")]
    Upload(UploadArgs),
    /// Import results from other tools.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Create the cases that unmapped tests of spooled sessions need.
    #[command(after_help = "Examples:
  cargo testrail create --create-section \"Web Shop/Automated\"
  cargo testrail create target/testrail/sessions/ci-42 --create-section Automated
  cargo testrail create --create-section Automated --write
  cargo testrail create --create-section Automated --steps --write --allow-dirty

Prints the new case IDs to write into the code; --write writes them (showing the diff first),
and touches no file with uncommitted changes unless --allow-dirty. Running it twice creates
nothing new (cases are matched by title in the section) and writes nothing new.")]
    Create(CreateCommandArgs),
    /// Update the linked cases in TestRail from the code: titles, steps, refs, custom fields.
    #[command(after_help = "Examples:
  cargo testrail push --dry-run          show each change as a diff, send nothing
  cargo testrail push                    update the cases, record them in testrail.lock
  cargo testrail push --only title,steps
  cargo testrail push --case-field custom_automation_id={path}

The title is `title = \"...\"` or the test's name; the steps are the #[testrail::step] names a
test went through when it last passed (run `cargo test` first), sent when the case's template
has separated steps; refs get the test's known_bug. Only changed fields are sent; cases are
never created (tests without a case are listed: `cargo testrail create` makes them).")]
    Push(PushArgs),
    /// Set a crate up: testrail.toml, the test targets, the dependency, a nextest profile
    /// and a CI workflow.
    #[command(after_help = "Examples:
  cargo testrail init --url https://acme.testrail.io --user qa@acme.io --project Shop
  cargo testrail init --project Shop --suite \"Web Shop\" --test checkout --nextest
  cargo testrail init --ci github          also write .github/workflows/testrail.yml

Asks for what the flags leave out when standard input is a terminal. The API key is never
written: set TESTRAIL_API_KEY. Running it again changes nothing; every file gets a line
saying what was done to it and why. An existing, different testrail.toml is kept unless
--force.")]
    Init(InitArgs),
    /// Make the run (or plan) of a build before its tests run, and close it afterwards.
    #[command(subcommand)]
    Run(RunCommand),
    /// Print shell completions.
    #[command(after_help = "Examples:
  cargo testrail completions bash > ~/.local/share/bash-completion/completions/cargo-testrail
  cargo testrail completions zsh > ~/.zfunc/_cargo-testrail
  cargo testrail completions fish > ~/.config/fish/completions/cargo-testrail.fish")]
    Completions(CompletionsArgs),
}

/// `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Export settings.
    #[command(flatten)]
    pub settings: ExportSettings,
}

/// `cases`.
#[derive(Debug, Args)]
pub struct CasesArgs {
    /// A case ID (`C123` or `123`) or words of a title.
    pub query: Vec<String>,
    /// Only this suite (name or ID).
    #[arg(long, value_name = "SUITE")]
    pub suite: Option<String>,
    /// Only this section (name or ID) and its sub-sections.
    #[arg(long, value_name = "SECTION")]
    pub section: Option<String>,
    /// Fetch the data from TestRail instead of the cache.
    #[arg(long)]
    pub refresh: bool,
    /// Export settings.
    #[command(flatten)]
    pub settings: ExportSettings,
}

/// `status` and `accept`: which test binaries to build.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Only these packages (default: the whole workspace).
    #[arg(short, long = "package", value_name = "SPEC")]
    pub packages: Vec<String>,
    /// Build with these features.
    #[arg(short = 'F', long, value_name = "FEATURES")]
    pub features: Vec<String>,
    /// The lock file (default: testrail.lock at the workspace root).
    #[arg(long, value_name = "PATH")]
    pub lock: Option<PathBuf>,
    /// Export settings.
    #[command(flatten)]
    pub settings: ExportSettings,
}

/// `push`.
#[derive(Debug, Args)]
pub struct PushArgs {
    /// Which test binaries, and the lock file.
    #[command(flatten)]
    pub build: BuildArgs,
    /// Push only these fields (default: all).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "FIELDS")]
    pub only: Vec<PushField>,
    /// A custom case field to keep set on every linked case, `custom_name=template`
    /// (`{title}`, `{name}`, `{path}` are replaced); adds to `[case_fields]` of testrail.toml.
    #[arg(long = "case-field", value_name = "FIELD=TEMPLATE")]
    pub case_fields: Vec<String>,
}

/// A field `push` keeps in step with the code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum PushField {
    /// The title (`title = "..."`, else the test's name).
    Title,
    /// `custom_steps_separated`, from the step plan.
    Steps,
    /// `refs`, from `known_bug`.
    Refs,
    /// The custom fields of `[case_fields]` and `--case-field`.
    Fields,
}

impl PushField {
    /// Every field.
    pub const ALL: [PushField; 4] = [
        PushField::Title,
        PushField::Steps,
        PushField::Refs,
        PushField::Fields,
    ];
}

/// `upload`.
#[derive(Debug, Args)]
pub struct UploadArgs {
    /// Session directories (or spool files in them); default: the latest session.
    #[arg(value_name = "SESSION_DIR")]
    pub dirs: Vec<PathBuf>,
    /// Leave runs and plans of these sessions that were closed or deleted in TestRail and
    /// send what they lack into a new one.
    #[arg(long)]
    pub new_run: bool,
    /// Case creation.
    #[command(flatten)]
    pub create: CreateArgs,
    /// Export settings.
    #[command(flatten)]
    pub settings: ExportSettings,
}

/// `import`.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Upload JUnit XML from any framework (cargo-nextest, pytest, Surefire, Jest).
    #[command(after_help = "Examples:
  cargo testrail import junit target/nextest/ci/junit.xml
  cargo testrail import junit reports/*.xml --run-id 42
  cargo testrail import junit junit.xml --create-missing --create-section \"Web Shop/Imported\"

Case IDs are C<digits> tokens anywhere in a test's name or classname, bounded by the ends
or by characters that are not letters or digits (C123 name, [C1, C2] name, test_C12_adds,
Cart C1 C2 - keeps, refund_C14(String)[2], cart::tests::c106_merges; not c3po, sha256, C0),
or what --case-id-pattern finds; from a test_id or testrail_case_id property; or from a
case whose title matches the test's name. Outcomes: passed → NoBug, passed after failed
attempts (flakyFailure, rerunFailure, listed again) → LikelyNoBug with every attempt,
failure or error → DefinitelyBug, skipped → not reported unless mapping.skipped is set (the
reason goes into the comment). A JUnit <error> is usually a test that crashed, so it is
reported as a failure rather than as run result Error (which is never reported). A file
that cannot be read is named and left out (exit code 2); --fail-on-unmatched exits with 1
when tests match no case. Importing the same files again sends nothing new.")]
    Junit(JunitArgs),
}

/// `import junit`.
#[derive(Debug, Args)]
pub struct JunitArgs {
    /// JUnit XML files, or directories whose `*.xml` files are read (a file given twice is read once).
    #[arg(required = true, value_name = "FILES")]
    pub files: Vec<PathBuf>,
    /// Do not match tests to cases by title (only IDs in names and properties).
    #[arg(long)]
    pub no_title_match: bool,
    /// Case creation.
    #[command(flatten)]
    pub create: CreateArgs,
    /// Export settings.
    #[command(flatten)]
    pub settings: ExportSettings,
}

/// Case creation options (`--create-missing`).
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Case creation")]
pub struct CreateArgs {
    /// Create cases for tests that match none, in --create-section.
    #[arg(long, env = "TESTRAIL_CREATE_MISSING", value_parser = clap::builder::BoolishValueParser::new(), default_value_t = false, num_args = 0, default_missing_value = "true")]
    pub create_missing: bool,
    /// Never create cases (wins over --create-missing and TESTRAIL_CREATE_MISSING).
    #[arg(long)]
    pub no_create: bool,
    /// Where new cases go: `Suite/Section/Sub-section` (the suite may be left out when one
    /// suite is configured); missing sections are created.
    #[arg(long, env = "TESTRAIL_CREATE_SECTION", value_name = "PATH")]
    pub create_section: Option<String>,
    /// A field of new cases, `custom_name=template`; `{title}`, `{name}` and `{path}` are
    /// replaced by the test's title, name and full path.
    #[arg(long = "case-field", value_name = "FIELD=TEMPLATE")]
    pub case_fields: Vec<String>,
}

/// `create`.
#[derive(Debug, Args)]
pub struct CreateCommandArgs {
    /// Session directories whose unmapped tests need cases; default: the latest session.
    #[arg(value_name = "SESSION_DIR")]
    pub dirs: Vec<PathBuf>,
    /// Where new cases go: `Suite/Section/Sub-section`.
    #[arg(long, env = "TESTRAIL_CREATE_SECTION", value_name = "PATH")]
    pub create_section: Option<String>,
    /// A field of new cases, `custom_name=template` (see `upload --help`).
    #[arg(long = "case-field", value_name = "FIELD=TEMPLATE")]
    pub case_fields: Vec<String>,
    /// Also create a case for each step function without one, titled by the step's name.
    #[arg(long)]
    pub steps: bool,
    /// Write the case IDs into the code: `#[testrail::test]` becomes
    /// `#[testrail::case(C123)]` (and `#[testrail::step]` `#[testrail::step(C124)]`), after
    /// showing the diff.
    #[arg(long)]
    pub write: bool,
    /// With --write: also edit files with uncommitted changes, or outside a git repository.
    #[arg(long, requires = "write")]
    pub allow_dirty: bool,
    /// Export settings.
    #[command(flatten)]
    pub settings: ExportSettings,
}

/// `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The address you open TestRail at (written as `url`).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// The email address you log in to TestRail with (written as `user`).
    #[arg(long, value_name = "EMAIL")]
    pub user: Option<String>,
    /// The project, by name or ID (written as `project`).
    #[arg(long, value_name = "PROJECT")]
    pub project: Option<String>,
    /// A suite whose cases are reported, by name or ID (repeat for several; written as
    /// `suites`).
    #[arg(long = "suite", value_name = "SUITE")]
    pub suites: Vec<String>,
    /// A test target to run with the testrail harness: `tests/<NAME>.rs` (repeat for
    /// several; default: the files of tests/ that call `testrail::main!()`).
    #[arg(long = "test", value_name = "NAME")]
    pub tests: Vec<String>,
    /// Write a cargo-nextest profile with JUnit output (also done when
    /// .config/nextest.toml exists).
    #[arg(long)]
    pub nextest: bool,
    /// Write the CI workflow instead of printing it.
    #[arg(long, value_enum, value_name = "CI")]
    pub ci: Option<CiKind>,
    /// Replace an existing testrail.toml that differs.
    #[arg(long)]
    pub force: bool,
}

/// `init --ci`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CiKind {
    /// GitHub Actions: `.github/workflows/testrail.yml`.
    Github,
}

/// `run`.
#[derive(Debug, Subcommand)]
pub enum RunCommand {
    /// Make the run (or plan) of a build, or find the one made for it earlier, and print
    /// its ID.
    #[command(after_help = "Examples:
  cargo testrail run create --build gh-$GITHUB_RUN_ID
  cargo testrail run create --build gh-$GITHUB_RUN_ID --format github-output >> $GITHUB_OUTPUT
  cargo testrail run create --build nightly-42 --json

Then every job reports into it: TESTRAIL_RUN_ID=<ID> cargo test (or cargo testrail upload).
One configured suite gets a run; several suites, or plan = true, a plan with an entry per
suite (report into it with TESTRAIL_PLAN_ID). The build's key is written into the run's
description: running it again for the same build prints the same run.")]
    Create(RunCreateArgs),
    /// Close a run or plan (TestRail then takes no more results there).
    #[command(after_help = "Examples:
  cargo testrail run close 12               run R12
  cargo testrail run close --plan-id 7      plan 7 and its runs
  TESTRAIL_RUN_ID=12 cargo testrail run close

Closing a run or plan that is already closed says so and exits with 0.")]
    Close(RunCloseArgs),
}

/// How `run create` prints the ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum IdFormat {
    /// A sentence for people.
    Text,
    /// `KEY=VALUE` lines (`TESTRAIL_RUN_ID=12`), for `>> $GITHUB_OUTPUT` or `export`.
    GithubOutput,
}

/// `run create`.
#[derive(Debug, Args)]
pub struct RunCreateArgs {
    /// The build: a key every job of one build shares (e.g. `gh-$GITHUB_RUN_ID`); the same
    /// key finds the same run.
    #[arg(long, env = "TESTRAIL_SESSION", value_name = "KEY")]
    pub build: String,
    /// How to print the ID (`--json` prints JSON).
    #[arg(long, value_enum, default_value_t = IdFormat::Text, value_name = "FORMAT")]
    pub format: IdFormat,
    /// Export settings.
    #[command(flatten)]
    pub settings: ExportSettings,
}

/// `run close`.
#[derive(Debug, Args)]
pub struct RunCloseArgs {
    /// The run (`R12` or `12`); default: `--run-id` / TESTRAIL_RUN_ID, or the plan of
    /// `--plan-id` / TESTRAIL_PLAN_ID.
    #[arg(value_name = "RUN_ID")]
    pub run: Option<String>,
    /// Export settings.
    #[command(flatten)]
    pub settings: ExportSettings,
}

/// `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_command_has_examples() {
        let command = Cli::command();
        for sub in command.get_subcommands() {
            let subs: Vec<_> = if sub.has_subcommands() {
                sub.get_subcommands().collect()
            } else {
                vec![sub]
            };
            for sub in subs {
                let help = sub
                    .get_after_help()
                    .map(|h| h.to_string())
                    .unwrap_or_default();
                assert!(
                    help.contains("Examples:"),
                    "{} has no examples",
                    sub.get_name()
                );
            }
        }
    }
}
