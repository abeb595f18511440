//! `info`: Weir's version, the project, its plugins, hooks, commands and dataset types.

use crate::project::Project;

pub(super) fn run(project: &Project) {
    // `info` describes the binary even outside a project.
    let root = project.root().ok();
    outln!("weir {}", env!("CARGO_PKG_VERSION"));
    outln!("project:   {}", project.name());
    match &root {
        Some(root) => outln!("root:      {}", root.display()),
        None => outln!("root:      (no project found from the current folder)"),
    }
    outln!("pipelines: {}", project.pipeline_names().join(", "));
    let plugins: Vec<String> = project.plugins().iter().map(|p| p.plugin_name()).collect();
    outln!("plugins:   {}", list_or_none(&plugins));
    outln!(
        "hooks:     {}",
        list_or_none(&project.hook_manager().names())
    );
    let commands: Vec<String> = project
        .plugin_commands()
        .iter()
        .map(|c| c.name().to_owned())
        .collect();
    if !commands.is_empty() {
        outln!("plugin commands: {}", commands.join(", "));
    }
    if let Some(path) = root.as_ref().and_then(|root| project.history_path(root)) {
        outln!("run history: {}", path.display());
    }
    outln!("dataset types: {}", project.registry().names().join(", "));
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".to_owned()
    } else {
        items.join(", ")
    }
}
