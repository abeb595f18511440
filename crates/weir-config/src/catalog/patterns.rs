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
    /// least one character, as few as possible (earlier fields first).
    ///
    /// Time is bounded by pieces × name length × literal length: a table first records, for
    /// every piece and position, whether the rest of the pattern can match the rest of the
    /// name, so each field then takes the shortest text that leaves a match possible, without
    /// backtracking (a pattern with ten fields against a long name would otherwise take
    /// exponential time).
    pub(super) fn matches(&self, name: &str) -> Option<BTreeMap<String, String>> {
        let chars: Vec<char> = name.chars().collect();
        let table = self.feasible(&chars);
        let can =
            |piece: usize, pos: usize| table.get(piece * (chars.len() + 1) + pos) == Some(&true);
        if !can(0, 0) {
            return None;
        }
        let mut captures = BTreeMap::new();
        let mut pos = 0;
        for (index, piece) in self.pieces.iter().enumerate() {
            match piece {
                Piece::Literal(literal) => pos += literal.len(),
                Piece::Field(field) => {
                    let end = (pos + 1..=chars.len()).find(|end| can(index + 1, *end))?;
                    // A field named twice keeps its last value, as the matcher always did.
                    captures.insert(field.clone(), chars[pos..end].iter().collect());
                    pos = end;
                }
            }
        }
        Some(captures)
    }

    /// `table[piece * (n + 1) + pos]`: whether `pieces[piece..]` matches `chars[pos..]`.
    fn feasible(&self, chars: &[char]) -> Vec<bool> {
        let width = chars.len() + 1;
        let mut table = vec![false; (self.pieces.len() + 1) * width];
        // Nothing left of the pattern matches only the end of the name.
        table[self.pieces.len() * width + chars.len()] = true;
        for (index, piece) in self.pieces.iter().enumerate().rev() {
            let (row, rest) = table.split_at_mut((index + 1) * width);
            let row = &mut row[index * width..];
            let next = &rest[..width];
            match piece {
                Piece::Literal(literal) => {
                    for pos in 0..width {
                        let end = pos + literal.len();
                        row[pos] = end < width
                            && next[end]
                            && chars[pos..end]
                                .iter()
                                .zip(literal)
                                .all(|(a, b)| a.to_lowercase().eq(b.to_lowercase()));
                    }
                }
                Piece::Field(_) => {
                    // A field at `pos` ends anywhere after it: some later position must work.
                    let mut later = false;
                    for pos in (0..width).rev() {
                        row[pos] = later;
                        later |= next[pos];
                    }
                }
            }
        }
        table
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn pattern(text: &str) -> Pattern {
        Pattern::new(text, Node::empty_map())
    }

    /// The matcher as it was, backtracking: the reference for the table-driven one.
    fn backtracking(pattern: &Pattern, name: &str) -> Option<BTreeMap<String, String>> {
        fn match_from(
            pieces: &[Piece],
            chars: &[char],
            pos: usize,
            captures: &mut Vec<(String, String)>,
        ) -> bool {
            let Some((current, rest)) = pieces.split_first() else {
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
                        && match_from(rest, chars, end, captures)
                }
                Piece::Field(field) => {
                    for end in pos + 1..=chars.len() {
                        captures.push((field.clone(), chars[pos..end].iter().collect()));
                        if match_from(rest, chars, end, captures) {
                            return true;
                        }
                        captures.pop();
                    }
                    false
                }
            }
        }
        let chars: Vec<char> = name.chars().collect();
        let mut captures = Vec::new();
        match_from(&pattern.pieces, &chars, 0, &mut captures)
            .then(|| captures.into_iter().collect())
    }

    #[test]
    fn ten_fields_against_a_long_name_finish() {
        // Backtracking would try every way to cut 5000 characters into ten fields.
        let ten = pattern("{a}_{b}_{c}_{d}_{e}_{f}_{g}_{h}_{i}_{j}.csv");
        let long = "x_".repeat(2500);
        assert_eq!(ten.matches(&long), None);

        let name = format!("{long}end.csv");
        let values = ten.matches(&name).unwrap();
        for field in ["a", "b", "c", "d", "e", "f", "g", "h", "i"] {
            assert_eq!(values[field], "x");
        }
        assert_eq!(values["j"], format!("{}end", "x_".repeat(2491)));
    }

    #[test]
    fn fields_take_as_little_as_possible_and_literals_ignore_case() {
        let values = pattern("{ns}.{name}_DATA").matches("a.b.c_data").unwrap();
        assert_eq!(values["ns"], "a");
        assert_eq!(values["name"], "b.c");
        assert_eq!(pattern("{a}{b}").matches("x"), None);
        assert_eq!(pattern("{a}{b}").matches("xyz").unwrap()["b"], "yz");
        // A field named twice keeps its last value.
        assert_eq!(pattern("{a}_{a}").matches("x_y").unwrap()["a"], "y");
        assert!(pattern("plain").matches("PLAIN").unwrap().is_empty());
    }

    fn pattern_text() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                Just("a"),
                Just("b"),
                Just("_"),
                Just("ß"),
                Just("{x}"),
                Just("{y}"),
                Just("{z}")
            ],
            0..7,
        )
        .prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn the_table_matcher_agrees_with_backtracking(
            text in pattern_text(),
            name in "[abAB_ß]{0,12}",
        ) {
            let pattern = pattern(&text);
            prop_assert_eq!(pattern.matches(&name), backtracking(&pattern, &name));
        }
    }
}
