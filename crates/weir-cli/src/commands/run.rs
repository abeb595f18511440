//! `run`: runs pipelines with Kedro's flags, then prints the run summary.

use std::collections::BTreeMap;

use weir_core::{Interrupt, PipelineFilter, RunError};

use crate::cli::{RunArgs, RunnerKind};
use crate::diagnostics;
use crate::progress::ProgressMode;
use crate::project::Project;
use crate::session::{RunRequest, RunnerChoice, SessionError, SessionOptions};
use crate::summary::summary;

/// Runs `run` with its arguments; `argv` is the whole command line (for the run history and
/// the resume command).
pub(super) fn run(
    project: &Project,
    args: &RunArgs,
    argv: Vec<String>,
    quiet: u8,
) -> Result<(), SessionError> {
    // Ctrl-C and SIGTERM stop the run cleanly from here on; a second one exits at once.
    let interrupt = Interrupt::new();
    let _signals = match crate::signals::install(
        interrupt.clone(),
        Box::new(|| {
            crate::session::abandon_active_run("interrupted twice: the process exited at once")
        }),
    ) {
        Ok(guard) => Some(guard),
        Err(error) => {
            tracing::warn!("Ctrl-C will stop the process at once: {error}");
            None
        }
    };
    let runtime_params = args
        .params
        .as_deref()
        .map(weir_config::parse_runtime_params)
        .transpose()?;
    let mut load_versions = BTreeMap::new();
    for item in &args.load_versions {
        load_versions.extend(weir_config::parse_load_versions(item)?);
    }
    let session = project.session(SessionOptions {
        env: args.env.clone(),
        conf_source: args.conf_source.clone(),
        runtime_params,
        load_versions,
        run_id: None,
    })?;
    let mut pipelines = args.pipelines.clone();
    if let Some(pipeline) = &args.pipeline {
        pipelines.push(pipeline.clone());
    }
    let request = RunRequest {
        pipelines: clean(&pipelines),
        filter: PipelineFilter {
            tags: clean(&args.tags),
            from_nodes: clean(&args.from_nodes),
            to_nodes: clean(&args.to_nodes),
            node_names: clean(&args.nodes),
            from_inputs: clean(&args.from_inputs),
            to_outputs: clean(&args.to_outputs),
            node_namespaces: clean(&args.namespaces),
        },
        runner: match args.runner {
            RunnerKind::Sequential => RunnerChoice::Sequential,
            RunnerKind::Parallel => RunnerChoice::Parallel(args.workers.map(|w| w as usize)),
        },
        is_async: args.is_async,
        only_missing_outputs: args.only_missing_outputs,
        command: argv.clone(),
        progress: Some(ProgressMode::detect(quiet)),
        interrupt,
    };
    let outcome = session.run(&request)?;
    if let Err(error @ (RunError::Invalid(_) | RunError::Configuration(_))) = outcome.result {
        // Nothing ran: the problems alone, with their help.
        errln!("{}", diagnostics::render(&error));
        return Err(SessionError::Run(error));
    }
    let summary = summary(&session, &outcome, &argv);
    match outcome.result {
        Ok(_) => {
            if quiet < 2 {
                out!("{summary}");
            }
            Ok(())
        }
        Err(error) => {
            err!("{summary}");
            Err(SessionError::Run(error))
        }
    }
}

/// The items of a comma-separated option, trimmed, without empty ones.
fn clean(items: &[String]) -> Vec<String> {
    items
        .iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}
