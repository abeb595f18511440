//! YAML and JSON files into a located [`Node`] tree.
//!
//! Parsing uses `granit-parser` (the event parser behind `serde-saphyr`) so that every value
//! keeps its line, and so that scalars resolve exactly as PyYAML and OmegaConf read them in
//! Kedro ([`crate::scalar`]): anchors, aliases and `<<` merge keys work; duplicate keys in one
//! mapping are an error, as OmegaConf makes them.
//!
//! A file cannot make the loader slow or huge: aliases may add at most
//! [`ALIAS_EXPANSION_FLOOR`] values or [`ALIAS_EXPANSION_FACTOR`] times the values written so
//! far, whichever is more (a "billion laughs" file of a kilobyte would otherwise grow to
//! gigabytes), and values nest at most [`MAX_NESTING_DEPTH`] deep. Crossing either limit is an
//! error at the line that crossed it.

use std::path::Path;
use std::sync::Arc;

use granit_parser::{Event, Parser, ScalarStyle, Span};
use indexmap::IndexMap;

use crate::error::ConfigError;
use crate::scalar::{parse_bool, parse_float, resolve_plain};
use crate::tree::{Kind, Loc, Node};

/// Values that aliases may add to any file, however small: far more than anchors and `<<`
/// merge keys add to real configuration, far less than an alias bomb (a few megabytes of
/// memory).
pub const ALIAS_EXPANSION_FLOOR: usize = 100_000;

/// Values that aliases may add per value written in the file before them (scalars, lists and
/// mappings, counted once each), when that allows more than [`ALIAS_EXPANSION_FLOOR`]. This
/// keeps the loaded tree within about eleven times the size the file itself describes.
pub const ALIAS_EXPANSION_FACTOR: usize = 10;

/// The deepest nesting of lists and mappings, counting the top level as 1 and counting what
/// aliases bring in. Deeper trees are not configuration, and would make every later step that
/// walks the tree (merging, interpolation) risk overflowing the stack.
pub const MAX_NESTING_DEPTH: usize = 128;

