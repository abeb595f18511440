//! The calling machinery: typed functions of up to 16 arguments, erased into a
//! [`NodeFunction`] that takes and returns [`Value`]s.

use crate::error::{BoxError, CallError, panic_message};
use crate::node::args::{ArgSpec, NodeArg};
use crate::node::outputs::NodeOutputs;
use crate::value::{TypeInfo, Value};

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

/// A function that can become a node: any `Fn` of up to 16 arguments.
///
/// `Marker` only tells the impls for different arities apart; you never name it. Each argument
/// must be a [`NodeArg`] and the result [`NodeOutputs`]: [`node`](crate::node()) checks those
/// separately, so a compiler error names the argument or result type at fault.
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
    pub(super) fn from_typed<Marker, F>(function: F) -> Self
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::node;

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
