//! Expectation suites: Great Expectations' JSON (the 0.x `expectation_suite_name` /
//! `expectation_type` dialect and the 1.x `name` / `type` one) and inline lists.

use std::path::Path;

use polars::prelude::DataFrame;
use serde_json::{Map, Value as Json, json};

use crate::expectations::{Expectation, ExpectationResult};

/// A suite that cannot be used: where, which expectation, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}: {message}")]
pub struct SuiteError {
    /// The file (or catalog entry) the suite comes from.
    pub source_name: String,
    /// What is wrong, naming the expectation by position and type.
    pub message: String,
}

/// Expectations to check together.
#[derive(Debug, Clone)]
pub struct Suite {
    /// The suite's name.
    pub name: String,
    /// Where it was read (a file, or `catalog metadata of <dataset>`).
    pub source: String,
    /// The expectations, in order.
    pub expectations: Vec<Expectation>,
}

impl Suite {
    /// Reads a GE suite file.
    ///
    /// # Errors
    ///
    /// The file cannot be read, is not JSON, or holds an unknown or malformed expectation.
    pub fn from_file(path: &Path) -> Result<Self, SuiteError> {
        let source = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| SuiteError {
            source_name: source.clone(),
            message: format!("cannot read the suite: {e}"),
        })?;
        let json: Json = serde_json::from_str(&text).map_err(|e| SuiteError {
            source_name: source.clone(),
            message: format!(
                "not valid JSON (line {}, column {}): {e}",
                e.line(),
                e.column()
            ),
        })?;
        Self::from_json(&json, &source)
    }

    /// A suite from GE's JSON (0.x or 1.x).
    ///
    /// # Errors
    ///
    /// A malformed suite, or an unknown or malformed expectation.
    pub fn from_json(json: &Json, source: &str) -> Result<Self, SuiteError> {
        let error = |message: String| SuiteError {
            source_name: source.to_owned(),
            message,
        };
        let Some(object) = json.as_object() else {
            return Err(error(
                "a suite is a JSON object with `expectations`".to_owned(),
            ));
        };
        let name = object
            .get("name")
            .or_else(|| object.get("expectation_suite_name"))
            .and_then(Json::as_str)
            .unwrap_or("unnamed")
            .to_owned();
        let Some(items) = object.get("expectations").and_then(Json::as_array) else {
            return Err(error("the suite has no `expectations` list".to_owned()));
        };
        let expectations = parse_list(items, source)?;
        Ok(Self {
            name,
            source: source.to_owned(),
            expectations,
        })
    }

    /// A suite from an inline list (catalog metadata or `validation.yml`): GE's items, or
    /// `{expect_...: {kwargs}}` shorthands.
    ///
    /// # Errors
    ///
    /// An unknown or malformed expectation.
    pub fn from_list(items: &[Json], name: &str, source: &str) -> Result<Self, SuiteError> {
        Ok(Self {
            name: name.to_owned(),
            source: source.to_owned(),
            expectations: parse_list(items, source)?,
        })
    }

    /// Checks every expectation (all of them: a failure does not stop the others).
    pub fn validate(&self, frame: &DataFrame) -> SuiteResult {
        let results: Vec<ExpectationResult> = self
            .expectations
            .iter()
            .map(|e| e.validate(frame))
            .collect();
        SuiteResult {
            suite_name: self.name.clone(),
            success: results.iter().all(|r| r.success),
            results,
        }
    }
}

fn parse_list(items: &[Json], source: &str) -> Result<Vec<Expectation>, SuiteError> {
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            parse_item(item).map_err(|message| SuiteError {
                source_name: source.to_owned(),
                message: format!("expectation {} ({}): {message}", index + 1, describe(item)),
            })
        })
        .collect()
}

fn describe(item: &Json) -> String {
    item.get("type")
        .or_else(|| item.get("expectation_type"))
        .and_then(Json::as_str)
        .map(|t| format!("`{t}`"))
        .or_else(|| {
            item.as_object()
                .and_then(|m| m.keys().next())
                .map(|k| format!("`{k}`"))
        })
        .unwrap_or_else(|| "no type".to_owned())
}

