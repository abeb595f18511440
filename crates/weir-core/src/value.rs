//! Type-erased values that flow between nodes, and the [`Data`] marker that lets a type flow.

use std::any::{Any, TypeId};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt;
use std::sync::Arc;

/// Marks a type whose values can be stored in the catalog and passed between nodes.
///
/// Implement it for your own types with an empty impl (`impl Data for Model {}`) or with
/// `#[derive(Data)]` from the `weir` facade. Weir implements it for the common standard types:
/// numbers, `bool`, `char`, `String`, `Vec<T>`, `Option<T>`, maps and sets of data, and
/// `serde_json::Value` (the type of parameters).
///
/// Tuples, `()` and `Result` are deliberately *not* `Data`: a tuple returned by a node is several
/// outputs, and a `Result` is a node that can fail.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot flow between nodes because it does not implement `weir::Data`",
    label = "this type is not `Data`",
    note = "add `#[derive(Data)]` or `impl Data for {Self} {{}}` to your type, take `Arc<T>` to share a value without cloning, or wrap a parameter in `Param<T>`"
)]
pub trait Data: Send + Sync + 'static {}

macro_rules! impl_data {
    ($($t:ty),* $(,)?) => { $(impl Data for $t {})* };
}

impl_data!(
    bool,
    char,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    f32,
    f64,
    String,
    std::path::PathBuf,
    std::time::Duration,
    serde_json::Value
);
impl<T: Data> Data for Vec<T> {}
impl<T: Data> Data for VecDeque<T> {}
impl<T: Data> Data for Option<T> {}
impl<T: Data> Data for Box<T> {}
impl<T: Data> Data for BTreeSet<T> {}
impl<T: Data, S: Send + Sync + 'static> Data for HashSet<T, S> {}
impl<K: Data, V: Data> Data for BTreeMap<K, V> {}
impl<K: Data, V: Data, S: Send + Sync + 'static> Data for HashMap<K, V, S> {}
impl<T: Data, const N: usize> Data for [T; N] {}

/// The identity of a value's type: its `TypeId` and a readable name for messages.
#[derive(Clone, Copy)]
pub struct TypeInfo {
    id: TypeId,
    name: &'static str,
}

impl TypeInfo {
    /// The type information of `T`.
    pub fn of<T: ?Sized + 'static>() -> Self {
        Self {
            id: TypeId::of::<T>(),
            name: std::any::type_name::<T>(),
        }
    }

    /// The `TypeId` of the type.
    pub fn id(&self) -> TypeId {
        self.id
    }

    /// The full path of the type, as the compiler names it (for humans only: not stable).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The type's name without module paths, e.g. `Vec<String>` for
    /// `alloc::vec::Vec<alloc::string::String>`.
    pub fn short_name(&self) -> String {
        short_type_name(self.name)
    }

    /// Whether this is the erased [`Value`] type, which accepts any value.
    pub fn is_any(&self) -> bool {
        self.id == TypeId::of::<Value>()
    }

    /// Whether a value of type `self` may be given where `expected` is wanted: equal types, or
    /// either side is the erased [`Value`].
    pub fn is_compatible_with(&self, expected: &TypeInfo) -> bool {
        self.id == expected.id || self.is_any() || expected.is_any()
    }
}

impl PartialEq for TypeInfo {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for TypeInfo {}

impl std::hash::Hash for TypeInfo {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

impl fmt::Debug for TypeInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl fmt::Display for TypeInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.short_name())
    }
}

/// Strips module paths from a type name: `alloc::vec::Vec<my::Model>` becomes `Vec<Model>`.
pub(crate) fn short_type_name(full: &str) -> String {
    let mut out = String::with_capacity(full.len());
    let mut segment = String::new();
    for character in full.chars() {
        if character.is_alphanumeric() || character == '_' || character == ':' {
            segment.push(character);
        } else {
            out.push_str(segment.rsplit("::").next().unwrap_or(&segment));
            segment.clear();
            out.push(character);
        }
    }
    out.push_str(segment.rsplit("::").next().unwrap_or(&segment));
    out
}

/// A value in the catalog: shared, immutable, of any [`Data`] type.
///
/// Cloning a `Value` is cheap (it is reference counted); the data itself is never copied unless
/// a node asks for an owned copy while others still hold the value.
#[derive(Clone)]
pub struct Value {
    inner: Arc<dyn Any + Send + Sync>,
    type_info: TypeInfo,
}

impl Data for Value {}

#[cfg(feature = "polars")]
impl Data for polars_core::frame::DataFrame {}

