//! The command line every project gets: argument parsing, one module per command, and the exit
//! codes (0 success, 1 the pipeline or a plugin's command failed, 2 usage and configuration
//! errors, 130 a run interrupted by Ctrl-C or `SIGTERM`).

mod catalog;
mod info;
mod plugin;
mod registry;
mod run;
mod runs;

use std::ffi::OsString;
use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use weir_config::PluginCommand;

use crate::cli::{Cli, Command, EnvArgs};
use crate::diagnostics;
use crate::progress::StderrAboveBar;
use crate::project::Project;
use crate::session::{Session, SessionError, SessionOptions};
use crate::text::no_color;

impl Project {
    /// Runs the command line of `std::env::args()` and returns the exit code: 0 on success, 1
    /// when the pipeline (or a plugin's command) fails, 2 for usage and configuration errors,
    /// 130 when a run was interrupted (Ctrl-C, `SIGTERM`).
    pub fn main(self) -> ExitCode {
        self.main_with_args(std::env::args_os())
    }

    /// Runs a command line (the first item is the program name).
    pub fn main_with_args<I, T>(self, args: I) -> ExitCode
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
        let problems = self.registration_problems();
        if !problems.is_empty() {
            let error = SessionError::usage(problems.join("\n")).with_help(
                "plugins are registered in `main` with `Project::plugin`: leave out or rename what clashes",
            );
            errln!("{}", diagnostics::render(&error));
            return ExitCode::from(2);
        }
        if let Some((index, command)) = self.plugin_command_at(&args) {
            // A plugin's command gets every argument after its name exactly as given; only
            // `-v`/`-q` before the name are the project's.
            let (verbose, quiet) = global_counts(&args[1..index]);
            init_logging(verbose, quiet);
            let arguments: Vec<String> = args[index + 1..]
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            return plugin::run(&self, command, &arguments);
        }
        let matches = match self.command_line().try_get_matches_from(&args) {
            Ok(matches) => matches,
            Err(error) => {
                let _ = error.print();
                return ExitCode::from(if error.use_stderr() { 2 } else { 0 });
            }
        };
        let argv: Vec<String> = args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        if let Some(name) = matches.subcommand_name()
            && self.plugin_commands().iter().any(|c| c.name() == name)
        {
            // Only reached when a flag other than `-v`/`-q` comes before a plugin's command.
            let error = SessionError::usage(format!(
                "`{name}` is a plugin's command: only `-v` and `-q` may come before it"
            ))
            .with_help(format!(
                "put the other options after `{name}`, where the plugin reads them"
            ));
            errln!("{}", diagnostics::render(&error));
            return ExitCode::from(2);
        }
        let cli = match Cli::from_arg_matches(&matches) {
            Ok(cli) => cli,
            Err(error) => {
                let _ = error.print();
                return ExitCode::from(2);
            }
        };
        init_logging(cli.verbose, cli.quiet);
        let result = match cli.command {
            _ if cli.version => {
                outln!("weir {}", env!("CARGO_PKG_VERSION"));
                Ok(())
            }
            None => {
                let _ = self.command_line().print_help();
                Ok(())
            }
            Some(Command::Run(args)) => run::run(&self, &args, argv, cli.quiet),
            Some(Command::Catalog(command)) => catalog::run(&self, command),
            Some(Command::Registry(command)) => registry::run(&self, command),
            Some(Command::Runs(command)) => runs::run(&self, command),
            Some(Command::Info) => {
                info::run(&self);
                Ok(())
            }
            Some(Command::Completions { shell }) => {
                let mut command = self.command_line();
                clap_complete::generate(
                    shell,
                    &mut command,
                    self.name().to_owned(),
                    &mut std::io::stdout(),
                );
                Ok(())
            }
        };
        match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                // A run that failed has printed its summary or its problems already.
                if !matches!(error, SessionError::Run(_)) {
                    errln!("{}", diagnostics::render(&error));
                }
                ExitCode::from(error.exit_code())
            }
        }
    }

    /// The plugin command named by the first argument that is not one of the project's
    /// `-v`/`-q` flags, and its position.
    fn plugin_command_at(&self, args: &[OsString]) -> Option<(usize, &PluginCommand)> {
        let (index, name) = args
            .iter()
            .enumerate()
            .skip(1)
            .find(|(_, arg)| !is_global_flag(&arg.to_string_lossy()))?;
        let name = name.to_str()?;
        let command = self.plugin_commands().iter().find(|c| c.name() == name)?;
        Some((index, command))
    }

    /// The clap command: the built-in commands and one per plugin command.
    fn command_line(&self) -> clap::Command {
        let mut command = Cli::command()
            .name(self.name().to_owned())
            .bin_name(self.name().to_owned());
        for plugin_command in self.plugin_commands() {
            command = command.subcommand(
                // Listed for `--help` and completions; its arguments never reach clap (see
                // `plugin_command_at`).
                clap::Command::new(plugin_command.name().to_owned())
                    .about(plugin_command.about().to_owned()),
            );
        }
        command
    }
}

