//! `info`: Weir's version, the project, its plugins, hooks, commands and dataset types.

use crate::project::Project;

pub(super) fn run(project: &Project) {
    let root = project.root();
    println!("weir {}", env!("CARGO_PKG_VERSION"));
    println!("project:   {}", project.name());
    println!("root:      {}", root.display());
    println!("pipelines: {}", project.pipeline_names().join(", "));
    let plugins: Vec<String> = project.plugins().iter().map(|p| p.plugin_name()).collect();
    println!("plugins:   {}", list_or_none(&plugins));
    println!(
        "hooks:     {}",
        list_or_none(&project.hook_manager().names())
    );
    let commands: Vec<String> = project
        .plugin_commands()
        .iter()
        .map(|c| c.name().to_owned())
        .collect();
    if !commands.is_empty() {
        println!("plugin commands: {}", commands.join(", "));
    }
    if let Some(path) = project.history_path(&root) {
        println!("run history: {}", path.display());
    }
    println!("dataset types: {}", project.registry().names().join(", "));
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".to_owned()
    } else {
        items.join(", ")
    }
}
