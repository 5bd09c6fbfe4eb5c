//! Running a child process and reading what it cost: wall time, peak resident memory
//! (`getrusage` of that child, through `wait4`), CPU time.

use std::io;
use std::os::unix::process::CommandExt as _;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// What one process cost.
#[derive(Clone, Copy, Debug, Default)]
pub struct Measured {
    /// Wall time from spawning to reaping.
    pub wall: Duration,
    /// Peak resident set size, in KiB.
    pub max_rss_kib: u64,
    /// User CPU time.
    pub user: Duration,
    /// System CPU time.
    pub sys: Duration,
    /// Exit code; `-signal` when it was killed by a signal.
    pub code: i32,
    /// Whether the watchdog killed it.
    pub timed_out: bool,
}

impl Measured {
    /// Peak memory in MiB.
    pub fn rss_mib(&self) -> f64 {
        self.max_rss_kib as f64 / 1024.0
    }
}

fn timeval(tv: libc::timeval) -> Duration {
    Duration::from_secs(tv.tv_sec.max(0) as u64) + Duration::from_micros(tv.tv_usec.max(0) as u64)
}

/// Runs `command` to its end and measures it, through a small wrapper process (this
/// binary's `__measure` mode): on Linux a child's `ru_maxrss` includes the memory of the
/// process it was spawned from (the high-water mark of the address space it replaced at
/// `exec`), so spawning from the bench process, which holds the simulator's state, would
/// charge that state to the child. The wrapper is a few MiB and spawns the command itself.
///
/// The command's program, arguments, working directory and explicitly set or removed
/// environment variables are used (not `env_clear`); stdin is /dev/null, stdout and stderr
/// are given here. After `timeout` the wrapper's process group is killed.
pub fn run(
    command: &Command,
    stdout: Stdio,
    stderr: Stdio,
    timeout: Option<Duration>,
) -> io::Result<Measured> {
    let result_file = tempfile::NamedTempFile::new()?;
    let mut wrapper = Command::new(std::env::current_exe()?);
    wrapper
        .arg("__measure")
        .arg(result_file.path())
        .arg(command.get_program())
        .args(command.get_args())
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .process_group(0);
    if let Some(dir) = command.get_current_dir() {
        wrapper.current_dir(dir);
    }
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => wrapper.env(key, value),
            None => wrapper.env_remove(key),
        };
    }
    let started = Instant::now();
    let mut child = wrapper.spawn()?;
    let pid = child.id() as libc::pid_t;
    let done = Arc::new(AtomicBool::new(false));
    let killed = Arc::new(AtomicBool::new(false));
    if let Some(timeout) = timeout {
        let (done, killed) = (done.clone(), killed.clone());
        std::thread::spawn(move || {
            let deadline = Instant::now() + timeout;
            while Instant::now() < deadline {
                if done.load(Ordering::SeqCst) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            if !done.load(Ordering::SeqCst) {
                killed.store(true, Ordering::SeqCst);
                // SAFETY: plain syscall on the process group of our own child.
                unsafe {
                    libc::kill(-pid, libc::SIGKILL);
                }
            }
        });
    }
    let status = child.wait()?;
    done.store(true, Ordering::SeqCst);
    let wall = started.elapsed();
    let text = std::fs::read_to_string(result_file.path()).unwrap_or_default();
    let mut measured = parse(&text).unwrap_or(Measured {
        wall,
        code: status.code().unwrap_or(-1),
        ..Measured::default()
    });
    measured.timed_out = killed.load(Ordering::SeqCst);
    if measured.timed_out {
        measured.wall = wall;
    }
    Ok(measured)
}

fn parse(text: &str) -> Option<Measured> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let micros = |key: &str| Duration::from_micros(value[key].as_u64().unwrap_or(0));
    Some(Measured {
        wall: micros("wall_us"),
        max_rss_kib: value["max_rss_kib"].as_u64()?,
        user: micros("user_us"),
        sys: micros("sys_us"),
        code: i32::try_from(value["code"].as_i64()?).ok()?,
        timed_out: false,
    })
}

/// The wrapper's side (`testrail-bench __measure RESULT_FILE PROGRAM ARGS...`): runs the
/// program with the inherited stdio and environment, waits for it with `wait4`, writes
/// its wall time, peak memory and CPU times as JSON to RESULT_FILE, and exits with its
/// exit code.
pub fn wrapper_main(args: &[String]) -> std::process::ExitCode {
    let (Some(result_file), Some(program)) = (args.first(), args.get(1)) else {
        eprintln!("usage: testrail-bench __measure RESULT_FILE PROGRAM [ARGS...]");
        return std::process::ExitCode::from(2);
    };
    let started = Instant::now();
    let child = match Command::new(program).args(&args[2..]).spawn() {
        Ok(child) => child,
        Err(error) => {
            eprintln!("cannot run {program}: {error}");
            return std::process::ExitCode::from(127);
        }
    };
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain old data, filled in by the kernel.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: waiting for our own child; the pointers are valid for the call.
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if reaped == pid {
            break;
        }
        if io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            return std::process::ExitCode::from(126);
        }
    }
    let wall = started.elapsed();
    // The child is reaped; `Child` neither waits nor kills on drop.
    drop(child);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else if libc::WIFSIGNALED(status) {
        -libc::WTERMSIG(status)
    } else {
        -1
    };
    let json = serde_json::json!({
        "wall_us": wall.as_micros() as u64,
        "max_rss_kib": usage.ru_maxrss.max(0) as u64,
        "user_us": timeval(usage.ru_utime).as_micros() as u64,
        "sys_us": timeval(usage.ru_stime).as_micros() as u64,
        "code": code,
    });
    let _ = std::fs::write(result_file, json.to_string());
    std::process::ExitCode::from(u8::try_from(code.clamp(0, 255)).unwrap_or(1))
}

/// The median of some durations (the lower middle one for an even count).
pub fn median(values: &[Duration]) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    sorted
        .get((sorted.len().max(1) - 1) / 2)
        .copied()
        .unwrap_or_default()
}

/// The median of some numbers (the lower middle one for an even count).
pub fn median_u64(values: &[u64]) -> u64 {
    let mut sorted = values.to_vec();
    sorted.sort();
    sorted
        .get((sorted.len().max(1) - 1) / 2)
        .copied()
        .unwrap_or_default()
}

/// Peak resident memory of this process so far, in KiB.
pub fn self_max_rss_kib() -> u64 {
    // SAFETY: `rusage` is plain old data, filled in by the kernel.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointer for the call.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    usage.ru_maxrss.max(0) as u64
}
