//! Running a child process and reading what it cost: wall time, peak resident memory
//! (`getrusage` of that child, through `wait4`), CPU time.

use std::io;
use std::process::Command;
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

/// Runs `command` to its end (its stdio as the caller set it up) and measures it. After
/// `timeout` the process is killed (and `timed_out` set).
pub fn run(command: &mut Command, timeout: Option<Duration>) -> io::Result<Measured> {
    let started = Instant::now();
    let child = command.spawn()?;
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
                // SAFETY: plain syscall on the pid of a child not yet reaped.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                }
            }
        });
    }
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain old data, filled in by the kernel.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: waiting for our own child; the pointers are valid for the call.
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if reaped == pid {
            break;
        }
        let error = io::Error::last_os_error();
        if error.kind() != io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
    done.store(true, Ordering::SeqCst);
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
    Ok(Measured {
        wall,
        max_rss_kib: usage.ru_maxrss.max(0) as u64,
        user: timeval(usage.ru_utime),
        sys: timeval(usage.ru_stime),
        code,
        timed_out: killed.load(Ordering::SeqCst),
    })
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
