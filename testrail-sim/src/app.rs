//! The simulator's shared core: state, seed, faults, monitor and persistence, behind
//! locks that are never held across an `.await`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::faults::{FaultRule, Faults};
use crate::model::{Role, User};
use crate::monitor::Monitor;
use crate::pages::{Web, WebLogin};
use crate::state::State;

/// Credentials of a user, as printed at start and returned by [`crate::Simulator::user`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// Login email.
    pub email: String,
    /// Password.
    pub password: String,
    /// API key (the password when the user has no key).
    pub api_key: String,
    /// Role.
    pub role: Role,
}

impl Credentials {
    /// The credentials of a stored user.
    pub fn of(u: &User) -> Self {
        Credentials {
            email: u.email.clone(),
            password: u.password.clone(),
            api_key: u
                .api_keys
                .first()
                .cloned()
                .unwrap_or_else(|| u.password.clone()),
            role: u.role,
        }
    }
}

/// Everything the request handlers and the control API share.
pub struct Shared {
    state: Mutex<State>,
    seed: State,
    seed_faults: Vec<FaultRule>,
    faults: Mutex<Faults>,
    monitor: Mutex<Monitor>,
    /// The server root, e.g. `http://127.0.0.1:8080/`.
    pub base_url: String,
    persist: Option<PathBuf>,
    dirty: AtomicBool,
    /// Largest request body read (larger bodies get 413).
    pub max_body: usize,
    /// The web pages' login policy and sessions.
    pub web: Web,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    /// A core starting from `state` (which may come from a persisted file), resetting to
    /// `seed`.
    pub fn new(
        state: State,
        seed: State,
        seed_faults: Vec<FaultRule>,
        base_url: String,
        persist: Option<PathBuf>,
        log_capacity: usize,
        max_body: usize,
    ) -> Self {
        let mut faults = Faults::default();
        for r in &seed_faults {
            faults.add(r.clone());
        }
        Shared {
            state: Mutex::new(state),
            seed,
            seed_faults,
            faults: Mutex::new(faults),
            monitor: Mutex::new(Monitor::new(log_capacity)),
            base_url,
            persist,
            dirty: AtomicBool::new(false),
            max_body,
            web: Web::default(),
        }
    }

    /// The same core with the web pages' login policy set.
    pub fn with_web_login(mut self, login: WebLogin) -> Self {
        self.web = Web::new(login);
        self
    }

    /// The state, locked.
    pub fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// The fault rules, locked.
    pub fn faults(&self) -> MutexGuard<'_, Faults> {
        lock(&self.faults)
    }

    /// The log and counters, locked.
    pub fn monitor(&self) -> MutexGuard<'_, Monitor> {
        lock(&self.monitor)
    }

    /// Notes that the state changed (for persistence).
    pub fn touch(&self) {
        self.dirty.store(true, Ordering::Release);
    }

    /// Back to the seed: state, fault rules, log and counters.
    pub fn reset(&self) {
        *self.state() = self.seed.clone();
        let mut faults = self.faults();
        faults.clear();
        for r in &self.seed_faults {
            faults.add(r.clone());
        }
        drop(faults);
        self.monitor().clear();
        self.touch();
    }

    /// The default user: the first administrator, else the first lead, else the first user.
    pub fn default_user(&self) -> Credentials {
        let st = self.state();
        let pick = [Role::Admin, Role::Lead]
            .iter()
            .find_map(|r| st.users.iter().find(|u| u.role == *r && u.is_active))
            .or(st.users.first());
        pick.map(Credentials::of).unwrap_or(Credentials {
            email: String::new(),
            password: String::new(),
            api_key: String::new(),
            role: Role::ReadOnly,
        })
    }

    /// The persistence file, if any.
    pub fn persist_path(&self) -> Option<&Path> {
        self.persist.as_deref()
    }

    /// Writes the state to the persistence file when it changed since the last save
    /// (`force` writes anyway). Writes it whole to a temporary file and renames that into place.
    pub fn save(&self, force: bool) -> std::io::Result<bool> {
        let Some(path) = &self.persist else {
            return Ok(false);
        };
        if !self.dirty.swap(false, Ordering::AcqRel) && !force {
            return Ok(false);
        }
        let text = serde_json::to_vec(&*self.state()).map_err(std::io::Error::other)?;
        testrail_formats::spool::write_atomically(path, &text).map_err(std::io::Error::other)?;
        Ok(true)
    }
}

/// Loads a persisted state file.
pub fn load_state(path: &Path) -> std::io::Result<State> {
    let text = std::fs::read(path)?;
    let mut st: State = serde_json::from_slice(&text).map_err(std::io::Error::other)?;
    st.sync_last_ids();
    Ok(st)
}
