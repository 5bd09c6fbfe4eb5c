//! Case IDs in test names and properties, in every form trcli accepts: `C123 name`,
//! `[C123] name`, `[C1, C2] name`, `C1_C2_name`, `name_C123()`, and the values of a
//! `test_id` or `testrail_case_id` property (`C123`, `123`, `C1, C2`).

/// Parses one `C123` (or `c123`) token.
fn token(text: &str) -> Option<u64> {
    let digits = text.strip_prefix(['C', 'c'])?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|id| *id > 0)
}

/// A list of tokens separated by commas or spaces: `C1, C2`.
fn token_list(text: &str) -> Option<Vec<u64>> {
    let ids: Option<Vec<u64>> = text
        .split([',', ' '])
        .filter(|part| !part.is_empty())
        .map(token)
        .collect();
    ids.filter(|ids| !ids.is_empty())
}

/// The case IDs a test name carries, in order of appearance, without repeats.
///
/// ```text
/// "C123 checkout works"          → [123]
/// "[C1, C2] checkout works"      → [1, 2]
/// "C1_C2_checkout_works"         → [1, 2]
/// "test_checkout_C123()"         → [123]
/// "test_checkout"                → []
/// ```
pub fn in_name(name: &str) -> Vec<u64> {
    let mut ids = Vec::new();
    // Bracketed lists anywhere: `[C1]`, `[C1, C2]`.
    let mut rest = name;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else { break };
        if let Some(found) = token_list(&after[..close]) {
            ids.extend(found);
        }
        rest = &after[close + 1..];
    }
    // Leading tokens: `C1_C2_name`, `C123 name`, `C123: name`.
    for part in name.split(['_', ' ', ':', '-']) {
        match token(part) {
            Some(id) => ids.push(id),
            None if part.is_empty() => continue,
            None => break,
        }
    }
    // Trailing tokens: `name_C123`, `name_C123()`, `name_C1_C2`.
    let trimmed = name.trim_end();
    let trimmed = trimmed.strip_suffix("()").unwrap_or(trimmed);
    let mut trailing: Vec<u64> = trimmed.rsplit('_').map_while(token).collect::<Vec<_>>();
    if trailing.len() < trimmed.split('_').count() {
        trailing.reverse();
        ids.extend(trailing);
    }
    let mut unique = Vec::new();
    for id in ids {
        if !unique.contains(&id) {
            unique.push(id);
        }
    }
    unique
}

/// The case IDs in a `test_id` / `testrail_case_id` property value: `C123`, `123`, `C1, C2`.
pub fn in_property(value: &str) -> Vec<u64> {
    value
        .split([',', ' ', ';'])
        .filter(|part| !part.is_empty())
        .filter_map(|part| token(part).or_else(|| part.parse::<u64>().ok().filter(|id| *id > 0)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_trcli_form_is_recognised() {
        assert_eq!(in_name("C123 checkout works"), [123]);
        assert_eq!(in_name("C123: checkout works"), [123]);
        assert_eq!(in_name("[C123] checkout works"), [123]);
        assert_eq!(in_name("[C1, C2] checkout works"), [1, 2]);
        assert_eq!(in_name("C1_C2_checkout_works"), [1, 2]);
        assert_eq!(in_name("test_checkout_C123()"), [123]);
        assert_eq!(in_name("test_checkout_C123"), [123]);
        assert_eq!(in_name("test_checkout_c7"), [7]);
        assert_eq!(in_name("cart::adds_one [C4]"), [4]);
        assert_eq!(in_name("[C4] cart::adds_one"), [4]);
    }

    #[test]
    fn lookalikes_are_not_ids() {
        assert!(in_name("test_c3po_droid").is_empty());
        assert!(in_name("Checkout works").is_empty());
        assert!(in_name("test_C0").is_empty());
        assert!(in_name("[not an id] test").is_empty());
        assert!(in_name("C").is_empty());
        assert!(in_name("").is_empty());
        assert!(in_name("C123").len() == 1);
    }

    #[test]
    fn property_values() {
        assert_eq!(in_property("C123"), [123]);
        assert_eq!(in_property("123"), [123]);
        assert_eq!(in_property("C1, C2"), [1, 2]);
        assert!(in_property("none").is_empty());
    }
}
