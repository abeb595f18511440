//! What a node's function returns: one value, a tuple of values (one per output), `()`, or a
//! `Result` of those.

use std::sync::Arc;

use crate::error::BoxError;
use crate::value::{Data, TypeInfo, Value};

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
