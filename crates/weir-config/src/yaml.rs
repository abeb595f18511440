//! YAML and JSON files into a located [`Node`] tree.
//!
//! Parsing uses `granit-parser` (the event parser behind `serde-saphyr`) so that every value
//! keeps its line, and so that scalars resolve exactly as PyYAML and OmegaConf read them in
//! Kedro ([`crate::scalar`]): anchors, aliases and `<<` merge keys work; duplicate keys in one
//! mapping are an error, as OmegaConf makes them.

use std::path::Path;
use std::sync::Arc;

use granit_parser::{Event, Parser, ScalarStyle, Span};
use indexmap::IndexMap;

use crate::error::ConfigError;
use crate::scalar::{parse_bool, parse_float, resolve_plain};
use crate::tree::{Kind, Loc, Node};

/// Parses one YAML (or JSON) document. An empty document is an empty mapping.
pub fn parse(text: &str, file: &Path) -> Result<Node, ConfigError> {
    let file: Arc<Path> = Arc::from(file);
    let mut builder = Builder {
        file: &file,
        anchors: Vec::new(),
        stack: Vec::new(),
        documents: 0,
        root: None,
    };
    for next in Parser::new_from_str(text) {
        let (event, span) = next.map_err(|error| ConfigError::Yaml {
            file: file.to_path_buf(),
            line: error.marker().line(),
            column: error.marker().col() + 1,
            message: error.info(),
        })?;
        builder.event(event, span)?;
    }
    Ok(builder.root.unwrap_or_else(|| Node {
        kind: Kind::Map(IndexMap::new()),
        loc: Some(Loc {
            file: Arc::clone(&file),
            line: 1,
            column: 1,
        }),
    }))
}

enum Frame {
    Seq {
        items: Vec<Node>,
        loc: Loc,
        anchor: usize,
    },
    Map {
        entries: Vec<(Node, Node)>,
        pending_key: Option<Node>,
        loc: Loc,
        anchor: usize,
    },
}

struct Builder<'a> {
    file: &'a Arc<Path>,
    anchors: Vec<(usize, Node)>,
    stack: Vec<Frame>,
    documents: usize,
    root: Option<Node>,
}

