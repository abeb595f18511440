//! A small YAML writer for the CLI's listings (block style, strings quoted only when needed).

use serde_json::Value;

fn needs_quotes(text: &str) -> bool {
    text.is_empty()
        || text.trim() != text
        || matches!(
            text.to_ascii_lowercase().as_str(),
            "null" | "~" | "true" | "false" | "yes" | "no" | "on" | "off"
        )
        || text.parse::<f64>().is_ok()
        || text.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`".contains(c))
        || text.contains(": ")
        || text.contains(" #")
        || text.contains('\n')
        || text.ends_with(':')
}

/// A scalar as YAML.
pub fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(text) if needs_quotes(text) => format!("'{}'", text.replace('\'', "''")),
        Value::String(text) => text.clone(),
        Value::Array(items) if items.is_empty() => "[]".to_owned(),
        Value::Object(map) if map.is_empty() => "{}".to_owned(),
        other => other.to_string(),
    }
}

fn write(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, item) in map {
                let key = scalar(&Value::String(key.clone()));
                match item {
                    Value::Object(inner) if !inner.is_empty() => {
                        out.push_str(&format!("{pad}{key}:\n"));
                        write(item, indent + 2, out);
                    }
                    Value::Array(inner) if !inner.is_empty() => {
                        out.push_str(&format!("{pad}{key}:\n"));
                        write(item, indent, out);
                    }
                    _ => out.push_str(&format!("{pad}{key}: {}\n", scalar(item))),
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                match item {
                    Value::Object(inner) if !inner.is_empty() => {
                        let mut nested = String::new();
                        write(item, indent + 2, &mut nested);
                        let nested = nested.trim_start().to_owned();
                        out.push_str(&format!("{pad}- {nested}"));
                    }
                    _ => out.push_str(&format!("{pad}- {}\n", scalar(item))),
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other))),
    }
}

/// A value as a YAML document.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    write(value, 0, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_block_yaml_like_kedro() {
        let value = serde_json::json!({
            "__default__": {"datasets": {"polars.CSVDataset": ["companies"]}, "factories": {}},
            "patterns": ["{name}_txt", "plain"],
            "n": 1,
            "yes": "yes",
        });
        assert_eq!(
            to_yaml(&value),
            "__default__:\n  datasets:\n    polars.CSVDataset:\n    - companies\n  factories: {}\npatterns:\n- '{name}_txt'\n- plain\nn: 1\n'yes': 'yes'\n"
        );
    }
}
