//! The plugins' subcommands: each gets the project (pipelines, dataset types, configuration)
//! and its arguments.

use std::process::ExitCode;

use weir_config::{CommandContext, ConfigLoader, PluginCommand};

use crate::diagnostics;
use crate::project::Project;

/// Runs a plugin's command: exit code 0, or 1 with its error shown as a diagnostic.
pub(super) fn run(project: &Project, command: &PluginCommand, arguments: &[String]) -> ExitCode {
    let root = project.root();
    let conf_source = root.join(project.conf_source());
    let loader =
        |env: Option<&str>| project.configure_loader(ConfigLoader::new(&conf_source).env(env));
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
            eprintln!("{}", diagnostics::render(error.as_ref()));
            ExitCode::FAILURE
        }
    }
}
