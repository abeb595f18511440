//! Reading an expectation's arguments (`kwargs`), with messages naming the bad one.

use serde_json::{Map, Value as Json};

/// Numeric bounds (`min_value`, `max_value`, `strict_min`, `strict_max`); a missing bound is
/// open.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Range {
    pub(super) min: Option<f64>,
    pub(super) max: Option<f64>,
    pub(super) strict_min: bool,
    pub(super) strict_max: bool,
}

impl Range {
    /// Exactly `value` (the `..._to_equal` expectations).
    pub(super) fn exactly(value: f64) -> Self {
        Self {
            min: Some(value),
            max: Some(value),
            strict_min: false,
            strict_max: false,
        }
    }

    pub(super) fn contains(&self, value: f64) -> bool {
        let above = match self.min {
            Some(min) if self.strict_min => value > min,
            Some(min) => value >= min,
            None => true,
        };
        let below = match self.max {
            Some(max) if self.strict_max => value < max,
            Some(max) => value <= max,
            None => true,
        };
        above && below
    }
}

/// An expectation's arguments, as written.
pub(super) struct Args<'a> {
    pub(super) kwargs: &'a Map<String, Json>,
}

impl Args<'_> {
    pub(super) fn string(&self, key: &str) -> Result<String, String> {
        match self.kwargs.get(key) {
            Some(Json::String(s)) => Ok(s.clone()),
            Some(other) => Err(format!("`{key}` must be a string, found {other}")),
            None => Err(format!("`{key}` is required")),
        }
    }

    /// The `column` argument.
    pub(super) fn column(&self) -> Result<String, String> {
        self.string("column")
    }

    pub(super) fn number(&self, key: &str) -> Result<Option<f64>, String> {
        match self.kwargs.get(key) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::Number(n)) => Ok(n.as_f64()),
            Some(other) => Err(format!("`{key}` must be a number or null, found {other}")),
        }
    }

    pub(super) fn flag(&self, key: &str, default: bool) -> Result<bool, String> {
        match self.kwargs.get(key) {
            None | Some(Json::Null) => Ok(default),
            Some(Json::Bool(b)) => Ok(*b),
            Some(other) => Err(format!("`{key}` must be true or false, found {other}")),
        }
    }

    pub(super) fn mostly(&self) -> Result<f64, String> {
        match self.number("mostly")? {
            None => Ok(1.0),
            Some(m) if (0.0..=1.0).contains(&m) => Ok(m),
            Some(m) => Err(format!("`mostly` must be between 0 and 1, found {m}")),
        }
    }

    pub(super) fn range(&self, min: &str, max: &str) -> Result<Range, String> {
        let range = Range {
            min: self.number(min)?,
            max: self.number(max)?,
            strict_min: self.flag("strict_min", false)?,
            strict_max: self.flag("strict_max", false)?,
        };
        // A minimum above the maximum is not an error: nothing is in range, as in GE.
        Ok(range)
    }

    pub(super) fn strings(&self, key: &str) -> Result<Vec<String>, String> {
        match self.kwargs.get(key) {
            Some(Json::Array(items)) => items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| format!("`{key}` must list column names, found {i}"))
                })
                .collect(),
            Some(other) => Err(format!("`{key}` must be a list, found {other}")),
            None => Err(format!("`{key}` is required")),
        }
    }

    /// A list, or nothing (`null`: GE's vacuously true expectation).
    pub(super) fn optional_strings(&self, key: &str) -> Result<Option<Vec<String>>, String> {
        match self.kwargs.get(key) {
            None | Some(Json::Null) => Ok(None),
            Some(_) => self.strings(key).map(Some),
        }
    }

    pub(super) fn text(&self, key: &str) -> Option<String> {
        self.kwargs
            .get(key)
            .and_then(Json::as_str)
            .map(str::to_owned)
    }

    pub(super) fn values(&self, key: &str) -> Result<Vec<Json>, String> {
        match self.kwargs.get(key) {
            Some(Json::Array(items)) => Ok(items.clone()),
            Some(other) => Err(format!("`{key}` must be a list, found {other}")),
            None => Err(format!("`{key}` is required")),
        }
    }
}