impl Builder<'_> {
    fn loc(&self, span: &Span) -> Loc {
        Loc {
            file: Arc::clone(self.file),
            line: span.start.line(),
            column: span.start.col() + 1,
        }
    }

    fn error(&self, loc: &Loc, message: impl Into<String>) -> ConfigError {
        ConfigError::Yaml {
            file: self.file.to_path_buf(),
            line: loc.line,
            column: loc.column,
            message: message.into(),
        }
    }

    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), ConfigError> {
        match event {
            Event::DocumentStart(..) => {
                self.documents += 1;
                if self.documents > 1 {
                    let loc = self.loc(&span);
                    return Err(self.error(
                        &loc,
                        "expected a single document in the stream, found another (`---`)",
                    ));
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let loc = self.loc(&span);
                let kind = match tag {
                    Some(tag) if tag.is_yaml_core_schema() => {
                        self.tagged(&text, tag.suffix(), &loc)?
                    }
                    Some(tag) => {
                        return Err(self.error(
                            &loc,
                            format!(
                                "could not determine a constructor for the tag '{}{}'",
                                tag.handle(),
                                tag.suffix()
                            ),
                        ));
                    }
                    None if style == ScalarStyle::Plain => resolve_plain(&text),
                    None => Kind::Str(text.into_owned()),
                };
                let node = Node {
                    kind,
                    loc: Some(loc),
                };
                self.remember(anchor, &node);
                self.push(node)?;
            }
            Event::Alias(id) => {
                let loc = self.loc(&span);
                let Some((_, node)) = self.anchors.iter().rev().find(|(a, _)| *a == id) else {
                    return Err(self.error(&loc, "found undefined alias"));
                };
                let node = node.clone();
                self.push(node)?;
            }
            Event::SequenceStart(_, anchor, _) => {
                let loc = self.loc(&span);
                self.stack.push(Frame::Seq {
                    items: Vec::new(),
                    loc,
                    anchor,
                });
            }
            Event::MappingStart(_, anchor, _) => {
                let loc = self.loc(&span);
                self.stack.push(Frame::Map {
                    entries: Vec::new(),
                    pending_key: None,
                    loc,
                    anchor,
                });
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq { items, loc, anchor }) = self.stack.pop() {
                    let node = Node {
                        kind: Kind::Seq(items),
                        loc: Some(loc),
                    };
                    self.remember(anchor, &node);
                    self.push(node)?;
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map {
                    entries,
                    loc,
                    anchor,
                    ..
                }) = self.stack.pop()
                {
                    let map = self.build_map(entries)?;
                    let node = Node {
                        kind: Kind::Map(map),
                        loc: Some(loc),
                    };
                    self.remember(anchor, &node);
                    self.push(node)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn tagged(&self, text: &str, suffix: &str, loc: &Loc) -> Result<Kind, ConfigError> {
        let bad = || self.error(loc, format!("cannot read {text:?} as !!{suffix}"));
        Ok(match suffix {
            "str" => Kind::Str(text.to_owned()),
            "null" => Kind::Null,
            "bool" => Kind::Bool(parse_bool(text).ok_or_else(bad)?),
            "int" => match resolve_plain(text) {
                Kind::Int(i) => Kind::Int(i),
                _ => return Err(bad()),
            },
            "float" => match resolve_plain(text) {
                Kind::Int(i) =>
                {
                    #[allow(clippy::cast_precision_loss)]
                    Kind::Float(i as f64)
                }
                _ => Kind::Float(parse_float(text).ok_or_else(bad)?),
            },
            other => {
                return Err(self.error(
                    loc,
                    format!("the tag !!{other} is not supported on a scalar"),
                ));
            }
        })
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor != 0 {
            self.anchors.push((anchor, node.clone()));
        }
    }

    fn push(&mut self, node: Node) -> Result<(), ConfigError> {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => entries.push((key, node)),
            },
        }
        Ok(())
    }

    fn build_map(&self, entries: Vec<(Node, Node)>) -> Result<IndexMap<String, Node>, ConfigError> {
        let mut map: IndexMap<String, Node> = IndexMap::with_capacity(entries.len());
        let mut merged: Vec<Node> = Vec::new();
        for (key, mut value) in entries {
            let key_loc = key.loc.clone().unwrap_or_else(|| Loc {
                file: Arc::clone(self.file),
                line: 1,
                column: 1,
            });
            let name = match key.kind {
                Kind::Str(s) if s == "<<" => {
                    merged.push(value);
                    continue;
                }
                Kind::Str(s) => s,
                Kind::Null => "null".to_owned(),
                Kind::Bool(b) => if b { "True" } else { "False" }.to_owned(),
                Kind::Int(i) => i.to_string(),
                Kind::Float(f) => f.to_string(),
                Kind::Seq(_) | Kind::Map(_) => {
                    return Err(self.error(&key_loc, "a mapping key must be a scalar"));
                }
            };
            if map.contains_key(&name) {
                return Err(self.error(
                    &key_loc,
                    format!("while constructing a mapping: found duplicate key {name}"),
                ));
            }
            value.loc = Some(key_loc);
            map.insert(name, value);
        }
        // `<<: *base` and `<<: [*a, *b]`: merged keys never override explicit ones, and earlier
        // sources win over later ones.
        for source in merged {
            let loc = source.loc.clone();
            let sources = match source.kind {
                Kind::Map(m) => vec![m],
                Kind::Seq(items) => items
                    .into_iter()
                    .map(|item| match item.kind {
                        Kind::Map(m) => Ok(m),
                        _ => Err(()),
                    })
                    .collect::<Result<Vec<_>, ()>>()
                    .map_err(|()| {
                        self.error(
                            loc.as_ref().unwrap_or(&Loc {
                                file: Arc::clone(self.file),
                                line: 1,
                                column: 1,
                            }),
                            "a merge key `<<` needs a mapping or a list of mappings",
                        )
                    })?,
                _ => {
                    return Err(self.error(
                        loc.as_ref().unwrap_or(&Loc {
                            file: Arc::clone(self.file),
                            line: 1,
                            column: 1,
                        }),
                        "a merge key `<<` needs a mapping or a list of mappings",
                    ));
                }
            };
            for source in sources {
                for (key, value) in source {
                    map.entry(key).or_insert(value);
                }
            }
        }
        Ok(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> serde_json::Value {
        parse(text, Path::new("t.yml")).unwrap().to_json()
    }

    #[test]
    fn scalars_quotes_anchors_and_merge_keys() {
        let value = json(
            "a: yes\nb: 'yes'\nc: \"1\"\nd: 1.5\n_base: &base\n  type: pandas.CSVDataset\n  load_args: {sep: ','}\ne:\n  <<: *base\n  filepath: x.csv\nf: [1, two, null]\ng: !!str 12\n",
        );
        assert_eq!(
            value,
            serde_json::json!({
                "a": true, "b": "yes", "c": "1", "d": 1.5,
                "_base": {"type": "pandas.CSVDataset", "load_args": {"sep": ","}},
                "e": {"filepath": "x.csv", "type": "pandas.CSVDataset", "load_args": {"sep": ","}},
                "f": [1, "two", null], "g": "12"
            })
        );
    }

    #[test]
    fn explicit_keys_win_over_merged_ones() {
        let value = json("base: &b {x: 1, y: 2}\nc:\n  x: 9\n  <<: *b\n");
        assert_eq!(value["c"], serde_json::json!({"x": 9, "y": 2}));
    }

    #[test]
    fn empty_file_is_an_empty_mapping() {
        assert_eq!(json("# only a comment\n"), serde_json::json!({}));
    }

    #[test]
    fn positions_and_errors() {
        let node = parse("a:\n  b: 1\n  c: 2\n", Path::new("p.yml")).unwrap();
        let c = node.get_path("a.c").unwrap();
        assert_eq!(c.loc.as_ref().map(|l| (l.line, l.column)), Some((3, 3)));

        let error = parse("a: 1\na: 2\n", Path::new("p.yml")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "Invalid YAML or JSON file p.yml, unable to read line 2, position 1: while constructing a mapping: found duplicate key a"
        );
        let error = parse("a: [1, 2\nb: 3\n", Path::new("p.yml")).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("Invalid YAML or JSON file p.yml, unable to read line"),
            "{error}"
        );
    }

    #[test]
    fn json_files_parse_too() {
        assert_eq!(
            json(r#"{"a": {"b": [1, 2.5, "x", true, null]}}"#),
            serde_json::json!({"a": {"b": [1, 2.5, "x", true, null]}})
        );
    }
}
