//! `${...}` interpolation, as OmegaConf does it in Kedro: references to other keys
//! (`${model.alpha}`, `${.sibling}`), `${globals:key, default}`, `${runtime_params:key, default}`,
//! `${oc.env:NAME, default}` (credentials only) and user resolvers. `\${` is a literal `${`.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::error::ConfigError;
use crate::scalar::resolve_plain;
use crate::tree::{Kind, Loc, Node};

/// A user resolver: `${name:arg1, arg2}` calls it with the arguments as JSON.
pub type ResolverFn =
    dyn Fn(&[serde_json::Value]) -> Result<serde_json::Value, String> + Send + Sync;

/// What interpolation may use.
pub(crate) struct Context<'a> {
    /// `${globals:...}`: `None` inside the globals files themselves.
    pub globals: Option<&'a dyn Fn() -> Result<Node, ConfigError>>,
    /// `${runtime_params:...}`: `None` inside globals, where Kedro does not allow it.
    pub runtime_params: Option<&'a Node>,
    /// Whether `${oc.env:...}` may read the environment (credentials only).
    pub env_vars: bool,
    /// User resolvers.
    pub resolvers: &'a BTreeMap<String, Arc<ResolverFn>>,
}

#[derive(Debug, Clone)]
enum Part {
    Text(String),
    Interp(Interp),
}

#[derive(Debug, Clone)]
enum Interp {
    Ref(String),
    Call { name: String, args: Vec<Arg> },
}

#[derive(Debug, Clone)]
struct Arg {
    parts: Vec<Part>,
    quoted: bool,
}

/// Whether a string holds an interpolation.
pub(crate) fn has_interpolation(text: &str) -> bool {
    text.contains("${")
}

/// Resolves every interpolation in a tree.
pub(crate) fn resolve_tree(root: &Node, ctx: &Context<'_>) -> Result<Node, ConfigError> {
    let mut resolver = Resolver {
        root,
        ctx,
        visiting: Vec::new(),
        globals_cache: None,
    };
    resolver.resolve(root, &mut Vec::new())
}

struct Resolver<'a, 'c> {
    root: &'a Node,
    ctx: &'a Context<'c>,
    visiting: Vec<String>,
    globals_cache: Option<Node>,
}

