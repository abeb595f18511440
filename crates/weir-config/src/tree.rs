//! The configuration tree: YAML values that remember the file and line they came from.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use indexmap::IndexMap;

/// Where a value was written: file, line and column (both 1-based).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Loc {
    /// The file.
    pub file: Arc<Path>,
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1.
    pub column: usize,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

impl fmt::Debug for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A value in a configuration file.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// `null`, `~` or nothing.
    Null,
    /// `true`, `false`, and YAML 1.1's `yes`, `no`, `on`, `off`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in file order.
    Map(IndexMap<String, Node>),
}

/// A value and where it was written (`None` for values that come from the command line or
/// code).
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub kind: Kind,
    /// Where it was written: for a mapping entry, the position of its key.
    pub loc: Option<Loc>,
}

impl Node {
    /// A value with no position.
    pub fn new(kind: Kind) -> Self {
        Self { kind, loc: None }
    }

    /// An empty mapping.
    pub fn empty_map() -> Self {
        Self::new(Kind::Map(IndexMap::new()))
    }

    /// The mapping inside, if this is one.
    pub fn as_map(&self) -> Option<&IndexMap<String, Node>> {
        match &self.kind {
            Kind::Map(map) => Some(map),
            _ => None,
        }
    }

    /// The mapping inside, mutably, if this is one.
    pub fn as_map_mut(&mut self) -> Option<&mut IndexMap<String, Node>> {
        match &mut self.kind {
            Kind::Map(map) => Some(map),
            _ => None,
        }
    }

    /// The string inside, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(text) => Some(text),
            _ => None,
        }
    }

    /// The value at a dotted path (`model.alpha`, `features.0`).
    pub fn get_path(&self, path: &str) -> Option<&Node> {
        if path.is_empty() {
            return Some(self);
        }
        path.split('.')
            .try_fold(self, |node, key| match &node.kind {
                Kind::Map(map) => map.get(key),
                Kind::Seq(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            })
    }

    /// A short name for the kind of value, for error messages.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Int(_) => "an integer",
            Kind::Float(_) => "a number",
            Kind::Str(_) => "a string",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }

    /// The value as JSON (mappings keep their order). Non-finite numbers become strings
    /// (`.inf`, `-.inf`, `.nan`), as JSON has none.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.kind {
            Kind::Null => J::Null,
            Kind::Bool(b) => J::Bool(*b),
            Kind::Int(i) => J::from(*i),
            Kind::Float(f) => serde_json::Number::from_f64(*f).map_or_else(
                || {
                    J::String(
                        if f.is_nan() {
                            ".nan"
                        } else if *f > 0.0 {
                            ".inf"
                        } else {
                            "-.inf"
                        }
                        .to_owned(),
                    )
                },
                J::Number,
            ),
            Kind::Str(s) => J::String(s.clone()),
            Kind::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Kind::Map(map) => J::Object(
                map.iter()
                    .map(|(key, value)| (key.clone(), value.to_json()))
                    .collect(),
            ),
        }
    }

    /// A tree without positions from JSON.
    pub fn from_json(value: &serde_json::Value) -> Self {
        use serde_json::Value as J;
        Self::new(match value {
            J::Null => Kind::Null,
            J::Bool(b) => Kind::Bool(*b),
            J::Number(n) => n
                .as_i64()
                .map_or_else(|| Kind::Float(n.as_f64().unwrap_or(f64::NAN)), Kind::Int),
            J::String(s) => Kind::Str(s.clone()),
            J::Array(items) => Kind::Seq(items.iter().map(Node::from_json).collect()),
            J::Object(map) => Kind::Map(
                map.iter()
                    .map(|(key, value)| (key.clone(), Node::from_json(value)))
                    .collect(),
            ),
        })
    }

    /// The value as text inside a larger string, as OmegaConf (Python's `str`) writes it.
    pub(crate) fn to_interpolated_text(&self) -> Option<String> {
        Some(match &self.kind {
            Kind::Null => "None".to_owned(),
            Kind::Bool(true) => "True".to_owned(),
            Kind::Bool(false) => "False".to_owned(),
            Kind::Int(i) => i.to_string(),
            Kind::Float(f) => python_float(*f),
            Kind::Str(s) => s.clone(),
            Kind::Seq(_) | Kind::Map(_) => return None,
        })
    }
}

/// Python's `repr` of a float, for the common cases.
fn python_float(f: f64) -> String {
    if f.is_nan() {
        "nan".to_owned()
    } else if f.is_infinite() {
        if f > 0.0 { "inf" } else { "-inf" }.to_owned()
    } else if f.fract() == 0.0 && f.abs() < 1e16 {
        format!("{f:.1}")
    } else {
        format!("{f}")
    }
}

/// Deep merge as OmegaConf does: mappings merge key by key, anything else is replaced.
pub(crate) fn deep_merge(base: &mut Node, over: Node) {
    match (&mut base.kind, over.kind) {
        (Kind::Map(base_map), Kind::Map(over_map)) => {
            for (key, value) in over_map {
                match base_map.get_mut(&key) {
                    Some(existing) => deep_merge(existing, value),
                    None => {
                        base_map.insert(key, value);
                    }
                }
            }
        }
        (_, kind) => {
            // The value is where the override was written (no position for `--params`).
            base.kind = kind;
            base.loc = over.loc;
        }
    }
}
