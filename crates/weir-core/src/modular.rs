//! Modular pipelines: reuse a pipeline under a namespace, with its inputs, outputs and
//! parameters renamed, following Kedro's `pipeline()` rules.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::error::PipelineError;
use crate::pipeline::{Pipeline, PipelineItem};
use crate::suggest::close_matches;
use crate::transcoding::{split_transcoding, strip_transcoding};

/// Names to remap: one name or a list (kept as they are, i.e. not namespaced), or pairs
/// `(old, new)`.
pub trait IntoMapping {
    /// The `(old, new)` pairs.
    fn into_mapping(self) -> Vec<(String, String)>;
}

impl IntoMapping for &str {
    fn into_mapping(self) -> Vec<(String, String)> {
        vec![(self.to_owned(), self.to_owned())]
    }
}

impl IntoMapping for String {
    fn into_mapping(self) -> Vec<(String, String)> {
        vec![(self.clone(), self)]
    }
}

impl<const N: usize> IntoMapping for [&str; N] {
    fn into_mapping(self) -> Vec<(String, String)> {
        self.iter()
            .map(|name| ((*name).to_owned(), (*name).to_owned()))
            .collect()
    }
}

impl IntoMapping for Vec<&str> {
    fn into_mapping(self) -> Vec<(String, String)> {
        self.into_iter()
            .map(|name| (name.to_owned(), name.to_owned()))
            .collect()
    }
}

impl IntoMapping for Vec<String> {
    fn into_mapping(self) -> Vec<(String, String)> {
        self.into_iter().map(|name| (name.clone(), name)).collect()
    }
}

impl<const N: usize> IntoMapping for [(&str, &str); N] {
    fn into_mapping(self) -> Vec<(String, String)> {
        self.iter()
            .map(|(old, new)| ((*old).to_owned(), (*new).to_owned()))
            .collect()
    }
}

impl IntoMapping for Vec<(String, String)> {
    fn into_mapping(self) -> Vec<(String, String)> {
        self
    }
}

impl IntoMapping for Vec<(&str, &str)> {
    fn into_mapping(self) -> Vec<(String, String)> {
        self.into_iter()
            .map(|(old, new)| (old.to_owned(), new.to_owned()))
            .collect()
    }
}

impl IntoMapping for BTreeMap<String, String> {
    fn into_mapping(self) -> Vec<(String, String)> {
        self.into_iter().collect()
    }
}

impl IntoMapping for HashMap<String, String> {
    fn into_mapping(self) -> Vec<(String, String)> {
        self.into_iter().collect()
    }
}

/// Starts a modular pipeline from a pipeline (or a node): Kedro's `pipeline(pipe, namespace=..,
/// inputs=.., outputs=.., parameters=..)`.
///
/// ```
/// use weir_core::{node, pipeline, Pipeline};
///
/// fn train(data: u64, alpha: serde_json::Value) -> u64 { data }
///
/// let base = Pipeline::new([node(train).inputs(["raw", "params:alpha"]).outputs("model").name("train")]);
/// let ns = pipeline(base).namespace("candidate").inputs("raw").build().unwrap();
/// let trained = &ns.nodes()[0];
/// assert_eq!(trained.full_name(), "candidate.train");
/// assert_eq!(trained.input_names(), ["raw", "params:candidate.alpha"]);
/// assert_eq!(trained.output_names(), ["candidate.model"]);
/// ```
pub fn pipeline(items: impl Into<PipelineItem>) -> ModularPipeline {
    let base = match items.into() {
        PipelineItem::Node(node) => Pipeline::new([node]),
        PipelineItem::Pipeline(pipeline) => pipeline,
    };
    ModularPipeline {
        base,
        namespace: None,
        inputs: Vec::new(),
        outputs: Vec::new(),
        parameters: Vec::new(),
        tags: BTreeSet::new(),
        prefix_datasets: true,
    }
}

/// A pipeline being namespaced and remapped; see [`pipeline`].
///
/// Use it where a pipeline is expected (it converts, recording any mapping error for
/// validation to report), or call [`ModularPipeline::build`] to get the error now.
#[must_use = "a modular pipeline does nothing until it is built or added to a pipeline"]
pub struct ModularPipeline {
    base: Pipeline,
    namespace: Option<String>,
    inputs: Vec<(String, String)>,
    outputs: Vec<(String, String)>,
    parameters: Vec<(String, String)>,
    tags: BTreeSet<String>,
    prefix_datasets: bool,
}