impl Resolver<'_, '_> {
    fn resolve(&mut self, node: &Node, path: &mut Vec<String>) -> Result<Node, ConfigError> {
        let kind = match &node.kind {
            Kind::Str(text) if has_interpolation(text) => {
                let key = path.join(".");
                let parts = parse_template(text)
                    .map_err(|message| ConfigError::at(node.loc.as_ref(), &key, message))?;
                if self.visiting.contains(&key) {
                    let chain = self.visiting.join(" -> ");
                    return Err(ConfigError::at(
                        node.loc.as_ref(),
                        &key,
                        format!("interpolation cycle: {chain} -> {key}"),
                    ));
                }
                self.visiting.push(key.clone());
                let result = self.evaluate(&parts, node.loc.as_ref(), &key, path);
                self.visiting.pop();
                return result.map(|kind| Node {
                    kind,
                    loc: node.loc.clone(),
                });
            }
            Kind::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    path.push(i.to_string());
                    out.push(self.resolve(item, path)?);
                    path.pop();
                }
                Kind::Seq(out)
            }
            Kind::Map(map) => {
                let mut out = indexmap::IndexMap::with_capacity(map.len());
                for (k, v) in map {
                    path.push(k.clone());
                    out.insert(k.clone(), self.resolve(v, path)?);
                    path.pop();
                }
                Kind::Map(out)
            }
            other => other.clone(),
        };
        Ok(Node {
            kind,
            loc: node.loc.clone(),
        })
    }

    fn evaluate(
        &mut self,
        parts: &[Part],
        loc: Option<&Loc>,
        key: &str,
        path: &[String],
    ) -> Result<Kind, ConfigError> {
        if let [Part::Interp(interp)] = parts {
            return self.interp(interp, loc, key, path);
        }
        let mut text = String::new();
        for part in parts {
            match part {
                Part::Text(t) => text.push_str(t),
                Part::Interp(interp) => {
                    let value = Node::new(self.interp(interp, loc, key, path)?);
                    let piece = value.to_interpolated_text().ok_or_else(|| {
                        ConfigError::at(
                            loc,
                            key,
                            format!(
                                "cannot put {} inside a string: the interpolation must be the whole value",
                                value.kind_name()
                            ),
                        )
                    })?;
                    text.push_str(&piece);
                }
            }
        }
        Ok(Kind::Str(text))
    }

    fn arg(
        &mut self,
        arg: &Arg,
        loc: Option<&Loc>,
        key: &str,
        path: &[String],
    ) -> Result<Kind, ConfigError> {
        if arg.quoted {
            return self.evaluate(&arg.parts, loc, key, path);
        }
        if let [Part::Text(text)] = arg.parts.as_slice() {
            return Ok(resolve_plain(text.trim()));
        }
        if arg.parts.is_empty() {
            return Ok(Kind::Str(String::new()));
        }
        self.evaluate(&arg.parts, loc, key, path)
    }

    fn interp(
        &mut self,
        interp: &Interp,
        loc: Option<&Loc>,
        key: &str,
        path: &[String],
    ) -> Result<Kind, ConfigError> {
        match interp {
            Interp::Ref(reference) => self.reference(reference, loc, key, path),
            Interp::Call { name, args } => {
                let mut values = Vec::with_capacity(args.len());
                for arg in args {
                    values.push(Node::new(self.arg(arg, loc, key, path)?));
                }
                self.call(name, &values, loc, key)
            }
        }
    }

    fn reference(
        &mut self,
        reference: &str,
        loc: Option<&Loc>,
        key: &str,
        path: &[String],
    ) -> Result<Kind, ConfigError> {
        // Relative references: `.b` is a sibling, `..b` is in the parent's container.
        let absolute: Vec<String> = if let Some(rest) = reference.strip_prefix('.') {
            let extra_dots = rest.chars().take_while(|c| *c == '.').count();
            let rest = &rest[extra_dots..];
            let container_len = path.len().saturating_sub(1 + extra_dots);
            path[..container_len]
                .iter()
                .cloned()
                .chain(rest.split('.').filter(|s| !s.is_empty()).map(str::to_owned))
                .collect()
        } else {
            reference.split('.').map(str::to_owned).collect()
        };
        let target = absolute.join(".");
        let Some(raw) = self.root.get_path(&target) else {
            return Err(ConfigError::at(
                loc,
                key,
                format!("Interpolation key '{reference}' not found"),
            )
            .with_help("interpolation refers to keys of the same kind of file in the same environment (an environment cannot refer to a key only in `base`); use `${globals:...}` for values shared between files"));
        };
        let raw = raw.clone();
        let mut target_path = absolute;
        self.resolve(&raw, &mut target_path).map(|node| node.kind)
    }

    fn call(
        &mut self,
        name: &str,
        args: &[Node],
        loc: Option<&Loc>,
        key: &str,
    ) -> Result<Kind, ConfigError> {
        let text_arg =
            |i: usize| -> Option<String> { args.get(i).and_then(Node::to_interpolated_text) };
        match name {
            "globals" => {
                let Some(globals) = self.ctx.globals else {
                    return Err(ConfigError::at(
                        loc,
                        key,
                        "The globals: resolver is not supported inside globals files.",
                    ));
                };
                let Some(wanted) = text_arg(0) else {
                    return Err(ConfigError::at(loc, key, "`${globals:...}` needs a key"));
                };
                if wanted.starts_with('_') {
                    return Err(ConfigError::at(
                        loc,
                        key,
                        format!(
                            "Keys starting with '_' are not supported for globals (got '{wanted}')."
                        ),
                    ));
                }
                if self.globals_cache.is_none() {
                    self.globals_cache = Some(globals()?);
                }
                let found = self
                    .globals_cache
                    .as_ref()
                    .and_then(|g| g.get_path(&wanted))
                    .map(|n| n.kind.clone());
                found.or_else(|| args.get(1).map(|d| d.kind.clone())).ok_or_else(|| {
                    ConfigError::at(
                        loc,
                        key,
                        format!("Globals key '{wanted}' not found and no default value provided."),
                    )
                    .with_help("define it in `globals.yml` of `conf/base` or of the run environment, or give a default: `${globals:key, default}`")
                })
            }
            "runtime_params" => {
                let Some(runtime) = self.ctx.runtime_params else {
                    return Err(ConfigError::at(
                        loc,
                        key,
                        "The runtime_params: resolver is not supported for globals.",
                    ));
                };
                let Some(wanted) = text_arg(0) else {
                    return Err(ConfigError::at(
                        loc,
                        key,
                        "`${runtime_params:...}` needs a key",
                    ));
                };
                runtime
                    .get_path(&wanted)
                    .map(|n| n.kind.clone())
                    .or_else(|| args.get(1).map(|d| d.kind.clone()))
                    .ok_or_else(|| {
                        ConfigError::at(
                            loc,
                            key,
                            format!("Runtime parameter '{wanted}' not found and no default value provided."),
                        )
                        .with_help(format!("pass it with `--params {wanted}=<value>`, or give a default: `${{runtime_params:{wanted}, default}}`"))
                    })
            }
            "oc.env" => {
                if !self.ctx.env_vars {
                    return Err(ConfigError::at(loc, key, "Unsupported interpolation type oc.env")
                        .with_help("environment variables can only be read in credentials files (`conf/<env>/credentials*.yml`), as in Kedro; use `${runtime_params:...}` or `${globals:...}` elsewhere"));
                }
                let Some(variable) = text_arg(0) else {
                    return Err(ConfigError::at(
                        loc,
                        key,
                        "`${oc.env:...}` needs a variable name",
                    ));
                };
                match std::env::var(&variable) {
                    Ok(value) => Ok(Kind::Str(value)),
                    Err(_) => match args.get(1) {
                        Some(default) => Ok(match &default.kind {
                            Kind::Null => Kind::Null,
                            _ => Kind::Str(default.to_interpolated_text().unwrap_or_default()),
                        }),
                        None => Err(ConfigError::at(
                            loc,
                            key,
                            format!("Environment variable '{variable}' not found"),
                        )
                        .with_help(format!("set `{variable}` in the environment, or give a default: `${{oc.env:{variable}, default}}`"))),
                    },
                }
            }
            other => match self.ctx.resolvers.get(other) {
                Some(resolver) => {
                    let json: Vec<serde_json::Value> = args.iter().map(Node::to_json).collect();
                    resolver(&json)
                        .map(|value| Node::from_json(&value).kind)
                        .map_err(|message| {
                            ConfigError::at(
                                loc,
                                key,
                                format!("resolver `{other}` failed: {message}"),
                            )
                        })
                }
                None => Err(ConfigError::at(
                    loc,
                    key,
                    format!("Unsupported interpolation type {other}"),
                )
                .with_help(format!(
                    "known resolvers: globals, runtime_params, oc.env (credentials only){}",
                    self.ctx
                        .resolvers
                        .keys()
                        .map(|k| format!(", {k}"))
                        .collect::<String>()
                ))),
            },
        }
    }
}

