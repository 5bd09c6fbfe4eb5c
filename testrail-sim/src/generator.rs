//! Large fixtures for benchmarks: tens of thousands of cases in a shop-shaped project.
//!
//! `testrail-sim generate --cases 50000 > big.json`, or [`generate`] from Rust. The output
//! is deterministic. Project 1 "Shop" (multi-suite) holds cases 1..N spread over the
//! suites, in nested sections; users and credentials are those of the demo fixture.

use serde_json::json;

use crate::fixture::{
    Fixture, FixtureCase, FixtureConfig, FixtureConfigGroup, FixtureField, FixtureProject,
    FixtureSection, FixtureStatus, FixtureSuite,
};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenOptions {
    /// Number of cases (ids 1..=cases).
    pub cases: u64,
    /// Number of suites the cases are spread over (at least 1).
    pub suites: u64,
    /// Cases per leaf section.
    pub cases_per_section: u64,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            cases: 50_000,
            suites: 1,
            cases_per_section: 100,
        }
    }
}

const AREAS: &[&str] = &[
    "Cart", "Checkout", "Payments", "Accounts", "Search", "Catalog", "Shipping", "Returns",
];
const FEATURES: &[&str] = &[
    "guest",
    "member",
    "coupon",
    "gift card",
    "wishlist",
    "address",
    "invoice",
    "refund",
    "currency",
    "tax",
];
const VERBS: &[&str] = &[
    "adds",
    "removes",
    "updates",
    "validates",
    "rejects",
    "lists",
    "restores",
    "totals",
];

/// Generates a fixture.
pub fn generate(opts: &GenOptions) -> Fixture {
    let demo = Fixture::demo();
    let suites = opts.suites.max(1);
    let per_section = opts.cases_per_section.max(1);
    let per_suite = opts.cases.div_ceil(suites);
    let mut next_case = 1u64;
    let mut suite_list = Vec::new();
    for s in 0..suites {
        let last = (next_case + per_suite).min(opts.cases + 1);
        let mut areas: Vec<FixtureSection> = Vec::new();
        let mut leaf = 0u64;
        while next_case < last {
            let end = (next_case + per_section).min(last);
            let area = AREAS[(leaf as usize) % AREAS.len()];
            let feature = FEATURES[(leaf as usize / AREAS.len()) % FEATURES.len()];
            let cases = (next_case..end)
                .map(|id| {
                    let verb = VERBS[(id as usize) % VERBS.len()];
                    let mut custom = std::collections::BTreeMap::new();
                    let slug = format!("{}.{}", area.to_lowercase(), feature.replace(' ', "_"));
                    custom.insert(
                        "custom_automation_id".to_string(),
                        json!(format!("shop.{slug}.case_{id}")),
                    );
                    FixtureCase {
                        title: format!("{area}: {feature} {verb} item #{id}"),
                        id: Some(id),
                        custom,
                        ..FixtureCase::default()
                    }
                })
                .collect();
            let section = FixtureSection {
                name: format!(
                    "{feature} {}",
                    leaf / (AREAS.len() * FEATURES.len()) as u64 + 1
                ),
                cases,
                ..FixtureSection::default()
            };
            match areas.iter_mut().find(|a| a.name == area) {
                Some(a) => a.sections.push(section),
                None => areas.push(FixtureSection {
                    name: area.to_string(),
                    sections: vec![section],
                    ..Default::default()
                }),
            }
            next_case = end;
            leaf += 1;
        }
        suite_list.push(FixtureSuite {
            id: Some(s + 1),
            name: if s == 0 {
                "Web Shop".to_string()
            } else {
                format!("Web Shop {}", s + 1)
            },
            description: None,
            sections: areas,
        });
    }
    Fixture {
        now: Some(1_700_000_000),
        users: demo.users,
        statuses: vec![FixtureStatus {
            id: Some(6),
            label: "Flaky".into(),
            is_final: false,
            color: Some(0xe0a030),
        }],
        case_fields: vec![FixtureField {
            name: "automation_id".into(),
            label: Some("Automation ID".into()),
            type_id: 1,
            ..FixtureField::default()
        }],
        result_fields: demo.result_fields,
        projects: vec![FixtureProject {
            id: Some(1),
            name: "Shop".into(),
            suite_mode: 3,
            configs: vec![FixtureConfigGroup {
                id: None,
                name: "Browsers".into(),
                configs: ["Chrome", "Firefox", "Safari"]
                    .map(|n| FixtureConfig::Name(n.into()))
                    .to_vec(),
            }],
            suites: suite_list,
            ..FixtureProject::default()
        }],
        ..Fixture::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_the_asked_number_of_cases() {
        let f = generate(&GenOptions {
            cases: 1234,
            suites: 3,
            cases_per_section: 50,
        });
        let st = f.build().unwrap();
        assert_eq!(st.cases.len(), 1234);
        assert_eq!(st.cases.keys().next_back(), Some(&1234));
        assert_eq!(st.suites.len(), 3);
        assert_eq!(st.cases[&1].suite_id, 1);
    }
}
