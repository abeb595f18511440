//! `registry list` and `registry describe`: the registered pipelines and their nodes.

use serde_json::json;

use crate::cli::RegistryCommand;
use crate::project::Project;
use crate::session::SessionError;

pub(super) fn run(project: &Project, command: RegistryCommand) -> Result<(), SessionError> {
    match command {
        RegistryCommand::List => {
            out!("{}", super::catalog::yaml(&json!(project.pipeline_names())))
        }
        RegistryCommand::Describe { name } => {
            let pipeline = project
                .find_pipeline(&name)
                .ok_or_else(|| super::unknown_pipeline(project, &name))?;
            let nodes: Vec<String> = pipeline
                .nodes()
                .iter()
                .map(|node| format!("{} ({})", node.full_name(), node.function_name()))
                .collect();
            out!("{}", super::catalog::yaml(&json!({"Nodes": nodes})));
        }
    }
    Ok(())
}
