//! Files on results: a test and its step attach a file and bytes; one attaches a file that
//! does not exist; a test without a case ID attaches bytes. `SCENARIO_FILES` names the
//! directory the files are written to (else one in the temporary directory).

use std::path::PathBuf;

use testrail::{case, step};

fn files() -> PathBuf {
    let dir = std::env::var_os("SCENARIO_FILES")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("testrail-scenario-attachments"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A file and bytes on C11's result; the step's bytes on C12's result.
#[case(C11)]
fn checkout_with_receipt() {
    let page = files().join("page.html");
    std::fs::write(&page, "<html>checkout</html>").unwrap();
    testrail::attach(&page);
    testrail::attach_bytes("console.log", b"GET /cart 200\n");
    print_receipt();
}

#[step(C12)]
fn print_receipt() {
    testrail::attach_bytes("receipt.txt", b"total: 42.00 EUR");
}

/// An async test: bytes, a file of 4096 bytes, and a file that does not exist (a line
/// says so; the result is still reported).
#[case(C13)]
async fn async_upload() {
    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    testrail::attach_bytes("trace.json", br#"{"spans":3}"#);
    let big = files().join("big.bin");
    std::fs::write(&big, vec![7u8; 4096]).unwrap();
    testrail::attach(&big);
    testrail::attach(files().join("missing.png"));
}

/// No case ID: its file has no result to go to (a line says so).
#[testrail::test]
fn unmapped_with_a_file() {
    testrail::attach_bytes("orphan.txt", b"no case");
}

testrail::main!();
