//! Transcoded dataset names (`name@format`), as in Kedro.
//!
//! `companies@polars` and `companies@pandas` are two catalog entries (usually the same file read
//! two ways) but one dataset in the pipeline graph: dependencies, uniqueness of outputs and free
//! inputs and outputs all use the stripped name.

/// The separator between a dataset's name and its transcoding format.
pub const TRANSCODING_SEPARATOR: char = '@';

/// The name without its transcoding suffix: `a@spark` gives `a`, `a` gives `a`.
pub fn strip_transcoding(name: &str) -> &str {
    match name.split_once(TRANSCODING_SEPARATOR) {
        Some((base, _)) => base,
        None => name,
    }
}

/// Splits `name@format` into its name and format.
pub fn split_transcoding(name: &str) -> (&str, Option<&str>) {
    match name.split_once(TRANSCODING_SEPARATOR) {
        Some((base, format)) => (base, Some(format)),
        None => (name, None),
    }
}

/// Whether a name carries a transcoding suffix.
pub fn is_transcoded(name: &str) -> bool {
    name.contains(TRANSCODING_SEPARATOR)
}

/// Kedro's message for a name with more than one separator, or `None` if the name is valid.
pub(crate) fn check_separators(name: &str) -> Option<String> {
    let count = name.matches(TRANSCODING_SEPARATOR).count();
    (count > 1).then(|| {
        format!("Expected maximum 1 transcoding separator, found {count} instead: '{name}'.")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_and_splits() {
        assert_eq!(strip_transcoding("a@spark"), "a");
        assert_eq!(strip_transcoding("a"), "a");
        assert_eq!(split_transcoding("a@spark"), ("a", Some("spark")));
        assert_eq!(split_transcoding("a"), ("a", None));
        assert!(check_separators("a@x@y").is_some());
        assert!(check_separators("a@x").is_none());
    }
}
