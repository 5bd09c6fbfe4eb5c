//! Output: colours that honour `--color` and `NO_COLOR` (through anstream, which strips
//! styles when they are off or the stream is not a terminal), the sync-state palette of
//! seed 000, JSON on standard output, and errors on standard error.

use std::io::Write as _;

use anstyle::{AnsiColor, Color, Style};
use serde::Serialize;

use crate::cli::ColorWhen;
use crate::error::CliError;

/// Applies `--color` to every stream.
pub fn init_color(when: ColorWhen) {
    let choice = match when {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
}

/// Whether styles reach standard error (for the progress bar's own colours).
pub fn stderr_colored() -> bool {
    !matches!(
        anstream::AutoStream::choice(&std::io::stderr()),
        anstream::ColorChoice::Never
    )
}

const fn fg(color: Color) -> Style {
    Style::new().fg_color(Some(color))
}

/// Green: Synced, success.
pub const GREEN: Style = fg(Color::Ansi(AnsiColor::Green));
/// Orange (256-colour 208): Outdated, warnings.
pub const ORANGE: Style = fg(Color::Ansi256(anstyle::Ansi256Color(208)));
/// Red: Missing, errors.
pub const RED: Style = fg(Color::Ansi(AnsiColor::Red));
/// Blue: New.
pub const BLUE: Style = fg(Color::Ansi(AnsiColor::Blue));
/// Gray: Unconfigured, secondary text.
pub const GRAY: Style = fg(Color::Ansi(AnsiColor::BrightBlack));
/// Bold: headings.
pub const BOLD: Style = Style::new().bold();

/// `text` in `style` (the escape codes are stripped later when colours are off).
pub fn paint(style: Style, text: impl std::fmt::Display) -> String {
    format!("{style}{text}{style:#}")
}

/// Prints a line on standard output.
pub fn line(text: impl std::fmt::Display) {
    let mut out = anstream::stdout().lock();
    let _ = writeln!(out, "{text}");
}

/// Prints a note on standard error.
pub fn note(text: impl std::fmt::Display) {
    let mut err = anstream::stderr().lock();
    let _ = writeln!(err, "{text}");
}

/// Prints a warning on standard error.
pub fn warn(text: impl std::fmt::Display) {
    note(format!("{}: {text}", paint(ORANGE.bold(), "warning")));
}

/// Prints a value as pretty JSON on standard output.
pub fn json<T: Serialize>(value: &T) {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|error| {
        serde_json::json!({ "error": format!("cannot serialise the output: {error}") }).to_string()
    });
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
}

/// Prints an error on standard error.
pub fn print_error(error: &CliError) {
    note(format!("{}: {error}", paint(RED.bold(), "error")));
}

/// A UNIX time as `YYYY-MM-DD HH:MM UTC`.
pub fn utc(secs: u64) -> String {
    let (date, time) = testrail_export::utc_date_time(secs);
    format!("{date} {time} UTC")
}