fn parse_item(item: &Json) -> Result<Expectation, String> {
    let Some(object) = item.as_object() else {
        return Err(format!("an expectation is a JSON object, found {item}"));
    };
    let declared = object
        .get("type")
        .or_else(|| object.get("expectation_type"));
    let (expectation_type, kwargs) = match declared {
        Some(Json::String(t)) => {
            let kwargs = match object.get("kwargs") {
                None | Some(Json::Null) => Map::new(),
                Some(Json::Object(k)) => k.clone(),
                Some(other) => return Err(format!("`kwargs` must be an object, found {other}")),
            };
            (t.clone(), kwargs)
        }
        Some(other) => return Err(format!("`type` must be a string, found {other}")),
        None if object.len() == 1 => {
            let (name, kwargs) = object.iter().next().ok_or("empty expectation")?;
            match kwargs {
                Json::Object(k) => (name.clone(), k.clone()),
                Json::Null => (name.clone(), Map::new()),
                other => {
                    return Err(format!(
                        "the arguments of `{name}` must be a mapping, found {other}"
                    ));
                }
            }
        }
        None => return Err("no `type` (GE 1.x) or `expectation_type` (GE 0.x)".to_owned()),
    };
    let meta = object.get("meta").cloned().unwrap_or_else(|| json!({}));
    Expectation::new(&expectation_type, kwargs, meta)
}

/// GE's validation result of a suite on one table.
#[derive(Debug, Clone)]
pub struct SuiteResult {
    /// The suite's name.
    pub suite_name: String,
    /// Whether every expectation holds.
    pub success: bool,
    /// One result per expectation.
    pub results: Vec<ExpectationResult>,
}

impl SuiteResult {
    /// The failed expectations.
    pub fn failures(&self) -> impl Iterator<Item = &ExpectationResult> {
        self.results.iter().filter(|r| !r.success)
    }

    /// GE's `ExpectationSuiteValidationResult` JSON, with `meta` added.
    pub fn to_json(&self, meta: Json) -> Json {
        let evaluated = self.results.len();
        let successful = self.results.iter().filter(|r| r.success).count();
        json!({
            "success": self.success,
            "suite_name": self.suite_name,
            "statistics": {
                "evaluated_expectations": evaluated,
                "successful_expectations": successful,
                "unsuccessful_expectations": evaluated - successful,
                "success_percent": if evaluated == 0 { 100.0 } else { successful as f64 * 100.0 / evaluated as f64 },
            },
            "results": self.results.iter().map(ExpectationResult::to_json).collect::<Vec<_>>(),
            "meta": meta,
        })
    }

    /// One line per failed expectation: its type, column, counts and sample bad values.
    pub fn failure_lines(&self) -> Vec<String> {
        self.failures()
            .map(|r| {
                let config = &r.expectation_config;
                let kind = config["type"].as_str().unwrap_or_default();
                let kwargs = &config["kwargs"];
                let target = kwargs
                    .get("column")
                    .and_then(Json::as_str)
                    .map(|c| format!("({c})"))
                    .or_else(|| {
                        kwargs.get("column_A").and_then(Json::as_str).map(|a| {
                            format!(
                                "({a} > {})",
                                kwargs["column_B"].as_str().unwrap_or_default()
                            )
                        })
                    })
                    .unwrap_or_default();
                if let Some(exception) = &r.exception {
                    return format!("{kind}{target}: {exception}");
                }
                match r.unexpected_count() {
                    Some(count) => {
                        let sample: Vec<String> = r.result["partial_unexpected_list"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .take(5)
                            .map(Json::to_string)
                            .collect();
                        format!(
                            "{kind}{target}: {count} unexpected of {} ({:.2}%), e.g. {}",
                            r.result["element_count"],
                            r.result["unexpected_percent"].as_f64().unwrap_or(0.0),
                            sample.join(", ")
                        )
                    }
                    None => format!("{kind}{target}: observed {}", r.result["observed_value"]),
                }
            })
            .collect()
    }
}
