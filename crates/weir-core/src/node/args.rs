//! What a node's arguments take from the catalog: owned values, shared values, parameters.

use std::ops::Deref;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::error::ExtractError;
use crate::value::{Data, TypeInfo, Value};

/// A parameter from `parameters.yml`, deserialized into `T`.
///
/// Bind it to a `params:` input (`params:model_options`) or to `parameters`. The parameter is
/// deserialized before the pipeline runs to check it fits `T`, so a typo in a parameter file is
/// reported up front, with the path of the bad value.
///
/// ```
/// use serde::Deserialize;
/// use weir_core::{node, Param};
///
/// #[derive(Deserialize)]
/// struct Options { test_size: f64 }
///
/// fn split(rows: Vec<f64>, options: Param<Options>) -> (Vec<f64>, Vec<f64>) {
///     let at = (rows.len() as f64 * (1.0 - options.test_size)) as usize;
///     (rows[..at].to_vec(), rows[at..].to_vec())
/// }
///
/// let split = node(split).inputs(["rows", "params:options"]).outputs(["train", "test"]);
/// assert_eq!(split.input_names(), ["rows", "params:options"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Param<T>(pub T);

impl<T> Param<T> {
    /// The parameter's value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Param<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// How a node argument takes its value from the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// An owned value (`T: Data + Clone`), moved out when no one else holds it, cloned otherwise.
    Owned,
    /// A shared value (`Arc<T>`), never copied.
    Shared,
    /// A parameter (`Param<T>`), deserialized from the parameter tree.
    Param,
}

/// Tries to deserialize a parameter value into a `Param<T>`'s `T`.
type ParamCheck = fn(&serde_json::Value) -> Result<(), ParamMismatch>;

/// Why a parameter value does not deserialize into a `Param<T>`'s `T`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamMismatch {
    /// Where inside the value it failed (`test_size`, `features[2]`); `None` for the value
    /// itself.
    pub path: Option<String>,
    /// What serde said.
    pub message: String,
}

impl std::fmt::Display for ParamMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.path {
            Some(path) => write!(f, "at `{path}`: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// What a node argument expects, declared when the node is built.
#[derive(Clone, Copy)]
pub struct ArgSpec {
    value_type: TypeInfo,
    kind: ArgKind,
    param_type: Option<TypeInfo>,
    check_param: Option<ParamCheck>,
}

impl ArgSpec {
    /// The type of value the argument takes from the catalog (`serde_json::Value` for
    /// parameters).
    pub fn value_type(&self) -> TypeInfo {
        self.value_type
    }

    /// How the argument takes its value.
    pub fn kind(&self) -> ArgKind {
        self.kind
    }

    /// For a `Param<T>`, the type `T`.
    pub fn param_type(&self) -> Option<TypeInfo> {
        self.param_type
    }

    /// For a `Param<T>`, tries to deserialize a parameter value into `T`.
    pub fn check_param(&self, value: &serde_json::Value) -> Result<(), ParamMismatch> {
        match self.check_param {
            Some(check) => check(value),
            None => Ok(()),
        }
    }

    /// The type as it appears in the function's signature (`Arc<T>`, `Param<T>` or `T`).
    pub fn signature_type(&self) -> String {
        match self.kind {
            ArgKind::Owned => self.value_type.short_name(),
            ArgKind::Shared => format!("Arc<{}>", self.value_type.short_name()),
            ArgKind::Param => format!(
                "Param<{}>",
                self.param_type.unwrap_or(self.value_type).short_name()
            ),
        }
    }
}

/// A type a node function may take as an argument: `T: Data + Clone`, `Arc<T: Data>` or
/// `Param<T: DeserializeOwned>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a node argument",
    label = "not a node argument",
    note = "node arguments are `T` where `T: Data + Clone`, `Arc<T>` where `T: Data`, or `Param<T>` where `T: DeserializeOwned`",
    note = "for a type of your own, add `#[derive(Data)]` (and `Clone`, or take it as `Arc<T>`); for a parameter type, add `#[derive(Deserialize)]`"
)]
pub trait NodeArg: Sized + Send + 'static {
    /// What the argument expects from the catalog.
    fn spec() -> ArgSpec;
    /// Takes the argument out of a value.
    fn extract(value: Value) -> Result<Self, ExtractError>;
}

impl<T: Data + Clone> NodeArg for T {
    fn spec() -> ArgSpec {
        ArgSpec {
            value_type: TypeInfo::of::<T>(),
            kind: ArgKind::Owned,
            param_type: None,
            check_param: None,
        }
    }

    fn extract(value: Value) -> Result<Self, ExtractError> {
        value.take::<T>().map_err(|found| ExtractError::WrongType {
            expected: TypeInfo::of::<T>(),
            found: found.type_info(),
        })
    }
}

impl<T: Data> NodeArg for Arc<T> {
    fn spec() -> ArgSpec {
        ArgSpec {
            value_type: TypeInfo::of::<T>(),
            kind: ArgKind::Shared,
            param_type: None,
            check_param: None,
        }
    }

    fn extract(value: Value) -> Result<Self, ExtractError> {
        value
            .downcast_arc::<T>()
            .map_err(|found| ExtractError::WrongType {
                expected: TypeInfo::of::<T>(),
                found: found.type_info(),
            })
    }
}

/// Deserializes a parameter into `T`, reporting where in the value it failed
/// (`model_options.test_size: invalid type: string "x", expected f64`).
fn check_deserialize<T: DeserializeOwned>(value: &serde_json::Value) -> Result<(), ParamMismatch> {
    serde_path_to_error::deserialize::<_, T>(value)
        .map(drop)
        .map_err(|error| {
            let path = error.path().to_string();
            let message = error.into_inner().to_string();
            ParamMismatch {
                path: (path != ".").then_some(path),
                message,
            }
        })
}

impl<T: DeserializeOwned + Send + 'static> NodeArg for Param<T> {
    fn spec() -> ArgSpec {
        ArgSpec {
            value_type: TypeInfo::of::<serde_json::Value>(),
            kind: ArgKind::Param,
            param_type: Some(TypeInfo::of::<T>()),
            check_param: Some(check_deserialize::<T>),
        }
    }

    fn extract(value: Value) -> Result<Self, ExtractError> {
        let json =
            value
                .downcast_ref::<serde_json::Value>()
                .ok_or_else(|| ExtractError::WrongType {
                    expected: TypeInfo::of::<serde_json::Value>(),
                    found: value.type_info(),
                })?;
        T::deserialize(json)
            .map(Param)
            .map_err(|error| ExtractError::Param {
                expected: TypeInfo::of::<T>(),
                message: error.to_string(),
            })
    }
}
