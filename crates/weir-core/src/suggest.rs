//! "Did you mean" suggestions, ranked as Python's `difflib.get_close_matches` ranks them.

/// The similarity of two strings, from 0 to 1: twice the number of matching characters over the
/// total length, where matches are found as `difflib.SequenceMatcher` finds them (the longest
/// common block, then recursively on each side).
pub fn similarity(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let total = a.len() + b.len();
    if total == 0 {
        return 1.0;
    }
    2.0 * matching_characters(&a, &b) as f64 / total as f64
}

fn matching_characters(a: &[char], b: &[char]) -> usize {
    if a.is_empty() || b.is_empty() {
        return 0;
    }
    // Longest common substring by dynamic programming (names are short).
    let mut best = (0, 0, 0);
    let mut previous = vec![0_usize; b.len() + 1];
    let mut current = vec![0_usize; b.len() + 1];
    for (i, left) in a.iter().enumerate() {
        for (j, right) in b.iter().enumerate() {
            current[j + 1] = if left == right { previous[j] + 1 } else { 0 };
            if current[j + 1] > best.2 {
                best = (
                    i + 1 - current[j + 1],
                    j + 1 - current[j + 1],
                    current[j + 1],
                );
            }
        }
        std::mem::swap(&mut previous, &mut current);
    }
    let (start_a, start_b, length) = best;
    if length == 0 {
        return 0;
    }
    length
        + matching_characters(&a[..start_a], &b[..start_b])
        + matching_characters(&a[start_a + length..], &b[start_b + length..])
}

/// Up to `count` candidates at least `cutoff` similar to `word`, best first.
pub fn close_matches<'a, I>(word: &str, candidates: I, count: usize, cutoff: f64) -> Vec<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .map(|candidate| (similarity(word, candidate), candidate))
        .filter(|(score, _)| *score >= cutoff)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(count)
        .map(|(_, candidate)| candidate.to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_difflib_ratios() {
        // difflib.SequenceMatcher(None, "rwa", "raw").ratio() == 0.6666...
        assert!((similarity("rwa", "raw") - 2.0 / 3.0).abs() < 1e-9);
        assert!((similarity("abcd", "bcde") - 0.75).abs() < 1e-9);
        assert_eq!(similarity("", ""), 1.0);
    }

    #[test]
    fn close_matches_ranks_and_cuts() {
        let found = close_matches("compnies", ["companies", "shuttles", "reviews"], 3, 0.6);
        assert_eq!(found, ["companies"]);
    }
}
