//! Starting and stopping the simulator: the listener, one task per connection (so a
//! fault can close a connection without answering), and the [`Simulator`] handle.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener as StdListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tower::ServiceExt;

use crate::app::{Credentials, Shared, load_state};
use crate::control;
use crate::faults::{ActiveFault, FaultRule};
use crate::fixture::{Fixture, FixtureError};
use crate::monitor::{Counters, LogEntry};
use crate::pages::{ClientAddr, WebLogin};
use crate::pipeline::{ConnCtl, entry};
use crate::state::State;

/// How to start a simulator.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// The seed fixture.
    pub fixture: Fixture,
    /// Address to listen on (default 127.0.0.1).
    pub host: IpAddr,
    /// Port (0 picks a free one).
    pub port: u16,
    /// Persist the state to this file (loaded at start when it exists, written shortly
    /// after every change and at shutdown).
    pub persist: Option<PathBuf>,
    /// Fault rules active from the start, after the fixture's own.
    pub faults: Vec<FaultRule>,
    /// Request log entries kept (oldest dropped first).
    pub log_capacity: usize,
    /// Largest request body read; larger ones get 413 (default 300 MB).
    pub max_body_bytes: usize,
    /// Who must log in to see the web pages (default: only clients that are not on the
    /// loopback interface).
    pub web_login: WebLogin,
}

impl SimConfig {
    /// Defaults around a fixture: 127.0.0.1, a free port, no persistence, no extra faults.
    pub fn new(fixture: Fixture) -> Self {
        SimConfig {
            fixture,
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            persist: None,
            faults: Vec::new(),
            log_capacity: 200_000,
            max_body_bytes: 300 * 1024 * 1024,
            web_login: WebLogin::default(),
        }
    }
}

impl From<Fixture> for SimConfig {
    fn from(f: Fixture) -> Self {
        SimConfig::new(f)
    }
}

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// Binding or another I/O step failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// The fixture is invalid.
    #[error(transparent)]
    Fixture(#[from] FixtureError),
}

/// A running simulator. Dropping it shuts the server down.
pub struct Simulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    user: Credentials,
    shutdown: watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn prepare(config: SimConfig) -> Result<(StdListener, Arc<Shared>), SimError> {
    let seed = config.fixture.build()?;
    let state = match &config.persist {
        Some(p) if p.exists() => load_state(p)?,
        _ => seed.clone(),
    };
    let listener = StdListener::bind(SocketAddr::new(config.host, config.port))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let host = if addr.ip().is_unspecified() {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        addr.ip()
    };
    let base_url = format!("http://{}/", SocketAddr::new(host, addr.port()));
    let mut faults = config.fixture.faults.clone();
    faults.extend(config.faults);
    let shared = Shared::new(
        state,
        seed,
        faults,
        base_url,
        config.persist,
        config.log_capacity,
        config.max_body_bytes,
    )
    .with_web_login(config.web_login);
    Ok((listener, Arc::new(shared)))
}

impl Simulator {
    /// Starts on the caller's tokio runtime (127.0.0.1, a free port) and returns once it
    /// listens. The server runs as tasks of that runtime until the handle is dropped.
    pub async fn start(fixture: Fixture) -> Result<Simulator, SimError> {
        Simulator::start_with(SimConfig::new(fixture)).await
    }

    /// [`Simulator::start`] with a full configuration.
    pub async fn start_with(config: SimConfig) -> Result<Simulator, SimError> {
        let (listener, shared) = prepare(config)?;
        let listener = TcpListener::from_std(listener)?;
        let (tx, rx) = watch::channel(false);
        let sim = Simulator::handle(shared.clone(), listener.local_addr()?, tx, None);
        tokio::spawn(serve(listener, shared, rx));
        Ok(sim)
    }

    /// Starts on a background thread with its own runtime, for plain `#[test]`s and for
    /// running other processes against it. Shuts down (and joins the thread) on drop.
    pub fn spawn(fixture: Fixture) -> Result<Simulator, SimError> {
        Simulator::spawn_with(SimConfig::new(fixture))
    }

    /// [`Simulator::spawn`] with a full configuration.
    pub fn spawn_with(config: SimConfig) -> Result<Simulator, SimError> {
        let (listener, shared) = prepare(config)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("testrail-sim")
            .enable_all()
            .build()?;
        let (tx, rx) = watch::channel(false);
        let serve_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name("testrail-sim".into())
            .spawn(move || {
                runtime.block_on(async move {
                    match TcpListener::from_std(listener) {
                        Ok(l) => serve(l, serve_shared, rx).await,
                        Err(e) => eprintln!("testrail-sim: cannot listen: {e}"),
                    }
                });
                runtime.shutdown_timeout(Duration::from_millis(100));
            })?;
        Ok(Simulator::handle(shared, addr, tx, Some(thread)))
    }

    fn handle(
        shared: Arc<Shared>,
        addr: SocketAddr,
        shutdown: watch::Sender<bool>,
        thread: Option<std::thread::JoinHandle<()>>,
    ) -> Simulator {
        let user = shared.default_user();
        Simulator {
            shared,
            addr,
            user,
            shutdown,
            thread,
        }
    }

    /// The server root to give clients, e.g. `http://127.0.0.1:PORT/`.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// The API URL of a method route, e.g. `api_url("get_case/1")` is
    /// `http://127.0.0.1:PORT/index.php?/api/v2/get_case/1`.
    pub fn api_url(&self, route: &str) -> String {
        format!("{}index.php?/api/v2/{route}", self.shared.base_url)
    }

