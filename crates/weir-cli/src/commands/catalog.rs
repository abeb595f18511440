//! `catalog describe-datasets`, `list-patterns` and `resolve-patterns` (Kedro 1.x), printed as
//! YAML.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};
use weir_core::Pipeline;

use crate::cli::{CatalogArgs, CatalogCommand};
use crate::project::Project;
use crate::session::SessionError;

pub(super) fn run(project: &Project, command: CatalogCommand) -> Result<(), SessionError> {
    match command {
        CatalogCommand::DescribeDatasets(args) => {
            let session = super::session_for(project, &args.env)?;
            let config = session.catalog_config();
            let mut out = serde_json::Map::new();
            for name in selected(project, &args)? {
                let pipeline = project
                    .find_pipeline(&name)
                    .cloned()
                    .unwrap_or_else(Pipeline::empty);
                let mut datasets: BTreeMap<String, Vec<String>> = BTreeMap::new();
                let mut factories: BTreeMap<String, Vec<String>> = BTreeMap::new();
                let mut defaults: BTreeMap<String, Vec<String>> = BTreeMap::new();
                for dataset in pipeline.datasets() {
                    if dataset == "parameters" || dataset.starts_with("params:") {
                        continue;
                    }
                    let base = weir_core::strip_transcoding(&dataset).to_owned();
                    match config.info(&base) {
                        Some(info) if config.pattern_for(&base).is_some() => {
                            factories.entry(info.type_name).or_default().push(dataset);
                        }
                        Some(info) => datasets.entry(info.type_name).or_default().push(dataset),
                        None => defaults
                            .entry("MemoryDataset".to_owned())
                            .or_default()
                            .push(dataset),
                    }
                }
                out.insert(
                    name,
                    json!({"datasets": datasets, "factories": factories, "defaults": defaults}),
                );
            }
            out!("{}", yaml(&Json::Object(out)));
        }
        CatalogCommand::ListPatterns(env) => {
            let session = super::session_for(project, &env)?;
            let patterns = session.catalog_config().list_patterns();
            out!("{}", yaml(&json!(patterns)));
        }
        CatalogCommand::ResolvePatterns(args) => {
            let session = super::session_for(project, &args.env)?;
            let config = session.catalog_config();
            let mut out = serde_json::Map::new();
            for name in config.entry_names() {
                if let Some(node) = config.resolve_config(name) {
                    out.insert(name.to_owned(), node.to_json());
                }
            }
            for pipeline_name in selected(project, &args)? {
                let Some(pipeline) = project.find_pipeline(&pipeline_name) else {
                    continue;
                };
                for dataset in pipeline.datasets() {
                    if dataset == "parameters"
                        || dataset.starts_with("params:")
                        || out.contains_key(&dataset)
                    {
                        continue;
                    }
                    let resolved = config
                        .resolve_config(weir_core::strip_transcoding(&dataset))
                        .map(|node| node.to_json())
                        .unwrap_or_else(|| json!({"type": "MemoryDataset"}));
                    out.insert(dataset, resolved);
                }
            }
            out!("{}", yaml(&Json::Object(out)));
        }
    }
    Ok(())
}

/// The pipelines a catalog command looks at: those asked for, else every registered one.
fn selected(project: &Project, args: &CatalogArgs) -> Result<Vec<String>, SessionError> {
    if args.pipelines.is_empty() {
        return Ok(project.pipeline_names());
    }
    for name in &args.pipelines {
        if project.find_pipeline(name).is_none() {
            return Err(super::unknown_pipeline(project, name));
        }
    }
    Ok(args.pipelines.clone())
}

/// A listing as YAML (block style, as Kedro prints it).
pub(super) fn yaml(value: &Json) -> String {
    // Serialising JSON values to YAML cannot fail: every key is a string.
    serde_saphyr::to_string(value).unwrap_or_else(|error| format!("# {error}\n"))
}
