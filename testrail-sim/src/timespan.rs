//! TestRail timespans (`elapsed`, `estimate`): `"30s"`, `"1m 45s"`, `"1h 5m"`, `"2w 3d"`.
//!
//! Units are w, d, h, m, s. Seconds may be fractional (`"0.005s"`, what trcli's
//! `--allow-ms` sends). A day is taken as 24 hours and a week as 7 days: TestRail's own
//! definition is uncertain [U], and only "parses" and "greater than zero" matter here.
//! A bare number without a unit is refused [U].

/// Parses a timespan into seconds. `None` when the text is not a timespan.
pub fn parse(text: &str) -> Option<f64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut total = 0.0;
    let mut rest = text;
    let mut seen_units = String::new();
    while !rest.is_empty() {
        rest = rest.trim_start();
        let num_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b'.')
            .count();
        if num_len == 0 {
            return None;
        }
        let number = &rest[..num_len];
        let unit = rest[num_len..].chars().next()?;
        let factor = match unit.to_ascii_lowercase() {
            'w' => 7.0 * 86400.0,
            'd' => 86400.0,
            'h' => 3600.0,
            'm' => 60.0,
            's' => 1.0,
            _ => return None,
        };
        let unit = unit.to_ascii_lowercase();
        if seen_units.contains(unit) || (number.contains('.') && unit != 's') {
            return None;
        }
        seen_units.push(unit);
        let value: f64 = number.parse().ok()?;
        total += value * factor;
        rest = &rest[num_len + 1..];
        if let Some(c) = rest.chars().next()
            && !c.is_whitespace()
            && !c.is_ascii_digit()
        {
            return None;
        }
    }
    Some(total)
}

/// Whether the text is a timespan of more than zero seconds (what `elapsed` requires).
pub fn is_valid_elapsed(text: &str) -> bool {
    parse(text).is_some_and(|s| s > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_testrail_forms() {
        assert_eq!(parse("30s"), Some(30.0));
        assert_eq!(parse("1m 45s"), Some(105.0));
        assert_eq!(parse("1h 5m"), Some(3900.0));
        assert_eq!(parse("1m45s"), Some(105.0));
        assert_eq!(parse("0.005s"), Some(0.005));
        assert_eq!(parse("2w 3d"), Some(17.0 * 86400.0));
    }

    #[test]
    fn refuses_others() {
        for bad in ["", "0", "30", "abc", "1x", "1.5m", "1s 2s", "s", "1m-3s"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        assert!(!is_valid_elapsed("0s"));
        assert!(is_valid_elapsed("1s"));
    }
}