    /// The web page at a TestRail route, e.g. `page_url("runs/view/3")` is
    /// `http://127.0.0.1:PORT/index.php?/runs/view/3` (see [`crate::pages`]).
    pub fn page_url(&self, route: &str) -> String {
        format!("{}index.php?/{route}", self.shared.base_url)
    }

    /// The control API root, `http://127.0.0.1:PORT/__sim/`.
    pub fn control_url(&self) -> String {
        format!("{}__sim/", self.shared.base_url)
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The default user (the first administrator of the fixture).
    pub fn user(&self) -> &Credentials {
        &self.user
    }

    /// The default user's login email.
    pub fn email(&self) -> &str {
        &self.user.email
    }

    /// The default user's API key.
    pub fn api_key(&self) -> &str {
        &self.user.api_key
    }

    /// The default user's password.
    pub fn password(&self) -> &str {
        &self.user.password
    }

    /// Credentials of every user in the state.
    pub fn users(&self) -> Vec<Credentials> {
        self.shared
            .state()
            .users
            .iter()
            .map(Credentials::of)
            .collect()
    }

    /// A snapshot (clone) of the whole state.
    pub fn state(&self) -> State {
        self.shared.state().clone()
    }

    /// Reads the state without cloning it.
    pub fn with_state<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        f(&self.shared.state())
    }

    /// Changes the state directly (test setup).
    pub fn with_state_mut<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let r = f(&mut self.shared.state());
        self.shared.touch();
        r
    }

    /// Replaces every fault rule; returns their ids.
    pub fn set_faults(&self, rules: impl IntoIterator<Item = FaultRule>) -> Vec<u64> {
        let mut f = self.shared.faults();
        f.clear();
        rules.into_iter().map(|r| f.add(r)).collect()
    }

    /// Adds a fault rule after the existing ones; returns its id.
    pub fn add_fault(&self, rule: FaultRule) -> u64 {
        self.shared.faults().add(rule)
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.shared.faults().clear();
    }

    /// The active fault rules with their counters.
    pub fn faults(&self) -> Vec<ActiveFault> {
        self.shared.faults().list()
    }

    /// The request log, in order of arrival.
    pub fn log(&self) -> Vec<LogEntry> {
        let mut log = self.shared.monitor().log();
        log.sort_by_key(|e| e.seq);
        log
    }

    /// The counters.
    pub fn counters(&self) -> Counters {
        self.shared.monitor().counters()
    }

    /// Clears the log and the counters.
    pub fn clear_log(&self) {
        self.shared.monitor().clear();
    }

    /// Back to the seed: state, faults, log and counters.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// The simulated time (UNIX seconds).
    pub fn now(&self) -> i64 {
        self.shared.state().now()
    }

    /// Moves the simulated clock by `secs`.
    pub fn advance_clock(&self, secs: i64) {
        self.with_state_mut(|s| s.clock.advance(secs));
    }

    /// Sets the simulated clock.
    pub fn set_clock(&self, t: i64) {
        self.with_state_mut(|s| s.clock.set(t));
    }

    /// Freezes (or unfreezes) the simulated clock.
    pub fn freeze_clock(&self, frozen: bool) {
        self.with_state_mut(|s| s.clock.freeze(frozen));
    }

    /// Bumps a case's `updated_on` past both now and its current value (or to `to`);
    /// returns the new value, `None` for an unknown case.
    pub fn touch_case(&self, case_id: u64, to: Option<i64>) -> Option<i64> {
        self.with_state_mut(|s| control::touch(s, case_id, to))
    }

    /// Writes the persistence file now (when one is configured).
    pub fn persist(&self) -> std::io::Result<bool> {
        self.shared.save(true)
    }

    /// Stops the server now (dropping the handle does the same).
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.stop();
    }
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("base_url", &self.base_url())
            .field("user", &self.user.email)
            .finish()
    }
}

/// Builds the router: the control API, and everything else through the pipeline.
pub fn router(shared: Arc<Shared>) -> Router {
    control::routes().fallback(entry).with_state(shared)
}

/// Accepts connections until shutdown; each connection is served by its own task, which
/// a fault can end (closing the socket without an answer).
async fn serve(listener: TcpListener, shared: Arc<Shared>, mut shutdown: watch::Receiver<bool>) {
    let app = router(shared.clone());
    let saver = shared.persist_path().is_some().then(|| {
        let shared = shared.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(250)).await;
                if let Err(e) = shared.save(false) {
                    eprintln!("testrail-sim: cannot persist state: {e}");
                }
            }
        })
    });
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    tokio::spawn(connection(stream, app.clone(), shutdown.clone()));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            _ = shutdown.changed() => break,
        }
    }
    if let Some(s) = saver {
        s.abort();
    }
    if let Err(e) = shared.save(false) {
        eprintln!("testrail-sim: cannot persist state: {e}");
    }
}

async fn connection(
    stream: tokio::net::TcpStream,
    app: Router,
    mut shutdown: watch::Receiver<bool>,
) {
    let kill = Arc::new(Notify::new());
    let ctl = ConnCtl(kill.clone());
    let client = stream.peer_addr().ok().map(ClientAddr);
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ctl.clone());
        if let Some(c) = client {
            req.extensions_mut().insert(c);
        }
        app.clone().oneshot(req)
    });
    let conn =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = conn => {}
        _ = kill.notified() => {}
        _ = shutdown.changed() => {}
    }
}
