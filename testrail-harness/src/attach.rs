//! Files on the running test's result: [`attach`] names a file, [`attach_bytes`] writes bytes
//! to a file under the session directory. Both record the file in the test's outcome; the
//! export uploads it to the result with `add_attachment_to_result` once the result exists.
//!
//! Inside a step linked to its own cases (`#[testrail::step(C40)]`) the file goes to those
//! cases' results; elsewhere to the test's. A file that cannot be attached (missing,
//! unreadable, not a file) is not recorded: a line names the test, the file and why, and
//! the test's result is reported as usual.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::context;
use crate::outcome::Attachment;

/// Where [`attach_bytes`] writes its files: set by the harness's `main` to a directory of
/// this process under the session directory.
static BYTES_DIR: OnceLock<PathBuf> = OnceLock::new();

/// Numbers the files [`attach_bytes`] writes, so that two with one name never collide.
static WRITTEN: AtomicU64 = AtomicU64::new(0);

/// Sets the directory [`attach_bytes`] writes to (the first call wins); the harness calls
/// it with `<session dir>/attachments/<binary>-<pid>`.
pub fn set_bytes_dir(dir: PathBuf) {
    let _ = BYTES_DIR.set(dir);
}

/// The directory [`attach_bytes`] writes to: the one the harness set, else one of this
/// process under the current session's directory.
pub(crate) fn bytes_dir() -> &'static Path {
    BYTES_DIR.get_or_init(|| {
        let session = testrail_formats::session::Session::current();
        testrail_formats::session::TestrailDir::locate(None)
            .session(&session.key)
            .join("attachments")
            .join(format!("process-{}", std::process::id()))
    })
}

/// Adds the file at `path` to the running test's TestRail result (inside a step with its
/// own cases: to those cases' results). The file is read when the result is exported, so
/// it must still be there then (not in a temporary directory the test removes); TestRail
/// takes files of up to 256 MB.
///
/// A path that does not exist, cannot be read or is not a file is not attached: a line on
/// stderr names the test, the file and why, and the test goes on. Outside a running test
/// a line says the call is ignored.
///
/// ```no_run
/// use testrail_harness::attach::attach; // `testrail::attach` for users
///
/// // in a test body:
/// std::fs::write("target/checkout.html", "<html>…</html>").unwrap();
/// attach("target/checkout.html");
/// ```
pub fn attach(path: impl AsRef<Path>) {
    let path = path.as_ref();
    let Some((recorder, open)) = context::current_with_steps() else {
        context::warn_outside_test("attach");
        return;
    };
    let test = context::lock(&recorder).test().to_owned();
    let found = std::fs::File::open(path).and_then(|file| file.metadata());
    let size = match found {
        Ok(meta) if meta.is_file() => Ok(meta.len()),
        Ok(_) => Err("it is not a file".to_owned()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            Err("it does not exist".to_owned())
        }
        Err(error) => Err(format!("it cannot be read: {error}")),
    };
    let size = match size {
        Ok(size) => size,
        Err(why) => {
            eprintln!(
                "testrail: {test}: {} is not attached: {why} (the test's result is reported without it)",
                path.display()
            );
            return;
        }
    };
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "attachment".to_owned());
    record(&recorder, &open, name, absolute, size);
}

/// Adds `bytes` as a file named `name` to the running test's TestRail result (inside a
/// step with its own cases: to those cases' results), for a screenshot or a log the test
/// holds in memory. The bytes are written to a file under the session directory
/// (`target/testrail/sessions/<session>/attachments/`), which the export uploads.
///
/// A file that cannot be written is not attached: a line on stderr names the test, the
/// file and why, and the test goes on.
///
/// ```no_run
/// use testrail_harness::attach::attach_bytes; // `testrail::attach_bytes` for users
///
/// // in a test body (sync or async):
/// attach_bytes("answer.json", br#"{"status":"ok"}"#);
/// ```
pub fn attach_bytes(name: &str, bytes: impl AsRef<[u8]>) {
    let Some((recorder, open)) = context::current_with_steps() else {
        context::warn_outside_test("attach_bytes");
        return;
    };
    let bytes = bytes.as_ref();
    let name = match name.trim() {
        "" => "attachment".to_owned(),
        name => name.to_owned(),
    };
    let number = WRITTEN.fetch_add(1, Ordering::Relaxed) + 1;
    let dir = bytes_dir();
    // The process ID too: isolated tests' child processes write into one directory.
    let path = dir.join(format!(
        "{}-{number}-{}",
        std::process::id(),
        safe_file_name(&name)
    ));
    let written = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, bytes));
    if let Err(error) = written {
        let test = context::lock(&recorder).test().to_owned();
        eprintln!(
            "testrail: {test}: {name} is not attached: writing it to {} failed: {error} (the test's result is reported without it)",
            path.display()
        );
        return;
    }
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    record(&recorder, &open, name, path, size);
}

fn record(
    recorder: &context::SharedRecorder,
    open: &[context::StepId],
    name: String,
    path: PathBuf,
    size: u64,
) {
    let mut recorder = context::lock(recorder);
    let case_ids = recorder.innermost_cases(open);
    recorder.attachments.push(Attachment {
        name,
        path: path.to_string_lossy().into_owned(),
        size,
        case_ids,
    });
}

/// The longest file name written, in characters (file systems take 255 bytes).
const MAX_FILE_NAME_CHARS: usize = 100;

/// `name` as a file name on any platform: path separators and characters Windows refuses
/// become `_`, and a long name is cut (its end, with the extension, kept); the name shown
/// in TestRail stays the one given.
fn safe_file_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let kept: String = match chars.len() > MAX_FILE_NAME_CHARS {
        true => chars[chars.len() - MAX_FILE_NAME_CHARS..].iter().collect(),
        false => name.to_owned(),
    };
    kept.chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_separators() {
        assert_eq!(safe_file_name("a/b\\c:d.png"), "a_b_c_d.png");
        assert_eq!(safe_file_name("log.txt"), "log.txt");
        let long = format!("{}.log", "é".repeat(300));
        let cut = safe_file_name(&long);
        assert_eq!(cut.chars().count(), MAX_FILE_NAME_CHARS);
        assert!(cut.ends_with("éé.log"), "{cut}");
    }
}