impl ModularPipeline {
    /// Puts every node in the namespace and (unless disabled) prefixes datasets and parameters
    /// that are not remapped with `namespace.`.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        let namespace = namespace.into();
        self.namespace = (!namespace.is_empty()).then_some(namespace);
        self
    }

    /// Free inputs to keep (a name) or rename (`(old, new)`); they are not namespaced.
    pub fn inputs(mut self, mapping: impl IntoMapping) -> Self {
        self.inputs.extend(mapping.into_mapping());
        self
    }

    /// Outputs to keep or rename; they are not namespaced. Intermediate datasets may be exposed.
    pub fn outputs(mut self, mapping: impl IntoMapping) -> Self {
        self.outputs.extend(mapping.into_mapping());
        self
    }

    /// Parameters to keep or rename, with or without the `params:` prefix.
    pub fn parameters(mut self, mapping: impl IntoMapping) -> Self {
        self.parameters.extend(mapping.into_mapping());
        self
    }

    /// Tags added to every node.
    pub fn tags<S: AsRef<str>>(mut self, tags: impl IntoIterator<Item = S>) -> Self {
        self.tags
            .extend(tags.into_iter().map(|t| t.as_ref().to_owned()));
        self
    }

    /// Whether datasets and parameters get the namespace prefix (Kedro's
    /// `prefix_datasets_with_namespace`, default `true`). Node names always do.
    pub fn prefix_datasets_with_namespace(mut self, prefix: bool) -> Self {
        self.prefix_datasets = prefix;
        self
    }

    /// Applies the namespace and mappings, or says why they do not fit the pipeline.
    pub fn build(self) -> Result<Pipeline, PipelineError> {
        let parameters: Vec<(String, String)> = self
            .parameters
            .iter()
            .map(|(old, new)| (normalise_parameter(old), normalise_parameter(new)))
            .collect();
        self.check(&parameters)?;

        let mut mapping: HashMap<&str, &str> = HashMap::new();
        for (old, new) in self.inputs.iter().chain(&self.outputs).chain(&parameters) {
            mapping.insert(old, new);
        }
        let rename = |name: &str| -> String {
            if let Some(mapped) = mapping.get(name) {
                return (*mapped).to_owned();
            }
            if name == "parameters" {
                return name.to_owned();
            }
            let (base, format) = split_transcoding(name);
            if let (Some(format), Some(mapped)) = (format, mapping.get(base)) {
                return format!("{mapped}@{format}");
            }
            match (&self.namespace, self.prefix_datasets) {
                (Some(namespace), true) => match name.strip_prefix("params:") {
                    Some(parameter) => format!("params:{namespace}.{parameter}"),
                    None => format!("{namespace}.{name}"),
                },
                _ => name.to_owned(),
            }
        };
        let rename_all = |names: &[String]| names.iter().map(|n| rename(n)).collect::<Vec<_>>();

        let nodes = self
            .base
            .nodes()
            .iter()
            .map(|node| {
                let namespace = match (&self.namespace, node.namespace_name()) {
                    (Some(outer), Some(inner)) => Some(format!("{outer}.{inner}")),
                    (Some(outer), None) => Some(outer.clone()),
                    (None, inner) => inner.map(str::to_owned),
                };
                node.remapped(
                    namespace,
                    rename_all(node.input_names()),
                    rename_all(node.output_names()),
                    rename_all(node.confirm_names()),
                    &self.tags,
                )
            })
            .collect();
        Ok(Pipeline::from_nodes_with_problems(
            nodes,
            self.base.build_problems().to_vec(),
        ))
    }

    fn check(&self, parameters: &[(String, String)]) -> Result<(), PipelineError> {
        let datasets = self.base.datasets();
        let stripped: BTreeSet<&str> = datasets.iter().map(|n| strip_transcoding(n)).collect();
        let missing: Vec<&str> = self
            .inputs
            .iter()
            .chain(&self.outputs)
            .chain(parameters)
            .map(|(old, _)| old.as_str())
            .filter(|old| !stripped.contains(strip_transcoding(old)))
            .collect();
        match missing.as_slice() {
            [] => {}
            [one] => {
                let suggestions = close_matches(one, stripped.iter().copied(), 3, 0.6);
                let mut message = format!(
                    "Failed to map datasets and/or parameters onto the nodes provided: {one} does not exist in the pipeline."
                );
                if !suggestions.is_empty() {
                    message.push_str(&format!(
                        " - did you mean one of these instead: {}",
                        suggestions.join(", ")
                    ));
                }
                return Err(PipelineError::Mapping(message));
            }
            several => {
                return Err(PipelineError::Mapping(format!(
                    "Failed to map datasets and/or parameters onto the nodes provided: the following datasets and/or parameters do not exist in the pipeline: {}.",
                    several.join(", ")
                )));
            }
        }
        let is_parameter = |name: &str| name == "parameters" || name.starts_with("params:");
        if self
            .inputs
            .iter()
            .chain(&self.outputs)
            .any(|(old, _)| is_parameter(old))
        {
            return Err(PipelineError::Mapping(
                "Parameters should be specified in the 'parameters' argument".to_owned(),
            ));
        }
        let free_inputs: BTreeSet<String> = self
            .base
            .inputs()
            .iter()
            .map(|n| strip_transcoding(n).to_owned())
            .collect();
        let not_free: Vec<&str> = self
            .inputs
            .iter()
            .map(|(old, _)| old.as_str())
            .filter(|old| !free_inputs.contains(strip_transcoding(old)))
            .collect();
        if !not_free.is_empty() {
            return Err(PipelineError::Mapping(format!(
                "Inputs must not be outputs from another node in the same pipeline: {}",
                not_free.join(", ")
            )));
        }
        let free_outputs: Vec<&str> = self
            .outputs
            .iter()
            .map(|(old, _)| old.as_str())
            .filter(|old| free_inputs.contains(strip_transcoding(old)))
            .collect();
        if !free_outputs.is_empty() {
            return Err(PipelineError::Mapping(format!(
                "All outputs must be generated by some node within the pipeline: {}",
                free_outputs.join(", ")
            )));
        }
        Ok(())
    }

    /// Builds the pipeline; a mapping error is recorded in it, for validation to report.
    pub fn into_pipeline(self) -> Pipeline {
        let base = self.base.clone();
        match self.build() {
            Ok(pipeline) => pipeline,
            Err(error) => {
                let mut problems = base.build_problems().to_vec();
                problems.push(error.to_string());
                Pipeline::from_nodes_with_problems(base.nodes().to_vec(), problems)
            }
        }
    }
}

impl From<ModularPipeline> for PipelineItem {
    fn from(pipeline: ModularPipeline) -> Self {
        Self::Pipeline(pipeline.into_pipeline())
    }
}

fn normalise_parameter(name: &str) -> String {
    if name == "parameters" || name.starts_with("params:") {
        name.to_owned()
    } else {
        format!("params:{name}")
    }
}
