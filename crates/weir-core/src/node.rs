//! Nodes: plain Rust functions with named inputs and outputs.
//!
//! [`node`] turns any `Fn` of up to 16 typed arguments into a [`Node`]. Each argument type says
//! what it expects from the catalog ([`NodeArg`]); the return type says what the node produces
//! ([`NodeOutputs`]). Both are recorded when the node is built, so a pipeline can be type-checked
//! before anything runs.

use std::collections::BTreeSet;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::value::{Data, TypeInfo, Value};

/// The error type node functions may fail with: anything that converts into it works
/// (`std::io::Error`, `String`, `anyhow::Error`, your own error types).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

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
type ParamCheck = fn(&serde_json::Value) -> Result<(), String>;

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
    pub fn check_param(&self, value: &serde_json::Value) -> Result<(), String> {
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

/// Why a value could not be given to a node argument.
#[derive(Debug, Clone)]
pub enum ExtractError {
    /// The value is not of the argument's type.
    WrongType {
        /// The type the argument wants.
        expected: TypeInfo,
        /// The type of the value found.
        found: TypeInfo,
    },
    /// A parameter did not deserialize into the `Param<T>` type.
    Param {
        /// The type wanted.
        expected: TypeInfo,
        /// serde's message.
        message: String,
    },
}

impl fmt::Display for ExtractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongType { expected, found } => {
                write!(f, "expected a value of type `{expected}`, found `{found}`")?;
                if expected.short_name() == found.short_name() {
                    write!(
                        f,
                        " (two versions of the same crate are in the build: `cargo tree -d` shows them)"
                    )?;
                }
                Ok(())
            }
            Self::Param { expected, message } => {
                write!(f, "the parameter does not fit `{expected}`: {message}")
            }
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
fn check_deserialize<T: DeserializeOwned>(value: &serde_json::Value) -> Result<(), String> {
    serde_path_to_error::deserialize::<_, T>(value)
        .map(drop)
        .map_err(|error| {
            let path = error.path().to_string();
            let inner = error.into_inner();
            if path == "." {
                inner.to_string()
            } else {
                format!("at `{path}`: {inner}")
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

/// One value a node returns: `T: Data`, or an `Arc<T>` shared without copying.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned by a node",
    note = "each returned value must implement `Data` (add `#[derive(Data)]`), or be an `Arc<T>` of such a type"
)]
pub trait OutputValue: Send + 'static {
    /// The type stored in the catalog.
    fn output_type() -> TypeInfo;
    /// Wraps the value.
    fn into_value(self) -> Value;
}

impl<T: Data> OutputValue for T {
    fn output_type() -> TypeInfo {
        TypeInfo::of::<T>()
    }

    fn into_value(self) -> Value {
        Value::new(self)
    }
}

impl<T: Data> OutputValue for Arc<T> {
    fn output_type() -> TypeInfo {
        TypeInfo::of::<T>()
    }

    fn into_value(self) -> Value {
        Value::from_arc(self)
    }
}

/// What a node function may return: one value, a tuple of values (one per output), `()`, or a
/// `Result` of those whose error converts into [`BoxError`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned by a node function",
    label = "not a node output",
    note = "a node returns a `Data` value, a tuple of them (one per output), `()`, or a `Result` of those whose error converts into `Box<dyn Error + Send + Sync>`"
)]
pub trait NodeOutputs: Send + 'static {
    /// The type of each output, in order.
    fn output_types() -> Vec<TypeInfo>;
    /// Converts the returned value into one value per output.
    fn into_values(self) -> Result<Vec<Value>, BoxError>;
}

impl<T: Data> NodeOutputs for T {
    fn output_types() -> Vec<TypeInfo> {
        vec![TypeInfo::of::<T>()]
    }

    fn into_values(self) -> Result<Vec<Value>, BoxError> {
        Ok(vec![Value::new(self)])
    }
}

impl<T: Data> NodeOutputs for Arc<T> {
    fn output_types() -> Vec<TypeInfo> {
        vec![TypeInfo::of::<T>()]
    }

