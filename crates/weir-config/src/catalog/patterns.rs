//! Dataset factory patterns (`"{name}_csv":`): matching names as Kedro does, filling the
//! pattern's configuration in, and resolving names on first use ([`PatternResolver`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use weir_core::{AnyDataset, DatasetError, DatasetResolver};

use super::CatalogConfig;
use super::registry::DatasetRegistry;
use crate::tree::{Kind, Node};

/// Whether a catalog key is a factory pattern (has a `{field}`).
pub(super) fn is_pattern(name: &str) -> bool {
    name.contains('{')
}

/// A dataset factory pattern such as `"{name}_csv"`.
#[derive(Clone, Debug)]
pub(super) struct Pattern {
    pub(super) text: String,
    pieces: Vec<Piece>,
    pub(super) config: Node,
}

#[derive(Clone, Debug)]
enum Piece {
    Literal(Vec<char>),
    Field(String),
}

impl Pattern {
    pub(super) fn new(text: &str, config: Node) -> Self {
        let mut pieces = Vec::new();
        let mut literal = Vec::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '{' {
                let field: String = chars.by_ref().take_while(|c| *c != '}').collect();
                if !literal.is_empty() {
                    pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                }
                let name = field.split(':').next().unwrap_or_default().to_owned();
                pieces.push(Piece::Field(name));
            } else {
                literal.push(c);
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(literal));
        }
        Self {
            text: text.to_owned(),
            pieces,
            config,
        }
    }

    /// Characters outside `{...}`.
    pub(super) fn specificity(&self) -> usize {
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::Literal(chars) => chars.len(),
                Piece::Field(_) => 0,
            })
            .sum()
    }

    pub(super) fn placeholders(&self) -> usize {
        self.pieces
            .iter()
            .filter(|p| matches!(p, Piece::Field(_)))
            .count()
    }

    pub(super) fn fields(&self) -> Vec<&str> {
        self.pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Field(name) => Some(name.as_str()),
                Piece::Literal(_) => None,
            })
            .collect()
    }

    /// Matches the whole name as Python's `parse` does: case-insensitive, each field takes at
    /// least one character, as few as possible.
    pub(super) fn matches(&self, name: &str) -> Option<BTreeMap<String, String>> {
        let chars: Vec<char> = name.chars().collect();
        let mut captures = Vec::new();
        if self.match_from(0, &chars, 0, &mut captures) {
            Some(captures.into_iter().collect())
        } else {
            None
        }
    }

    fn match_from(
        &self,
        piece: usize,
        chars: &[char],
        pos: usize,
        captures: &mut Vec<(String, String)>,
    ) -> bool {
        let Some(current) = self.pieces.get(piece) else {
            return pos == chars.len();
        };
        match current {
            Piece::Literal(literal) => {
                let end = pos + literal.len();
                end <= chars.len()
                    && chars[pos..end]
                        .iter()
                        .zip(literal)
                        .all(|(a, b)| a.to_lowercase().eq(b.to_lowercase()))
                    && self.match_from(piece + 1, chars, end, captures)
            }
            Piece::Field(field) => {
                for end in pos + 1..=chars.len() {
                    captures.push((field.clone(), chars[pos..end].iter().collect()));
                    if self.match_from(piece + 1, chars, end, captures) {
                        return true;
                    }
                    captures.pop();
                }
                false
            }
        }
    }
}

/// Replaces `{field}` in every string of a configuration.
pub(super) fn fill(node: &Node, values: &BTreeMap<String, String>) -> Node {
    let kind = match &node.kind {
        Kind::Str(text) => {
            let mut out = text.clone();
            for (field, value) in values {
                out = out.replace(&format!("{{{field}}}"), value);
            }
            Kind::Str(out)
        }
        Kind::Seq(items) => Kind::Seq(items.iter().map(|i| fill(i, values)).collect()),
        Kind::Map(map) => Kind::Map(
            map.iter()
                .map(|(k, v)| (k.clone(), fill(v, values)))
                .collect(),
        ),
        other => other.clone(),
    };
    Node {
        kind,
        loc: node.loc.clone(),
    }
}

pub(super) fn placeholders_in(node: &Node, out: &mut Vec<String>) {
    match &node.kind {
        Kind::Str(text) => {
            let mut rest = text.as_str();
            while let Some(start) = rest.find('{') {
                let Some(len) = rest[start..].find('}') else {
                    break;
                };
                out.push(
                    rest[start + 1..start + len]
                        .split(':')
                        .next()
                        .unwrap_or_default()
                        .to_owned(),
                );
                rest = &rest[start + len + 1..];
            }
        }
        Kind::Seq(items) => items.iter().for_each(|i| placeholders_in(i, out)),
        Kind::Map(map) => map.values().for_each(|v| placeholders_in(v, out)),
        _ => {}
    }
}

/// Resolves names through the catalog's patterns (Kedro's dataset factories).
pub struct PatternResolver {
    pub(super) config: CatalogConfig,
    pub(super) registry: Arc<DatasetRegistry>,
}

impl DatasetResolver for PatternResolver {
    fn resolve(&self, name: &str) -> Option<Result<Arc<dyn AnyDataset>, DatasetError>> {
        let (pattern, values) = self.config.matching_pattern(name)?;
        if pattern.specificity() == 0 {
            tracing::warn!(
                "Config from the dataset pattern '{}' in the catalog will be used to override the default dataset creation for '{name}'",
                pattern.text
            );
        }
        let node = fill(&pattern.config, &values);
        Some(
            self.config
                .build_one(name, &node, &self.registry)
                .map_err(|e| DatasetError::message(e.to_string())),
        )
    }

    fn metadata(&self, name: &str) -> Option<serde_json::Value> {
        self.config
            .info(name)
            .map(|i| i.metadata)
            .filter(|m| !m.is_null())
    }
}
