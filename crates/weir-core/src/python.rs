//! Values formatted as Python prints them, so messages read word for word like Kedro's.

/// Formats names as Python prints a list of strings: `['a', 'b']`.
pub(crate) fn python_list<S: AsRef<str>>(names: &[S]) -> String {
    let quoted: Vec<String> = names
        .iter()
        .map(|name| format!("'{}'", name.as_ref()))
        .collect();
    format!("[{}]", quoted.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_quoted_like_python() {
        assert_eq!(python_list(&["a", "b"]), "['a', 'b']");
        assert_eq!(python_list::<&str>(&[]), "[]");
    }
}
