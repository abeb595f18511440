//! Configuration errors. Each names the file and line (when there is one) and the key.

use std::path::PathBuf;

use crate::tree::Loc;

/// An error reading configuration.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum ConfigError {
    /// A file is not valid YAML or JSON.
    #[error(
        "Invalid YAML or JSON file {}, unable to read line {line}, position {column}: {message}",
        file.display()
    )]
    #[diagnostic(code(weir::config::yaml))]
    Yaml {
        /// The file.
        file: PathBuf,
        /// The line, from 1.
        line: usize,
        /// The column, from 1.
        column: usize,
        /// What the parser says.
        message: String,
    },
    /// A problem with one value, located in its file.
    #[error("{}{message}", prefix(loc.as_ref(), key))]
    #[diagnostic(code(weir::config::value))]
    At {
        /// Where the value is written, if it comes from a file.
        loc: Option<Loc>,
        /// The key (a dotted path), or empty.
        key: String,
        /// What is wrong.
        message: String,
        /// How to fix it.
        #[help]
        help: Option<String>,
    },
    /// An environment folder does not exist.
    #[error(
        "Given configuration path either does not exist or is not a valid directory: {}",
        .0.display()
    )]
    #[diagnostic(
        code(weir::config::missing_env),
        help("create the folder, or choose another environment with `--env` or `$WEIR_ENV`")
    )]
    MissingEnv(PathBuf),
    /// No file matched a key's patterns in the base or run environment.
    #[error(
        "No files of YAML or JSON format found in {dirs} matching the glob pattern(s): {patterns:?}"
    )]
    #[diagnostic(code(weir::config::no_files))]
    NoFiles {
        /// The configuration key (`catalog`, `parameters`...).
        key: String,
        /// The folders searched.
        dirs: String,
        /// The patterns used.
        patterns: Vec<String>,
    },
    /// The same key in two files of one environment.
    #[error("{0}")]
    #[diagnostic(
        code(weir::config::duplicate_keys),
        help(
            "a key may appear in only one file of an environment; to override a value, put it in another environment (for example `conf/local`)"
        )
    )]
    DuplicateKeys(String),
    /// No patterns are configured for a key.
    #[error("No config patterns were found for '{0}' in your config loader")]
    #[diagnostic(code(weir::config::unknown_key))]
    UnknownKey(String),
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    #[diagnostic(code(weir::config::io))]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// A runtime parameter given on the command line is malformed.
    #[error("Invalid format of `params` option: {0}")]
    #[diagnostic(
        code(weir::config::params),
        help(
            "give parameters as `key=value` pairs separated by commas, e.g. `--params model.alpha=0.1,seed=3`"
        )
    )]
    RuntimeParams(String),
    /// Several problems at once.
    #[error("{} configuration problems:\n{}", .0.len(), .0.iter().map(|e| format!("  - {e}")).collect::<Vec<_>>().join("\n"))]
    #[diagnostic(code(weir::config::many))]
    Many(Vec<ConfigError>),
}

fn prefix(loc: Option<&Loc>, key: &str) -> String {
    let mut out = String::new();
    if let Some(loc) = loc {
        out.push_str(&format!("{loc}: "));
    }
    if !key.is_empty() {
        out.push_str(&format!("`{key}`: "));
    }
    out
}

impl ConfigError {
    /// An error about one value.
    pub fn at(loc: Option<&Loc>, key: impl Into<String>, message: impl Into<String>) -> Self {
        Self::At {
            loc: loc.cloned(),
            key: key.into(),
            message: message.into(),
            help: None,
        }
    }

    /// The same error with a hint on how to fix it.
    #[must_use]
    pub fn with_help(mut self, text: impl Into<String>) -> Self {
        if let Self::At { help, .. } = &mut self {
            *help = Some(text.into());
        }
        self
    }

    /// One error, or all of them.
    pub fn from_many(mut errors: Vec<ConfigError>) -> Option<Self> {
        match errors.len() {
            0 => None,
            1 => errors.pop(),
            _ => Some(Self::Many(errors)),
        }
    }
}