    fn into_values(self) -> Result<Vec<Value>, BoxError> {
        Ok(vec![Value::from_arc(self)])
    }
}

impl NodeOutputs for () {
    fn output_types() -> Vec<TypeInfo> {
        Vec::new()
    }

    fn into_values(self) -> Result<Vec<Value>, BoxError> {
        Ok(Vec::new())
    }
}

impl<O: NodeOutputs, E: Into<BoxError> + Send + 'static> NodeOutputs for Result<O, E> {
    fn output_types() -> Vec<TypeInfo> {
        O::output_types()
    }

    fn into_values(self) -> Result<Vec<Value>, BoxError> {
        self.map_err(Into::into)?.into_values()
    }
}

macro_rules! impl_tuple_outputs {
    ($($item:ident),+) => {
        impl<$($item: OutputValue),+> NodeOutputs for ($($item,)+) {
            fn output_types() -> Vec<TypeInfo> {
                vec![$($item::output_type()),+]
            }

            #[allow(non_snake_case)]
            fn into_values(self) -> Result<Vec<Value>, BoxError> {
                let ($($item,)+) = self;
                Ok(vec![$($item.into_value()),+])
            }
        }
    };
}

impl_tuple_outputs!(A1);
impl_tuple_outputs!(A1, A2);
impl_tuple_outputs!(A1, A2, A3);
impl_tuple_outputs!(A1, A2, A3, A4);
impl_tuple_outputs!(A1, A2, A3, A4, A5);
impl_tuple_outputs!(A1, A2, A3, A4, A5, A6);
impl_tuple_outputs!(A1, A2, A3, A4, A5, A6, A7);
impl_tuple_outputs!(A1, A2, A3, A4, A5, A6, A7, A8);
impl_tuple_outputs!(A1, A2, A3, A4, A5, A6, A7, A8, A9);
impl_tuple_outputs!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10);
impl_tuple_outputs!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11);
impl_tuple_outputs!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12);
impl_tuple_outputs!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13);
impl_tuple_outputs!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14);
impl_tuple_outputs!(
    A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14, A15
);
impl_tuple_outputs!(
    A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14, A15, A16
);

/// Why calling a node's function failed.
#[derive(Debug)]
pub enum CallError {
    /// The function returned an error.
    Failed(BoxError),
    /// The function panicked; the message is the panic's payload.
    Panicked(String),
    /// An input could not be given to its argument.
    Input {
        /// The argument's position (0-based).
        position: usize,
        /// What went wrong.
        error: ExtractError,
    },
    /// The function was called with the wrong number of inputs.
    Arity {
        /// How many arguments the function takes.
        expected: usize,
        /// How many inputs were given.
        found: usize,
    },
    /// The function returned a different number of values than the node has outputs.
    OutputCount {
        /// How many outputs the node declares.
        expected: usize,
        /// How many values the function returned.
        found: usize,
    },
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Failed(error) => write!(f, "{error}"),
            Self::Panicked(message) => write!(f, "the node panicked: {message}"),
            Self::Input { position, error } => write!(f, "argument {}: {error}", position + 1),
            Self::Arity { expected, found } => write!(
                f,
                "the function takes {expected} argument(s) but {found} input(s) were given"
            ),
            Self::OutputCount { expected, found } => write!(
                f,
                "the node declares {expected} output(s) but the function returned {found} value(s)"
            ),
        }
    }
}

impl std::error::Error for CallError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Failed(error) => Some(error.as_ref()),
            _ => None,
        }
    }
}

type ErasedCall = dyn Fn(Vec<Value>) -> Result<Vec<Value>, CallError> + Send + Sync;

/// A node's function with its declared argument and output types, callable on erased values.
pub struct NodeFunction {
    path: String,
    args: Vec<ArgSpec>,
    outputs: Vec<TypeInfo>,
    call: Box<ErasedCall>,
}

impl NodeFunction {
    /// Builds a function from its signature and an erased call.
    fn new<F>(args: Vec<ArgSpec>, outputs: Vec<TypeInfo>, call: Box<ErasedCall>) -> Self {
        Self {
            path: std::any::type_name::<F>().to_owned(),
            args,
            outputs,
            call,
        }
    }

