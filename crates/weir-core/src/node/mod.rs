//! Nodes: plain Rust functions with named inputs and outputs.
//!
//! [`node`] turns any `Fn` of up to 16 typed arguments into a [`Node`]. Each argument type says
//! what it expects from the catalog ([`NodeArg`]); the return type says what the node produces
//! ([`NodeOutputs`]). Both are recorded when the node is built, so a pipeline can be type-checked
//! before anything runs.

mod args;
mod function;
mod outputs;

use std::collections::BTreeSet;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use sha2::{Digest, Sha256};

pub use crate::error::{BoxError, CallError, ExtractError};
use crate::python::python_list;
pub use args::{ArgKind, ArgSpec, NodeArg, Param, ParamMismatch};
pub use function::{IntoNode, NodeArgs, NodeFunction};
pub use outputs::{NodeOutputs, OutputValue};

/// Dataset names given to a node's `.inputs(..)` or `.outputs(..)`: one name, an array, a slice
/// or a `Vec` of names.
pub trait IntoNames {
    /// The names, in order.
    fn into_names(self) -> Vec<String>;
}

impl IntoNames for &str {
    fn into_names(self) -> Vec<String> {
        vec![self.to_owned()]
    }
}

impl IntoNames for String {
    fn into_names(self) -> Vec<String> {
        vec![self]
    }
}

impl IntoNames for &String {
    fn into_names(self) -> Vec<String> {
        vec![self.clone()]
    }
}

impl<S: AsRef<str>, const N: usize> IntoNames for [S; N] {
    fn into_names(self) -> Vec<String> {
        self.iter().map(|name| name.as_ref().to_owned()).collect()
    }
}

impl<S: AsRef<str>> IntoNames for &[S] {
    fn into_names(self) -> Vec<String> {
        self.iter().map(|name| name.as_ref().to_owned()).collect()
    }
}

impl<S: AsRef<str>> IntoNames for Vec<S> {
    fn into_names(self) -> Vec<String> {
        self.iter().map(|name| name.as_ref().to_owned()).collect()
    }
}

/// A step of a pipeline: a function with named inputs and outputs.
///
/// Build one with [`node`]. A node's identity (for pipeline arithmetic and ordering) is its
/// name, inputs and outputs, as in Kedro; the function is not part of it.
#[derive(Clone)]
pub struct Node {
    function: Arc<NodeFunction>,
    explicit_name: Option<String>,
    /// The full name, computed on first use (hashing the default name is not free, and the
    /// builder changes what it depends on several times).
    name: std::sync::OnceLock<String>,
    namespace: Option<String>,
    inputs: Vec<String>,
    outputs: Vec<String>,
    tags: BTreeSet<String>,
    confirms: Vec<String>,
}

/// Turns a function into a node. Name its inputs and outputs with the builder methods.
///
/// ```
/// use weir_core::node;
///
/// fn double(x: u64) -> u64 { x * 2 }
///
/// let n = node(double).inputs("x").outputs("doubled").name("double_node").tags(["math"]);
/// assert_eq!(n.full_name(), "double_node");
/// assert_eq!(n.to_string(), "double_node: double([x]) -> [doubled]");
///
/// // Without a name, a node is named as Kedro names it: the function plus a short hash.
/// let unnamed = node(double).inputs("x").outputs("doubled");
/// assert!(unnamed.full_name().starts_with("double__"));
/// ```
pub fn node<Marker, F>(function: F) -> Node
where
    F: IntoNode<Marker>,
    F::Args: NodeArgs,
    F::Output: NodeOutputs,
{
    Node::new(NodeFunction::from_typed(function))
}

impl Node {
    /// A node for an already erased function.
    pub fn new(function: NodeFunction) -> Self {
        Self {
            function: Arc::new(function),
            explicit_name: None,
            name: std::sync::OnceLock::new(),
            namespace: None,
            inputs: Vec::new(),
            outputs: Vec::new(),
            tags: BTreeSet::new(),
            confirms: Vec::new(),
        }
    }

