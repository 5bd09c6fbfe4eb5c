//! "Did you mean ...?" for misspelled option names.

/// The candidate closest to `typed`, if it is close enough to be a likely typo.
pub(crate) fn closest<'a>(typed: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let allowed = match typed.chars().count() {
        0..=2 => 0,
        3..=5 => 1,
        _ => 2,
    };
    candidates
        .iter()
        .map(|candidate| (edit_distance(typed, candidate), *candidate))
        .filter(|(distance, _)| *distance <= allowed)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// The edit distance between two strings, counted in chars: insertions, deletions,
/// substitutions and swaps of two neighbours (`retires` → `retries`) each cost 1.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // rows[i][j]: distance between the first i chars of `a` and the first j chars of `b`.
    let mut rows = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let substitution = rows[i - 1][j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let mut best = substitution.min(rows[i - 1][j] + 1).min(rows[i][j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTIONS: [&str; 3] = ["retries", "timeout", "max_steps"];

    #[test]
    fn measures_edits() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("retires", "retries"), 1);
        assert_eq!(edit_distance("nmae", "name"), 1);
    }

    #[test]
    fn suggests_close_names() {
        assert_eq!(closest("retires", &OPTIONS), Some("retries"));
        assert_eq!(closest("retry", &OPTIONS), None);
        assert_eq!(closest("timout", &OPTIONS), Some("timeout"));
        assert_eq!(closest("max_step", &OPTIONS), Some("max_steps"));
    }

    #[test]
    fn does_not_suggest_distant_names() {
        assert_eq!(closest("flaky", &OPTIONS), None);
        assert_eq!(closest("x", &OPTIONS), None);
    }
}