/// Splits a string into text and `${...}` parts.
fn parse_template(text: &str) -> Result<Vec<Part>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut pos = 0;
    let parts = parse_parts(&chars, &mut pos, &[])?;
    if pos != chars.len() {
        return Err(format!("unexpected `{}` in {text:?}", chars[pos]));
    }
    Ok(parts)
}

fn parse_parts(chars: &[char], pos: &mut usize, stops: &[char]) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut text = String::new();
    while *pos < chars.len() {
        let c = chars[*pos];
        if stops.contains(&c) {
            break;
        }
        if c == '\\' && chars.get(*pos + 1) == Some(&'$') && chars.get(*pos + 2) == Some(&'{') {
            text.push_str("${");
            *pos += 3;
            continue;
        }
        if c == '$' && chars.get(*pos + 1) == Some(&'{') {
            if !text.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut text)));
            }
            *pos += 2;
            parts.push(Part::Interp(parse_interp(chars, pos)?));
            continue;
        }
        text.push(c);
        *pos += 1;
    }
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    Ok(parts)
}

fn parse_interp(chars: &[char], pos: &mut usize) -> Result<Interp, String> {
    let start = *pos;
    while *pos < chars.len() && chars[*pos].is_whitespace() {
        *pos += 1;
    }
    let name_start = *pos;
    while *pos < chars.len() && !matches!(chars[*pos], ':' | '}' | '$' | ',') {
        *pos += 1;
    }
    let name: String = chars[name_start..*pos]
        .iter()
        .collect::<String>()
        .trim()
        .to_owned();
    match chars.get(*pos) {
        Some('}') => {
            *pos += 1;
            if name.is_empty() {
                return Err("empty interpolation `${}`".to_owned());
            }
            Ok(Interp::Ref(name))
        }
        Some(':') => {
            *pos += 1;
            let mut args = Vec::new();
            loop {
                while *pos < chars.len() && chars[*pos].is_whitespace() {
                    *pos += 1;
                }
                if chars.get(*pos) == Some(&'}') && args.is_empty() {
                    *pos += 1;
                    break;
                }
                let arg = match chars.get(*pos) {
                    Some(&quote @ ('\'' | '"')) => {
                        *pos += 1;
                        let parts = parse_parts(chars, pos, &[quote])?;
                        if chars.get(*pos) != Some(&quote) {
                            return Err("unterminated quoted argument".to_owned());
                        }
                        *pos += 1;
                        while *pos < chars.len() && chars[*pos].is_whitespace() {
                            *pos += 1;
                        }
                        Arg {
                            parts,
                            quoted: true,
                        }
                    }
                    _ => Arg {
                        parts: parse_parts(chars, pos, &[',', '}'])?,
                        quoted: false,
                    },
                };
                args.push(arg);
                match chars.get(*pos) {
                    Some(',') => *pos += 1,
                    Some('}') => {
                        *pos += 1;
                        break;
                    }
                    _ => {
                        let seen: String = chars[start..].iter().collect();
                        return Err(format!("unterminated interpolation `${{{seen}`"));
                    }
                }
            }
            Ok(Interp::Call { name, args })
        }
        _ => {
            let seen: String = chars[start..].iter().collect();
            Err(format!("unterminated interpolation `${{{seen}`"))
        }
    }
}