    /// Sets the dataset names the function's arguments are taken from, in argument order.
    pub fn inputs(mut self, names: impl IntoNames) -> Self {
        self.inputs = names.into_names();
        self.name = std::sync::OnceLock::new();
        self
    }

    /// Sets the dataset names the function's results are saved to, in order.
    pub fn outputs(mut self, names: impl IntoNames) -> Self {
        self.outputs = names.into_names();
        self.name = std::sync::OnceLock::new();
        self
    }

    /// Names the node (letters, digits, `_`, `-` and `.` only).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.explicit_name = Some(name.into());
        self.name = std::sync::OnceLock::new();
        self
    }

    /// Adds tags to the node.
    pub fn tags(mut self, tags: impl IntoNames) -> Self {
        self.tags.extend(tags.into_names());
        self
    }

    /// Puts the node in a namespace: its name becomes `namespace.name`.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        let namespace = namespace.into();
        self.namespace = (!namespace.is_empty()).then_some(namespace);
        self.name = std::sync::OnceLock::new();
        self
    }

    /// Datasets whose `confirm` is called after the node has run.
    pub fn confirms(mut self, names: impl IntoNames) -> Self {
        self.confirms = names.into_names();
        self
    }

    fn compute_name(&self) -> String {
        let base = match &self.explicit_name {
            Some(name) => name.clone(),
            None => self.default_name(),
        };
        match &self.namespace {
            Some(namespace) => format!("{namespace}.{base}"),
            None => base,
        }
    }

    /// Kedro's default name: the function's name, `__`, and the first 8 hex digits of the
    /// SHA-256 of `path|inputs|outputs`.
    fn default_name(&self) -> String {
        let key = format!(
            "{}|{}|{}",
            self.function_path_dotted(),
            python_list(&self.inputs),
            python_list(&self.outputs)
        );
        let digest = Sha256::digest(key.as_bytes());
        let mut name = self.function_name();
        name.push_str("__");
        for byte in &digest[..4] {
            name.push_str(&format!("{byte:02x}"));
        }
        name
    }

    fn function_path_dotted(&self) -> String {
        strip_generics(self.function.path()).replace("::", ".")
    }

    /// The function's own name (`split_data`), `closure` for closures.
    pub fn function_name(&self) -> String {
        let path = strip_generics(self.function.path());
        let last = path.rsplit("::").next().unwrap_or(&path);
        if last.starts_with('{') {
            "closure".to_owned()
        } else {
            last.to_owned()
        }
    }

    /// The node's full name: `namespace.name`, where the name is explicit or Kedro's default.
    pub fn full_name(&self) -> &str {
        self.name.get_or_init(|| self.compute_name())
    }

    /// The name given with [`Node::name`], without the namespace.
    pub fn explicit_name(&self) -> Option<&str> {
        self.explicit_name.as_deref()
    }

    /// The short name shown in visualisations: the explicit name, or the function's name with
    /// underscores as spaces, title-cased.
    pub fn short_name(&self) -> String {
        match &self.explicit_name {
            Some(name) => name.clone(),
            None => self
                .function_name()
                .split('_')
                .filter(|word| !word.is_empty())
                .map(|word| {
                    let mut characters = word.chars();
                    match characters.next() {
                        Some(first) => first.to_uppercase().chain(characters).collect(),
                        None => String::new(),
                    }
                })
                .collect::<Vec<String>>()
                .join(" "),
        }
    }

    /// The input dataset names, in argument order.
    pub fn input_names(&self) -> &[String] {
        &self.inputs
    }

    /// The output dataset names, in order.
    pub fn output_names(&self) -> &[String] {
        &self.outputs
    }

    /// The node's tags.
    pub fn tag_set(&self) -> &BTreeSet<String> {
        &self.tags
    }

    /// The node's namespace, if any (`outer.inner`).
    pub fn namespace_name(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// The namespace and each of its parents: `a.b.c` gives `a`, `a.b`, `a.b.c`.
    pub fn namespace_prefixes(&self) -> Vec<String> {
        let Some(namespace) = &self.namespace else {
            return Vec::new();
        };
        let parts: Vec<&str> = namespace.split('.').collect();
        (1..=parts.len()).map(|n| parts[..n].join(".")).collect()
    }

    /// Datasets confirmed after the node has run.
    pub fn confirm_names(&self) -> &[String] {
        &self.confirms
    }

    /// The function with its declared types.
    pub fn function(&self) -> &NodeFunction {
        &self.function
    }

    /// Whether the node has the tag.
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.contains(tag)
    }

    /// A copy with other names, as pipeline namespacing makes.
    pub(crate) fn remapped(
        &self,
        namespace: Option<String>,
        inputs: Vec<String>,
        outputs: Vec<String>,
        confirms: Vec<String>,
        tags: &BTreeSet<String>,
    ) -> Node {
        let mut node = self.clone();
        node.namespace = namespace;
        node.inputs = inputs;
        node.outputs = outputs;
        node.confirms = confirms;
        node.tags.extend(tags.iter().cloned());
        node.name = std::sync::OnceLock::new();
        node
    }

    pub(crate) fn add_tags(&mut self, tags: &BTreeSet<String>) {
        self.tags.extend(tags.iter().cloned());
    }

    fn identity(&self) -> (&str, &[String], &[String]) {
        (self.full_name(), &self.inputs, &self.outputs)
    }
}

