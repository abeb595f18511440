//! The plugins' subcommands: each gets the project (pipelines, dataset types, configuration)
//! and its arguments.

use std::process::ExitCode;

use weir_config::{CommandContext, ConfigLoader, PluginCommand};

use crate::diagnostics;
use crate::project::Project;
use crate::session::is_configuration;

/// Runs a plugin's command: exit code 0, else its error shown as a diagnostic and 2 for a
/// configuration error, 1 for any other.
pub(super) fn run(project: &Project, command: &PluginCommand, arguments: &[String]) -> ExitCode {
    let root = match project.root() {
        Ok(root) => root,
        Err(error) => {
            let error = crate::session::SessionError::from(error);
            errln!("{}", diagnostics::render(&error));
            return ExitCode::from(error.exit_code());
        }
    };
    let conf_source = root.join(project.conf_source());
    // The environment a command does not name is `run`'s default: `$WEIR_ENV`, else `local`.
    let default_env = std::env::var("WEIR_ENV").ok().filter(|env| !env.is_empty());
    let loader = |env: Option<&str>| {
        let env = env.or(default_env.as_deref());
        project.configure_loader(ConfigLoader::new(&conf_source).env(env))
    };
    let context = CommandContext::new(
        project.name(),
        &root,
        project.registered_pipelines(),
        project.registry(),
        loader,
    );
    match command.run(&context, arguments) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            errln!("{}", diagnostics::render(error.as_ref()));
            // A configuration error is 2, as everywhere; any other failure 1.
            if is_configuration(error.as_ref()) {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
