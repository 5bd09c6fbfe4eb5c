//! The registry as JSON (`--testrail-registry`): every test and step of this binary with its
//! case IDs, file and line, in the [`testrail_formats::registry`] format. Nothing runs.

use testrail_formats::registry::{self, Registry, RegistryStep, RegistryTest};

use crate::registry::{ShouldPanic, TestBody, steps, tests};

/// The registry of the running binary.
pub fn current(package: &str, binary: &str) -> Registry {
    Registry {
        format: registry::FORMAT.to_owned(),
        version: registry::VERSION,
        package: package.to_owned(),
        binary: binary.to_owned(),
        tests: tests()
            .into_iter()
            .map(|test| RegistryTest {
                path: test.path(),
                title: test.title.map(str::to_owned),
                case_ids: test.case_ids.to_vec(),
                file: test.file.to_owned(),
                line: test.line,
                is_async: matches!(test.body, TestBody::Async(_)),
                ignored: test.ignore.is_some(),
                timeout_ms: test.timeout.map(|timeout| timeout.as_millis()),
                retries: test.retries,
                max_steps: test.max_steps,
                should_panic: match test.should_panic {
                    ShouldPanic::No => registry::ShouldPanic::No,
                    ShouldPanic::Yes => registry::ShouldPanic::Yes,
                    ShouldPanic::WithMessage(text) => {
                        registry::ShouldPanic::WithMessage(text.to_owned())
                    }
                },
                known_bug: test.known_bug.map(str::to_owned),
            })
            .collect(),
        steps: steps()
            .into_iter()
            .map(|step| RegistryStep {
                name: step.name.to_owned(),
                module_path: step.module_path.to_owned(),
                file: step.file.to_owned(),
                line: step.line,
                case_ids: step.case_ids.to_vec(),
            })
            .collect(),
    }
}
