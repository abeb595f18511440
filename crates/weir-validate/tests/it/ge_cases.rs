//! Every case of `tests/fixtures/ge_cases.json` (Great Expectations' test definitions for the
//! pandas backend): the same success, the same unexpected values, the same observed value.

use serde_json::Value as Json;
use weir_validate::Expectation;

use crate::frame;

fn cases() -> Vec<Json> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ge_cases.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Numbers compare by value (pandas turns integer columns with nulls into floats).
fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            (x - y).abs() <= 1e-9 * x.abs().max(1.0)
        }
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn great_expectations_documented_cases_give_the_same_results() {
    let cases = cases();
    assert!(cases.len() >= 100, "{} cases", cases.len());
    let mut failures = Vec::new();
    let mut per_type = std::collections::BTreeMap::<String, usize>::new();
    for case in &cases {
        let kind = case["expectation_type"].as_str().unwrap();
        *per_type.entry(kind.to_owned()).or_default() += 1;
        let source = case["source"].as_str().unwrap_or_default();
        let data = frame(case["data"].as_object().unwrap());
        let kwargs = case["kwargs"].as_object().unwrap().clone();
        let expectation = match Expectation::new(kind, kwargs, Json::Null) {
            Ok(e) => e,
            Err(error) => {
                failures.push(format!("{source}: cannot build: {error}"));
                continue;
            }
        };
        let result = expectation.validate(&data);
        let mut problems = Vec::new();
        if result.success != case["success"].as_bool().unwrap() {
            problems.push(format!(
                "success {} (GE: {})",
                result.success, case["success"]
            ));
        }
        if let Some(count) = case.get("unexpected_count").and_then(Json::as_u64)
            && result.unexpected_count() != Some(count)
        {
            problems.push(format!(
                "unexpected_count {:?} (GE: {count})",
                result.unexpected_count()
            ));
        }
        if let Some(list) = case.get("unexpected_list")
            && !same(&result.result["partial_unexpected_list"], list)
        {
            problems.push(format!(
                "unexpected {} (GE: {list})",
                result.result["partial_unexpected_list"]
            ));
        }
        if let Some(observed) = case.get("observed_value")
            && !same(&result.result["observed_value"], observed)
        {
            problems.push(format!(
                "observed {} (GE: {observed})",
                result.result["observed_value"]
            ));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{source}: {} [{:?}]",
                problems.join("; "),
                result.exception
            ));
        }
    }
    assert_eq!(
        per_type.len(),
        weir_validate::KNOWN_TYPES.len(),
        "every type has cases: {per_type:?}"
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from GE:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