    /// A function on erased values, for nodes built at run time (generated pipelines, other
    /// languages): it takes `inputs` values of any type and returns `outputs` values.
    /// Validation cannot check the types of such a node; its values are checked when used.
    ///
    /// ```
    /// use weir_core::{node::NodeFunction, Node, Value};
    ///
    /// let sum = NodeFunction::erased("sum", 2, 1, |values| {
    ///     let total: u64 = values.iter().filter_map(|v| v.downcast_ref::<u64>()).sum();
    ///     Ok(vec![Value::new(total)])
    /// });
    /// let node = Node::new(sum).inputs(["a", "b"]).outputs("total");
    /// assert!(node.full_name().starts_with("sum__"));
    /// ```
    pub fn erased(
        name: impl Into<String>,
        inputs: usize,
        outputs: usize,
        call: impl Fn(Vec<Value>) -> Result<Vec<Value>, BoxError> + Send + Sync + 'static,
    ) -> Self {
        Self {
            path: name.into(),
            args: vec![<Value as NodeArg>::spec(); inputs],
            outputs: vec![TypeInfo::of::<Value>(); outputs],
            call: Box::new(move |values| call(values).map_err(CallError::Failed)),
        }
    }

    /// The function's full path (`my_crate::nodes::split_data`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The declared arguments.
    pub fn args(&self) -> &[ArgSpec] {
        &self.args
    }

    /// The declared output types.
    pub fn output_types(&self) -> &[TypeInfo] {
        &self.outputs
    }

    /// Calls the function. Panics inside it are caught and returned as errors.
    pub fn call(&self, inputs: Vec<Value>) -> Result<Vec<Value>, CallError> {
        if inputs.len() != self.args.len() {
            return Err(CallError::Arity {
                expected: self.args.len(),
                found: inputs.len(),
            });
        }
        let outputs =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (self.call)(inputs)))
                .map_err(|payload| CallError::Panicked(panic_message(payload.as_ref())))??;
        if outputs.len() != self.outputs.len() {
            return Err(CallError::OutputCount {
                expected: self.outputs.len(),
                found: outputs.len(),
            });
        }
        Ok(outputs)
    }
}

/// The text of a panic payload.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a non-string panic payload".to_owned()
    }
}

/// A function that can become a node: any `Fn` of up to 16 arguments.
///
/// `Marker` only tells the impls for different arities apart; you never name it. Each argument
/// must be a [`NodeArg`] and the result [`NodeOutputs`]: [`node`] checks those separately, so
/// a compiler error names the argument or result type at fault.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be used as a node function",
    label = "not a node function",
    note = "a node function is a `Fn` of up to 16 arguments, `Send + Sync + 'static`; closures need their argument types written out"
)]
pub trait IntoNode<Marker>: Send + Sync + 'static {
    /// The arguments, as a tuple.
    type Args;
    /// What the function returns.
    type Output;
    /// Calls the function with its arguments as a tuple.
    fn call_with(&self, args: Self::Args) -> Self::Output;
}

/// The arguments of a node function, as a tuple of [`NodeArg`]s.
#[diagnostic::on_unimplemented(
    message = "the arguments `{Self}` cannot be node arguments",
    note = "node arguments are `T` where `T: Data + Clone`, `Arc<T>` where `T: Data`, or `Param<T>` where `T: DeserializeOwned`"
)]
pub trait NodeArgs: Sized + Send + 'static {
    /// What each argument expects.
    fn specs() -> Vec<ArgSpec>;
    /// Takes the arguments out of values, one per argument.
    fn extract(values: Vec<Value>) -> Result<Self, CallError>;
}

