//! `runs list` and `runs show`: the run history recorded in the project.

use std::time::Duration;

use crate::cli::RunsCommand;
use crate::history::{self, HistoryError, RunDetails};
use crate::project::Project;
use crate::session::SessionError;
use crate::text::format_duration;

pub(super) fn run(project: &Project, command: RunsCommand) -> Result<(), SessionError> {
    let root = project.root()?;
    let Some(path) = project.history_path(&root) else {
        return Err(SessionError::usage(
            "this project does not record runs (`Project::no_run_history`)",
        )
        .with_help("remove `.no_run_history()` from the project's `main` to record runs"));
    };
    let history_error = |e: HistoryError| SessionError::usage(e.to_string());
    match command {
        RunsCommand::List { limit } => {
            let runs = history::list(&path, limit as usize).map_err(history_error)?;
            if runs.is_empty() {
                outln!("No runs recorded yet in {}.", path.display());
                return Ok(());
            }
            outln!(
                "{:<26} {:<10} {:>10}  {:<24} command",
                "run",
                "status",
                "time",
                "pipelines"
            );
            for run in runs {
                outln!(
                    "{:<26} {:<10} {:>10}  {:<24} {}",
                    run.id,
                    run.status,
                    run.duration_seconds.map(seconds).unwrap_or_default(),
                    run.pipelines,
                    run.command
                );
            }
        }
        RunsCommand::Show { id } => {
            let Some(RunDetails {
                run,
                nodes,
                datasets,
            }) = history::show(&path, &id).map_err(history_error)?
            else {
                return Err(
                    SessionError::usage(format!("no run '{id}' in {}", path.display())).with_help(
                        "`runs list` shows the recorded runs; `runs show last` the latest",
                    ),
                );
            };
            outln!("run:        {}", run.id);
            outln!("project:    {}", run.project);
            outln!("status:     {}", run.status);
            outln!("command:    {}", run.command);
            outln!("env:        {}", run.env);
            outln!("pipelines:  {}", run.pipelines);
            outln!("git commit: {}", run.git_commit.as_deref().unwrap_or("-"));
            outln!("started:    {}", run.started_at);
            outln!("finished:   {}", run.finished_at.as_deref().unwrap_or("-"));
            if let Some(duration) = run.duration_seconds {
                outln!("duration:   {}", seconds(duration));
            }
            if let Some(error) = &run.error {
                outln!("error:      {error}");
            }
            outln!("parameters: {}", run.parameters);
            outln!("nodes:");
            for node in nodes {
                outln!(
                    "  {:<40} {:<10} {}{}",
                    node.node,
                    node.status,
                    seconds(node.duration_seconds),
                    node.error.map(|e| format!("  {e}")).unwrap_or_default()
                );
            }
            outln!("saved datasets:");
            for dataset in datasets {
                let shape = match (dataset.rows, dataset.columns) {
                    (Some(rows), Some(columns)) => format!("{rows} rows x {columns} columns"),
                    _ => String::new(),
                };
                outln!(
                    "  {:<40} {:<28} {}{}",
                    dataset.dataset,
                    shape,
                    dataset.location.unwrap_or_default(),
                    dataset
                        .version
                        .map(|v| format!(" (version {v})"))
                        .unwrap_or_default()
                );
            }
        }
    }
    Ok(())
}

fn seconds(value: f64) -> String {
    format_duration(Duration::from_secs_f64(value.max(0.0)))
}