/// `-v`, `-vv`, `--verbose`, `-q`, `--quiet`...
fn is_global_flag(arg: &str) -> bool {
    matches!(arg, "--verbose" | "--quiet")
        || (arg.len() > 1 && arg.starts_with('-') && arg[1..].chars().all(|c| c == 'v' || c == 'q'))
}

/// How many `-v` and `-q` the flags hold.
fn global_counts(flags: &[OsString]) -> (u8, u8) {
    let (mut verbose, mut quiet) = (0u8, 0u8);
    for flag in flags {
        let flag = flag.to_string_lossy();
        match flag.as_ref() {
            "--verbose" => verbose = verbose.saturating_add(1),
            "--quiet" => quiet = quiet.saturating_add(1),
            short => {
                for c in short.chars().skip(1) {
                    if c == 'v' {
                        verbose = verbose.saturating_add(1);
                    } else {
                        quiet = quiet.saturating_add(1);
                    }
                }
            }
        }
    }
    (verbose, quiet)
}

/// A session for a command that reads the configuration.
fn session_for<'p>(project: &'p Project, env: &EnvArgs) -> Result<Session<'p>, SessionError> {
    project.session(SessionOptions {
        env: env.env.clone(),
        conf_source: env.conf_source.clone(),
        ..SessionOptions::default()
    })
}

/// The error for a pipeline name that is not registered.
fn unknown_pipeline(project: &Project, name: &str) -> SessionError {
    let known = project.pipeline_names();
    let close = weir_core::suggest::close_matches(name, known.iter().map(String::as_str), 3, 0.6);
    let error = SessionError::usage(format!(
        "'{name}' pipeline not found. Existing pipelines: [{}]",
        known.join(", ")
    ));
    if close.is_empty() {
        error
    } else {
        error.with_help(format!("did you mean {}?", close.join(" or ")))
    }
}

fn init_logging(verbose: u8, quiet: u8) {
    let level = match (verbose, quiet) {
        (0, 0) => tracing::Level::INFO,
        (1, _) => tracing::Level::DEBUG,
        (v, _) if v >= 2 => tracing::Level::TRACE,
        (_, 1) => tracing::Level::WARN,
        _ => tracing::Level::ERROR,
    };
    let ansi = std::io::stderr().is_terminal() && !no_color();
    let _ = tracing_subscriber::fmt()
        .with_writer(StderrAboveBar)
        .with_max_level(level)
        .with_target(false)
        .with_ansi(ansi)
        // Its own write errors would go to `eprintln!`, which panics on a closed stderr.
        .log_internal_errors(false)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_flags_are_counted() {
        assert!(is_global_flag("-vv") && is_global_flag("--quiet") && is_global_flag("-q"));
        assert!(!is_global_flag("-") && !is_global_flag("-vx") && !is_global_flag("--"));
        let flags: Vec<OsString> = ["-vv", "--verbose", "-q"].iter().map(Into::into).collect();
        assert_eq!(global_counts(&flags), (3, 1));
    }
}
