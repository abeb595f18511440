//! The end-of-run summary: what each node did and how long it took, what was saved where,
//! what the plugins report, and on failure the error and the command that resumes the run.

use weir_core::RunError;

use crate::progress::NodeStatus;
use crate::session::{RunOutcome, Session};
use crate::text::{format_duration, resume_command};
use crate::values::describe_value;

/// The end-of-run summary: each node's status and durations (its function, then loading its
/// inputs and saving its outputs, where a lazy node's query runs), the slowest nodes, the saved
/// datasets with their sizes and locations, the free outputs, and on failure the error and the
/// command that resumes the run.
pub fn summary(session: &Session<'_>, outcome: &RunOutcome, argv: &[String]) -> String {
    let mut out = String::new();
    let status = match &outcome.result {
        Ok(_) => "succeeded",
        Err(error) if error.is_interrupted() => "INTERRUPTED",
        Err(_) => "FAILED",
    };
    out.push_str(&format!(
        "\nRun {} of pipeline {} (env {}) {status} in {}\n",
        outcome.run_id,
        outcome.pipelines.join(" + "),
        session.env(),
        format_duration(outcome.duration)
    ));
    out.push_str(&format!(
        "\n{:<44} {:<10} {:>10} {:>10} {:>10}\n",
        "node", "status", "run", "load", "save"
    ));
    for node in &outcome.nodes {
        let status = match &node.status {
            NodeStatus::Completed => "completed",
            NodeStatus::Skipped => "skipped",
            NodeStatus::Failed(_) => "FAILED",
        };
        out.push_str(&format!(
            "{:<44} {:<10} {:>10} {:>10} {:>10}\n",
            node.name,
            status,
            format_duration(node.duration),
            format_duration(node.load),
            format_duration(node.save)
        ));
    }
    let ended: std::collections::BTreeSet<&str> =
        outcome.nodes.iter().map(|n| n.name.as_str()).collect();
    let failed_node = outcome
        .result
        .as_ref()
        .err()
        .and_then(RunError::failed_node);
    for node in outcome.pipeline.nodes() {
        let name = node.full_name();
        if !ended.contains(name) {
            let status = if Some(name) == failed_node {
                "FAILED"
            } else {
                "not run"
            };
            out.push_str(&format!("{name:<44} {status:<10} {:>10}\n", "-"));
        }
    }
    let mut slowest: Vec<_> = outcome
        .nodes
        .iter()
        .filter(|n| n.status == NodeStatus::Completed)
        .collect();
    slowest.sort_by_key(|node| std::cmp::Reverse(node.total()));
    if slowest.len() > 1 {
        out.push_str(&format!(
            "\nslowest: {}\n",
            slowest
                .iter()
                .take(3)
                .map(|n| format!("{} ({})", n.name, format_duration(n.total())))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let persisted: Vec<_> = outcome
        .saved
        .iter()
        .filter_map(|saved| {
            session
                .location(&saved.name)
                .map(|location| (saved, location))
        })
        .collect();
    if !persisted.is_empty() {
        out.push_str("\nsaved:\n");
        for (saved, location) in persisted {
            let shape = saved
                .shape
                .map(|(rows, columns)| format!("{rows} rows x {columns} columns"))
                .unwrap_or_default();
            out.push_str(&format!("  {:<40} {:<26} {location}\n", saved.name, shape));
        }
    }
    // What the project's plugins report: validations, tracking, metrics sent.
    for plugin in session.project().plugins() {
        let lines = plugin.run_summary();
        if lines.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{}:\n", plugin.plugin_name()));
        for line in lines {
            out.push_str(&format!("  {line}\n"));
        }
    }
    match &outcome.result {
        Ok(result) => {
            // Free outputs, and small values saved where they have no file (MLflow metrics).
            let described: Vec<(String, String)> = result
                .outputs
                .iter()
                .filter_map(|(name, value)| describe_value(value).map(|text| (name.clone(), text)))
                .chain(outcome.saved.iter().filter_map(|saved| {
                    let preview = saved.preview.clone()?;
                    let fileless_entry = session.is_catalog_entry(&saved.name)
                        && session.location(&saved.name).is_none()
                        && !result.outputs.iter().any(|(name, _)| *name == saved.name);
                    fileless_entry.then(|| (saved.name.clone(), preview))
                }))
                .collect();
            if !described.is_empty() {
                out.push_str("\noutputs:\n");
                for (name, text) in described {
                    out.push_str(&format!(
                        "  {name}:{}{text}\n",
                        if text.starts_with('\n') { "" } else { " " }
                    ));
                }
            }
        }
        Err(error) => {
            if error.is_interrupted() {
                // "The run was interrupted: 1 of 2 nodes did not run".
                let text = error.to_string();
                let mut chars = text.chars();
                let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
                out.push_str(&format!(
                    "\n{}{}\n",
                    first.unwrap_or_default(),
                    chars.as_str()
                ));
            } else {
                out.push_str(&format!("\nError: {error}\n"));
            }
            if let Some(suggestion) = error.resume_suggestion() {
                match suggestion.argument() {
                    Some(argument) => out.push_str(&format!(
                        "\n{} nodes did not run. Resume from the nearest nodes with persisted inputs:\n  {}\n",
                        suggestion.remaining,
                        resume_command(argv, &argument)
                    )),
                    None => out.push_str(&format!("\n{suggestion}\n")),
                }
            }
        }
    }
    out
}