fn strip_generics(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut depth = 0_usize;
    for character in path.chars() {
        match character {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(character),
            _ => {}
        }
    }
    out
}

impl fmt::Display for Node {
    /// Kedro's form: `name: function([in1;in2]) -> [out1;out2]`, the name only when explicit.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn list(names: &[String]) -> String {
            if names.is_empty() {
                "None".to_owned()
            } else {
                format!("[{}]", names.join(";"))
            }
        }
        if let Some(name) = &self.explicit_name {
            write!(f, "{name}: ")?;
        }
        write!(
            f,
            "{}({}) -> {}",
            self.function_name(),
            list(&self.inputs),
            list(&self.outputs)
        )
    }
}

impl fmt::Debug for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Node({:?}, {self})", self.full_name())
    }
}

impl PartialEq for Node {
    fn eq(&self, other: &Self) -> bool {
        self.identity() == other.identity()
    }
}

impl Eq for Node {}

impl Hash for Node {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.identity().hash(state);
    }
}

impl PartialOrd for Node {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Node {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.identity().cmp(&other.identity())
    }
}

/// Whether a node name or tag is valid: letters, digits, `_`, `-` and `.` only.
pub(crate) fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(x: u64) -> u64 {
        x
    }

    #[test]
    fn default_name_is_function_and_hash() {
        let a = node(identity).inputs("a").outputs("b");
        let b = node(identity).inputs(["a"]).outputs(["b"]);
        let c = node(identity).inputs("a").outputs("c");
        assert!(a.full_name().starts_with("identity__"));
        assert_eq!(a.full_name().len(), "identity__".len() + 8);
        // "a" and ["a"] give the same name; other outputs give another.
        assert_eq!(a.full_name(), b.full_name());
        assert_ne!(a.full_name(), c.full_name());
    }

    #[test]
    fn namespace_prefixes_the_name() {
        let n = node(identity)
            .inputs("a")
            .outputs("b")
            .name("n")
            .namespace("x.y");
        assert_eq!(n.full_name(), "x.y.n");
        assert_eq!(n.namespace_prefixes(), ["x", "x.y"]);
        assert_eq!(n.to_string(), "n: identity([a]) -> [b]");
    }

    #[test]
    fn closures_and_short_names() {
        let n = node(|x: u64| x + 1).inputs("a").outputs("b");
        assert!(n.full_name().starts_with("closure__"));
        let m = node(identity).inputs("a").outputs("b");
        assert_eq!(m.short_name(), "Identity");
    }

    #[test]
    fn strip_generics_keeps_paths() {
        assert_eq!(strip_generics("a::b::f<u8, Vec<u8>>"), "a::b::f");
    }

    #[test]
    fn display_with_no_inputs() {
        fn source() -> u64 {
            1
        }
        let n = node(source).outputs("x");
        assert_eq!(n.to_string(), "source(None) -> [x]");
    }
}