macro_rules! impl_into_node {
    ($($arg:ident),*) => {
        impl<F, R, $($arg,)*> IntoNode<fn($($arg,)*) -> R> for F
        where
            F: Fn($($arg,)*) -> R + Send + Sync + 'static,
        {
            type Args = ($($arg,)*);
            type Output = R;

            #[allow(non_snake_case, clippy::unused_unit)]
            fn call_with(&self, args: Self::Args) -> R {
                let ($($arg,)*) = args;
                (self)($($arg,)*)
            }
        }

        impl<$($arg: NodeArg,)*> NodeArgs for ($($arg,)*) {
            fn specs() -> Vec<ArgSpec> {
                vec![$($arg::spec(),)*]
            }

            #[allow(non_snake_case, unused_mut, unused_variables, unused_assignments, clippy::unused_unit)]
            fn extract(values: Vec<Value>) -> Result<Self, CallError> {
                let found = values.len();
                let mut values = values.into_iter();
                let mut position = 0_usize;
                $(
                    let $arg = match values.next() {
                        Some(value) => $arg::extract(value)
                            .map_err(|error| CallError::Input { position, error })?,
                        None => return Err(CallError::Arity { expected: position + 1, found }),
                    };
                    position += 1;
                )*
                Ok(($($arg,)*))
            }
        }
    };
}

impl_into_node!();
impl_into_node!(A1);
impl_into_node!(A1, A2);
impl_into_node!(A1, A2, A3);
impl_into_node!(A1, A2, A3, A4);
impl_into_node!(A1, A2, A3, A4, A5);
impl_into_node!(A1, A2, A3, A4, A5, A6);
impl_into_node!(A1, A2, A3, A4, A5, A6, A7);
impl_into_node!(A1, A2, A3, A4, A5, A6, A7, A8);
impl_into_node!(A1, A2, A3, A4, A5, A6, A7, A8, A9);
impl_into_node!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10);
impl_into_node!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11);
impl_into_node!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12);
impl_into_node!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13);
impl_into_node!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14);
impl_into_node!(
    A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14, A15
);
impl_into_node!(
    A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14, A15, A16
);

impl NodeFunction {
    /// Erases a typed function.
    fn from_typed<Marker, F>(function: F) -> Self
    where
        F: IntoNode<Marker>,
        F::Args: NodeArgs,
        F::Output: NodeOutputs,
    {
        let call = move |inputs: Vec<Value>| -> Result<Vec<Value>, CallError> {
            let args = <F::Args as NodeArgs>::extract(inputs)?;
            function
                .call_with(args)
                .into_values()
                .map_err(CallError::Failed)
        };
        NodeFunction::new::<F>(
            <F::Args as NodeArgs>::specs(),
            <F::Output as NodeOutputs>::output_types(),
            Box::new(call),
        )
    }
}

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
        strip_generics(&self.function.path).replace("::", ".")
    }

    /// The function's own name (`split_data`), `closure` for closures.
    pub fn function_name(&self) -> String {
        let path = strip_generics(&self.function.path);
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

/// Formats names as Python formats a list of strings: `['a', 'b']`.
fn python_list(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("'{name}'")).collect();
    format!("[{}]", quoted.join(", "))
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

    #[test]
    fn calling_checks_types_and_catches_panics() {
        let add = node(|a: u64, b: u64| a + b).inputs(["a", "b"]).outputs("c");
        let out = add
            .function()
            .call(vec![Value::new(1_u64), Value::new(2_u64)]);
        assert_eq!(
            out.ok().and_then(|v| v[0].downcast_ref::<u64>().copied()),
            Some(3)
        );
        let wrong = add
            .function()
            .call(vec![Value::new(1_u64), Value::new("x".to_owned())]);
        assert!(matches!(wrong, Err(CallError::Input { position: 1, .. })));
        let boom = node(|_: u64| -> u64 { panic!("boom") })
            .inputs("a")
            .outputs("b");
        let result = boom.function().call(vec![Value::new(1_u64)]);
        assert!(matches!(result, Err(CallError::Panicked(ref m)) if m == "boom"));
    }

    #[test]
    fn result_outputs_carry_errors() {
        let fails = node(|_: u64| -> Result<u64, String> { Err("bad".into()) })
            .inputs("a")
            .outputs("b");
        let result = fails.function().call(vec![Value::new(1_u64)]);
        assert!(matches!(result, Err(CallError::Failed(ref e)) if e.to_string() == "bad"));
    }
}
