//! What a test process hands from its runtime to what runs after its tests (the export, or
//! the word on how to send later): where its own lines go, and libtest's exit.

use std::process::ExitCode;

/// Where the harness's own lines go: stderr when libtest's JSON events or `--list` own
/// stdout; and whether `-q`/`--quiet` asked for failures and warnings only.
#[derive(Clone, Copy, Debug)]
pub struct Output {
    /// Print to stderr instead of stdout.
    pub to_stderr: bool,
    /// `-q`/`--quiet`: [`Output::note`] prints nothing.
    pub quiet: bool,
}

impl Output {
    /// Prints `text` (which ends in a newline) where the harness's lines go, also under
    /// `--quiet`: for warnings and what to do next.
    pub fn print(self, text: &str) {
        if self.to_stderr {
            eprint!("{text}");
        } else {
            print!("{text}");
        }
    }

    /// Prints `text` like [`Output::print`], except under `--quiet`: for summaries.
    pub fn note(self, text: &str) {
        if !self.quiet {
            self.print(text);
        }
    }
}

/// The tests' exit, which what runs after them keeps unless something asked for failed.
#[derive(Clone, Copy, Debug)]
pub struct Exit {
    /// libtest's exit code.
    pub tests: ExitCode,
    /// Whether a test failed.
    pub tests_failed: bool,
}

impl Exit {
    /// Something asked for failed: non-zero, keeping libtest's code when tests failed too.
    pub fn failed(self) -> ExitCode {
        if self.tests_failed {
            self.tests
        } else {
            ExitCode::FAILURE
        }
    }
}