/// A query not yet run: nodes that take and return `LazyFrame`s let polars push filters and
/// column selections into the scans of `polars.LazyPolarsDataset` and stream the result into
/// its file, so a table never has to sit whole in memory.
#[cfg(feature = "polars")]
impl Data for polars_lazy::frame::LazyFrame {}

impl Value {
    /// Wraps a value. Wrapping a `Value` returns it unchanged.
    pub fn new<T: Data>(value: T) -> Self {
        let mut slot = Some(value);
        if let Some(already) = (&mut slot as &mut dyn Any).downcast_mut::<Option<Value>>()
            && let Some(value) = already.take()
        {
            return value;
        }
        match slot {
            Some(value) => Self {
                inner: Arc::new(value),
                type_info: TypeInfo::of::<T>(),
            },
            // The slot is only emptied in the branch above, which returns.
            None => unreachable_value(),
        }
    }

    /// Wraps an already shared value without copying it.
    pub fn from_arc<T: Data>(value: Arc<T>) -> Self {
        if TypeId::of::<T>() == TypeId::of::<Value>() {
            let any: Arc<dyn Any + Send + Sync> = value;
            return match any.downcast::<Value>() {
                Ok(inner) => (*inner).clone(),
                Err(_) => unreachable_value(),
            };
        }
        Self {
            inner: value,
            type_info: TypeInfo::of::<T>(),
        }
    }

    /// The type of the value inside.
    pub fn type_info(&self) -> TypeInfo {
        self.type_info
    }

    /// Whether the value inside is a `T`.
    pub fn is<T: 'static>(&self) -> bool {
        self.type_info.id == TypeId::of::<T>()
    }

    /// Borrows the value as a `T`, if it is one.
    pub fn downcast_ref<T: 'static>(&self) -> Option<&T> {
        self.inner.downcast_ref::<T>()
    }

    /// The shared value as an `Arc<T>`, without copying, or the value back if it is not a `T`.
    pub fn downcast_arc<T: Data>(self) -> Result<Arc<T>, Value> {
        if TypeId::of::<T>() == TypeId::of::<Value>() {
            // Asking for the erased type itself: wrap, do not unwrap.
            let boxed: Arc<dyn Any + Send + Sync> = Arc::new(self);
            return boxed.downcast::<T>().map_err(|_| unreachable_value());
        }
        let type_info = self.type_info;
        self.inner
            .downcast::<T>()
            .map_err(|inner| Value { inner, type_info })
    }

    /// An owned `T`: moved out when this is the last reference, cloned otherwise.
    pub fn take<T: Data + Clone>(self) -> Result<T, Value> {
        let shared = self.downcast_arc::<T>()?;
        Ok(Arc::try_unwrap(shared).unwrap_or_else(|shared| (*shared).clone()))
    }

    /// How many handles share this value (for tests of release behaviour).
    pub fn handle_count(&self) -> usize {
        Arc::strong_count(&self.inner)
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Value<{}>", self.type_info)
    }
}

#[cold]
fn unreachable_value() -> ! {
    // Both call sites are guarded by a TypeId comparison that makes this branch impossible.
    unreachable!("a Value was wrapped inside a Value; this is a bug in weir-core")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_strip_paths() {
        assert_eq!(
            short_type_name("alloc::vec::Vec<alloc::string::String>"),
            "Vec<String>"
        );
        assert_eq!(
            short_type_name("std::collections::HashMap<my::A, (u8, b::C)>"),
            "HashMap<A, (u8, C)>"
        );
    }

    #[test]
    fn wrapping_a_value_does_not_nest() {
        let inner = Value::new(5_u64);
        let outer = Value::new(inner.clone());
        assert!(outer.is::<u64>());
        assert_eq!(outer.downcast_ref::<u64>(), Some(&5));
    }

    #[test]
    fn take_moves_when_unique_and_clones_when_shared() {
        let value = Value::new(vec![1_u8, 2, 3]);
        let other = value.clone();
        assert_eq!(value.take::<Vec<u8>>().ok(), Some(vec![1, 2, 3]));
        assert_eq!(other.handle_count(), 1);
        assert!(other.take::<String>().is_err());
    }

    #[test]
    fn erased_type_is_compatible_with_everything() {
        assert!(TypeInfo::of::<Value>().is_compatible_with(&TypeInfo::of::<u8>()));
        assert!(!TypeInfo::of::<u16>().is_compatible_with(&TypeInfo::of::<u8>()));
    }
}
