//! The export, plugged into the runtime when the `export` feature is on.

use std::process::ExitCode;

use testrail_export::at_exit::{self, ExportRun};
use testrail_export::config::{Config, ConfigError};
use testrail_export::flags::HarnessFlags;
use testrail_harness::after_tests::{AfterTests, Ended};
use testrail_harness::harness::BuildInfo;

/// The export's flags and configuration, read before the tests run.
#[derive(Default)]
pub struct Export {
    flags: HarnessFlags,
    config: Option<Result<Config, ConfigError>>,
    dry_run: bool,
}

impl AfterTests for Export {
    fn take_flags(&mut self, build: BuildInfo, args: Vec<String>) -> Result<Vec<String>, String> {
        let (flags, rest) = HarnessFlags::split(args)?;
        let config = at_exit::load(build, &flags);
        self.dry_run = at_exit::dry_run(build, &flags, &config);
        self.flags = flags;
        self.config = Some(config);
        Ok(rest)
    }

    fn usage(&self) -> String {
        testrail_export::flags::usage()
    }

    fn dry_run(&self) -> bool {
        self.dry_run
    }

    /// The outcomes are read back only when the export, the dry run or
    /// `fail_on_unmatched` will look at them (or the configuration is not known yet).
    fn needs_outcomes(&self) -> bool {
        match &self.config {
            Some(Ok(config)) => config.export || config.dry_run || config.fail_on_unmatched,
            Some(Err(_)) => false,
            None => true,
        }
    }

    fn after_tests(&mut self, ended: Ended<'_>) -> ExitCode {
        let config = self
            .config
            .take()
            .unwrap_or_else(|| at_exit::load(ended.build, &self.flags));
        let run = ExportRun {
            build: ended.build,
            flags: &self.flags,
            session: ended.session,
            session_dir: ended.session_dir,
            out: ended.out,
        };
        at_exit::finish(&run, config, ended.spool_file, ended.spool_path, ended.exit)
    }
}
