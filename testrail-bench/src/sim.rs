//! Simulators seeded with generated fixtures, the environment that points an export at
//! one, and what it stored.

use std::collections::BTreeMap;

use testrail_sim::{FaultRule, Fixture, GenOptions, SimConfig, Simulator, generate};

/// A generated fixture: project 1 "Shop" with one suite (1, "Web Shop") of cases 1..=cases.
pub fn fixture(cases: u64) -> Fixture {
    generate(&GenOptions {
        cases,
        suites: 1,
        cases_per_section: 100,
    })
}

/// A fresh simulator on its own thread, with fault rules active from the start.
pub fn spawn(fixture: Fixture, faults: Vec<FaultRule>) -> Simulator {
    let mut config = SimConfig::new(fixture);
    config.faults = faults;
    Simulator::spawn_with(config).expect("the simulator starts")
}

/// The environment of an export into `sim` as its default user, project "Shop", session
/// `session`.
pub fn export_env(sim: &Simulator, session: &str) -> Vec<(String, String)> {
    vec![
        ("TESTRAIL_URL".into(), sim.base_url().to_owned()),
        ("TESTRAIL_USER".into(), sim.email().to_owned()),
        ("TESTRAIL_API_KEY".into(), sim.api_key().to_owned()),
        ("TESTRAIL_PROJECT".into(), "Shop".into()),
        ("TESTRAIL_SESSION".into(), session.to_owned()),
    ]
}

/// What the simulator holds after an upload.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stored {
    /// Runs that exist.
    pub runs: usize,
    /// Results per case, over every run.
    pub per_case: BTreeMap<u64, usize>,
}

impl Stored {
    /// Reads the simulator's state.
    pub fn of(sim: &Simulator) -> Stored {
        sim.with_state(|state| {
            let mut per_case = BTreeMap::new();
            for result in state.results.values() {
                *per_case.entry(result.case_id).or_insert(0) += 1;
            }
            Stored {
                runs: state.runs.len(),
                per_case,
            }
        })
    }

    /// Cases with at least one result.
    pub fn cases(&self) -> usize {
        self.per_case.len()
    }

    /// Results stored more than once (extra copies counted).
    pub fn duplicates(&self) -> usize {
        self.per_case.values().map(|n| n.saturating_sub(1)).sum()
    }

    /// Of `expected` cases, how many have no result.
    pub fn missing(&self, expected: &[u64]) -> usize {
        expected
            .iter()
            .filter(|case| !self.per_case.contains_key(case))
            .count()
    }

    /// Whether each of `expected` has exactly one result and nothing else has any.
    pub fn exactly_once(&self, expected: &[u64]) -> bool {
        self.per_case.len() == expected.len()
            && expected
                .iter()
                .all(|case| self.per_case.get(case) == Some(&1))
    }
}
