//! "Did you mean ...?" for misspelled option names.

/// The candidate closest to `typed`, if it is close enough to be a likely typo: at most one
/// edit for names of 3 to 5 characters, two for longer ones, none for shorter ones. Edits
/// are insertions, deletions, substitutions and swaps of two neighbours (`retires` →
/// `retries`), counted by [`strsim::osa_distance`].
pub(crate) fn closest<'a>(typed: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let allowed = match typed.chars().count() {
        0..=2 => 0,
        3..=5 => 1,
        _ => 2,
    };
    candidates
        .iter()
        .map(|candidate| (strsim::osa_distance(typed, candidate), *candidate))
        .filter(|(distance, _)| *distance <= allowed)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTIONS: [&str; 3] = ["retries", "timeout", "max_steps"];

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