/// Parses one YAML (or JSON) document. An empty document is an empty mapping.
///
/// Aliases that would expand past [`ALIAS_EXPANSION_FLOOR`] values (or
/// [`ALIAS_EXPANSION_FACTOR`] per value written, if more) and nesting deeper than
/// [`MAX_NESTING_DEPTH`] are errors naming the file and line.
///
/// ```
/// let bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n\
///             b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n\
///             c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n\
///             d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n\
///             e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n\
///             f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
/// let error = weir_config::yaml::parse(bomb, "bomb.yml".as_ref()).unwrap_err();
/// assert!(error.to_string().contains("alias bomb"), "{error}");
/// ```
pub fn parse(text: &str, file: &Path) -> Result<Node, ConfigError> {
    let file: Arc<Path> = Arc::from(file);
    let mut builder = Builder {
        file: &file,
        text,
        anchors: Vec::new(),
        stack: Vec::new(),
        documents: 0,
        root: None,
        written: 0,
        expanded: 0,
    };
    for next in Parser::new_from_str(text) {
        let (event, span) = next.map_err(|error| {
            let line = error.marker().line();
            let mut message = error.info().to_owned();
            let about_blocks = !message.contains("flow")
                && (message.contains("mapping values are not allowed")
                    || message.contains("block"));
            if let Some(hint) = indentation_hint(text, line).filter(|_| about_blocks) {
                message.push_str("; ");
                message.push_str(&hint);
            }
            ConfigError::Yaml {
                file: file.to_path_buf(),
                line,
                column: error.marker().col() + 1,
                message,
            }
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

/// A list or mapping being read, with the size and height of what it holds so far.
struct Frame {
    kind: FrameKind,
    loc: Loc,
    anchor: usize,
    /// Values inside, at any depth.
    size: usize,
    /// The height of the tallest value inside (a scalar is 1).
    height: usize,
}

enum FrameKind {
    Seq(Vec<Node>),
    Map {
        entries: Vec<(Node, Node)>,
        pending_key: Option<Node>,
    },
}

/// A node and how many values it holds (itself included) and how tall it is.
struct Sized {
    node: Node,
    size: usize,
    height: usize,
}

struct Builder<'a> {
    file: &'a Arc<Path>,
    text: &'a str,
    anchors: Vec<(usize, Sized)>,
    stack: Vec<Frame>,
    documents: usize,
    root: Option<Node>,
    /// Values written in the file so far.
    written: usize,
    /// Values added by aliases so far.
    expanded: usize,
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
                self.written += 1;
                let node = Sized {
                    node: Node {
                        kind,
                        loc: Some(loc),
                    },
                    size: 1,
                    height: 1,
                };
                self.remember(anchor, &node)?;
                self.push(node);
            }
            Event::Alias(id) => {
                let loc = self.loc(&span);
                let Some(index) = self.anchors.iter().rposition(|(a, _)| *a == id) else {
                    return Err(self.error(&loc, "found undefined alias"));
                };
                let (size, height) = (self.anchors[index].1.size, self.anchors[index].1.height);
                let what = match span.slice(self.text) {
                    Some(name) if !name.is_empty() => format!("the alias `{name}`"),
                    _ => "the alias".to_owned(),
                };
                if self.stack.len() + height > MAX_NESTING_DEPTH {
                    return Err(self.error(
                        &loc,
                        format!(
                            "{what} nests lists and mappings more than {MAX_NESTING_DEPTH} deep; write the nested values out, or nest fewer aliases inside one another"
                        ),
                    ));
                }
                self.copy(size, &loc, &what)?;
                let node = self.anchors[index].1.node.clone();
                self.push(Sized { node, size, height });
            }
            Event::SequenceStart(_, anchor, _) => {
                self.open(FrameKind::Seq(Vec::new()), &span, anchor)?;
            }
            Event::MappingStart(_, anchor, _) => {
                self.open(
                    FrameKind::Map {
                        entries: Vec::new(),
                        pending_key: None,
                    },
                    &span,
                    anchor,
                )?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(frame) = self.stack.pop() {
                    let kind = match frame.kind {
                        FrameKind::Seq(items) => Kind::Seq(items),
                        FrameKind::Map { entries, .. } => Kind::Map(self.build_map(entries)?),
                    };
                    let node = Sized {
                        node: Node {
                            kind,
                            loc: Some(frame.loc),
                        },
                        size: frame.size.saturating_add(1),
                        height: frame.height + 1,
                    };
                    self.remember(frame.anchor, &node)?;
                    self.push(node);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Starts a list or mapping, unless it nests too deep.
    fn open(&mut self, kind: FrameKind, span: &Span, anchor: usize) -> Result<(), ConfigError> {
        let loc = self.loc(span);
        if self.stack.len() >= MAX_NESTING_DEPTH {
            return Err(self.error(
                &loc,
                format!(
                    "lists and mappings nest more than {MAX_NESTING_DEPTH} deep; configuration this deep is most likely a mistake"
                ),
            ));
        }
        self.written += 1;
        self.stack.push(Frame {
            kind,
            loc,
            anchor,
            size: 0,
            height: 0,
        });
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

    /// Keeps a copy of an anchored value for its aliases. The copy counts against the alias
    /// limit too: anchors nested in anchors would otherwise copy a file many times over.
    fn remember(&mut self, anchor: usize, node: &Sized) -> Result<(), ConfigError> {
        if anchor != 0 {
            if node.size > 1 {
                let loc = node.node.loc.clone().unwrap_or_else(|| self.start());
                self.copy(node.size, &loc, "the anchored value starting here")?;
            }
            self.anchors.push((
                anchor,
                Sized {
                    node: node.node.clone(),
                    size: node.size,
                    height: node.height,
                },
            ));
        }
        Ok(())
    }

    /// Counts values copied for an anchor or alias, and refuses an alias bomb.
    fn copy(&mut self, size: usize, loc: &Loc, what: &str) -> Result<(), ConfigError> {
        self.expanded = self.expanded.saturating_add(size);
        let limit = ALIAS_EXPANSION_FLOOR.max(ALIAS_EXPANSION_FACTOR.saturating_mul(self.written));
        if self.expanded > limit {
            return Err(self.error(
                loc,
                format!(
                    "{what} brings the values copied for anchors and aliases to more than {limit} (the file writes {written} values up to here); this looks like an alias bomb (\"billion laughs\": anchored values made of aliases of other anchored values, each multiplying the last); write the values out, or refer to shared values fewer times",
                    written = self.written
                ),
            ));
        }
        Ok(())
    }

    /// The start of the file, for values with no position of their own.
    fn start(&self) -> Loc {
        Loc {
            file: Arc::clone(self.file),
            line: 1,
            column: 1,
        }
    }

    fn push(&mut self, sized: Sized) {
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(sized.node);
            return;
        };
        frame.size = frame.size.saturating_add(sized.size);
        frame.height = frame.height.max(sized.height);
        match &mut frame.kind {
            FrameKind::Seq(items) => items.push(sized.node),
            FrameKind::Map {
                entries,
                pending_key,
            } => match pending_key.take() {
                None => *pending_key = Some(sized.node),
                Some(key) => entries.push((key, sized.node)),
            },
        }
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

/// For a parse error at `line` (from 1) that comes from indentation, which lines to look at:
/// the parser stops where the text stops making sense, which can be the line after the one
/// indented wrongly.
fn indentation_hint(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let at = *lines.get(line.checked_sub(1)?)?;
    let meaningful = |l: &str| !l.trim().is_empty() && !l.trim_start().starts_with('#');
    if !meaningful(at) {
        return None;
    }
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let (above_number, above) = lines[..line - 1]
        .iter()
        .enumerate()
        .rev()
        .find(|(_, l)| meaningful(l))?;
    let above_number = above_number + 1;
    let opens_block = {
        let trimmed = above.trim_end();
        trimmed.ends_with(':')
            || trimmed.ends_with('|')
            || trimmed.ends_with('>')
            || trimmed.ends_with("|-")
            || trimmed.ends_with(">-")
            || trimmed.trim_start() == "-"
    };
    if indent(at) > indent(above) && !opens_block {
        Some(format!(
            "line {line} is indented more than line {above_number} above it (`{}`), which has its value already: one of the two lines is indented wrongly",
            above.trim()
        ))
    } else if indent(at) < indent(above) {
        Some(format!(
            "line {line} (`{}`) is indented less than line {above_number} above it but matches no block it could close: check its indentation (spaces only)",
            at.trim()
        ))
    } else {
        None
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

    /// Nine levels of ten aliases each: a kilobyte that would expand to a billion values.
    fn billion_laughs() -> String {
        let mut text = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (previous, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
            .iter()
            .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
        {
            let aliases = vec![format!("*{previous}"); 10].join(", ");
            text.push_str(&format!("{name}: &{name} [{aliases}]\n"));
        }
        text
    }

    #[test]
    fn an_alias_bomb_is_an_error_at_the_alias_that_crosses_the_limit() {
        let text = billion_laughs();
        assert!(text.len() < 1024);
        let error = parse(&text, Path::new("bomb.yml")).unwrap_err();
        // Copies so far: anchors a (11), b (111), c (1111), d (11111) and their aliases
        // (110 + 1110 + 11110); the seventh `*d` on line 5 crosses 100000.
        assert_eq!(
            error.to_string(),
            "Invalid YAML or JSON file bomb.yml, unable to read line 5, position 32: the alias `*d` brings the values copied for anchors and aliases to more than 100000 (the file writes 21 values up to here); this looks like an alias bomb (\"billion laughs\": anchored values made of aliases of other anchored values, each multiplying the last); write the values out, or refer to shared values fewer times"
        );
    }

    #[test]
    fn aliases_up_to_the_limit_load() {
        // An anchored list of 100 values (copied once for the anchor), then aliased 999 times:
        // 100000 copies, exactly the limit; one alias more crosses it.
        let anchored = vec!["x"; 99].join(", ");
        let aliases = |count: usize| vec!["*a"; count].join(", ");
        let text = format!("a: &a [{anchored}]\nb: [{}]\n", aliases(999));
        let node = parse(&text, Path::new("t.yml")).unwrap();
        assert_eq!(node.get_path("b.998.98").and_then(Node::as_str), Some("x"));

        let text = format!("a: &a [{anchored}]\nb: [{}]\n", aliases(1000));
        let error = parse(&text, Path::new("t.yml")).unwrap_err().to_string();
        assert!(
            error.starts_with(
                "Invalid YAML or JSON file t.yml, unable to read line 2, position 4001: the alias `*a` brings the values copied for anchors and aliases to more than 100000"
            ),
            "{error}"
        );
    }

    #[test]
    fn anchors_nested_in_anchors_count_as_copies() {
        // Each anchor copies everything inside it, so 120 nested anchors around 2000 values
        // copy them 120 times over, without a single alias.
        let depth = 120;
        let leaves = vec!["x"; 2000].join(", ");
        let mut text = String::new();
        for level in 0..depth {
            text.push_str(&format!("{}k{level}: &k{level}\n", "  ".repeat(level)));
        }
        text.push_str(&format!("{}leaves: [{leaves}]\n", "  ".repeat(depth)));
        let error = parse(&text, Path::new("t.yml")).unwrap_err().to_string();
        assert!(
            error.contains("the anchored value starting here brings the values copied for anchors and aliases to more than"),
            "{error}"
        );
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_an_error() {
        let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let node = parse(&nested(MAX_NESTING_DEPTH), Path::new("t.yml")).unwrap();
        assert!(matches!(node.kind, Kind::Seq(_)));
        let error = parse(&nested(MAX_NESTING_DEPTH + 1), Path::new("t.yml")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "Invalid YAML or JSON file t.yml, unable to read line 1, position 129: lists and mappings nest more than 128 deep; configuration this deep is most likely a mistake"
        );
        // 200 levels of block mappings: the parser's own limit (255) is not reached first.
        let mut text = String::new();
        for level in 0..200 {
            text.push_str(&format!("{}k:\n", " ".repeat(level)));
        }
        let error = parse(&text, Path::new("t.yml")).unwrap_err().to_string();
        assert!(
            error.contains(
                "unable to read line 129, position 129: lists and mappings nest more than 128 deep"
            ),
            "{error}"
        );
    }

    #[test]
    fn an_alias_may_not_nest_past_the_limit() {
        let deep = format!("{}1{}", "[".repeat(100), "]".repeat(100));
        let ok = format!("a: &a {deep}\nb: *a\n");
        assert!(parse(&ok, Path::new("t.yml")).is_ok());
        let too_deep = format!(
            "a: &a {deep}\nb: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[*a]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n"
        );
        let error = parse(&too_deep, Path::new("t.yml")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "Invalid YAML or JSON file t.yml, unable to read line 2, position 33: the alias `*a` nests lists and mappings more than 128 deep; write the nested values out, or nest fewer aliases inside one another"
        );
    }
}
