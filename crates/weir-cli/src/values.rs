//! Short descriptions of values for people: a table's shape, a metric's number. A leaf: it
//! imports nothing else of the crate.

use std::collections::BTreeMap;

use serde_json::Value as Json;
use weir_core::Value;

/// Rows and columns of a value, when it is a table.
pub fn table_shape(value: &Value) -> Option<(usize, usize)> {
    #[cfg(feature = "polars")]
    if let Some(frame) = value.downcast_ref::<polars::prelude::DataFrame>() {
        return Some(frame.shape());
    }
    let _ = value;
    None
}

/// A short text for a small value (numbers, a map of metrics, a table's shape).
pub fn describe_value(value: &Value) -> Option<String> {
    if let Some(map) = value.downcast_ref::<BTreeMap<String, f64>>() {
        return Some(
            map.iter()
                .map(|(k, v)| format!("\n    {k:<20} {v}"))
                .collect::<String>(),
        );
    }
    if let Some(json) = value.downcast_ref::<Json>() {
        let text = json.to_string();
        return Some(if text.len() > 200 {
            format!("{}…", &text[..text.floor_char_boundary(200)])
        } else {
            text
        });
    }
    macro_rules! scalars {
        ($($t:ty),*) => {$(
            if let Some(v) = value.downcast_ref::<$t>() { return Some(v.to_string()); }
        )*};
    }
    scalars!(f64, f32, i64, i32, u64, u32, usize, bool, String);
    if let Some(shape) = table_shape(value) {
        return Some(format!("table of {} rows x {} columns", shape.0, shape.1));
    }
    None
}

/// A preview of a small saved value (numbers, a map of metrics, a short text), for the summary.
/// Tables, JSON documents and long texts get none: every save passes here, and rendering a
/// chart's JSON or an SVG only to drop it would be wasted work.
pub fn small_preview(value: &Value) -> Option<String> {
    let long_text = value
        .downcast_ref::<String>()
        .is_some_and(|s| s.len() > 200);
    if long_text || value.is::<Json>() || table_shape(value).is_some() {
        return None;
    }
    describe_value(value)
}
