//! The `timeout = "..."` syntax: `"30s"`, `"500ms"`, `"2m"`, `"1m 30s"`, `"1h"`.
//!
//! A timeout is one or more parts, each a whole number followed by a unit (`h`, `m`, `s` or
//! `ms`), largest unit first, optionally separated by spaces. It is read at compile time into
//! milliseconds.

/// The units a timeout part may use, largest first, with their length in milliseconds.
const UNITS: [(&str, u64); 4] = [("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)];

/// Reads a timeout into milliseconds, or explains (in a short lowercase message) what is
/// wrong with it.
pub(crate) fn parse_millis(text: &str) -> Result<u64, String> {
    let mut rest = text.trim_start();
    if rest.is_empty() {
        return Err(r#"timeout is empty; expected a duration like "30s""#.to_owned());
    }
    let mut total: u64 = 0;
    // Index in `UNITS` of the last unit used: each part must use a smaller unit.
    let mut previous: Option<usize> = None;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let (number, after) = rest.split_at(digits);
        if number.is_empty() {
            let found = after.split_whitespace().next().unwrap_or(after);
            return Err(format!(
                r#"invalid timeout: expected a number, found `{found}`; write it like "1m 30s""#
            ));
        }
        if after.starts_with(['.', ',']) {
            return Err(
                r#"invalid timeout: fractions are not supported; write "1500ms" instead of "1.5s""#
                    .to_owned(),
            );
        }
        let after = after.trim_start();
        let unit_len = after.len() - after.trim_start_matches(|c: char| c.is_alphabetic()).len();
        let (unit, after) = after.split_at(unit_len);
        if unit.is_empty() {
            return Err(format!(
                "invalid timeout: `{number}` needs a unit: `h`, `m`, `s` or `ms`"
            ));
        }
        let Some(index) = UNITS.iter().position(|(name, _)| *name == unit) else {
            return Err(format!(
                "invalid timeout: unknown unit `{unit}`; use `h`, `m`, `s` or `ms`"
            ));
        };
        if previous.is_some_and(|previous| index <= previous) {
            return Err(
                r#"invalid timeout: write each unit once, largest first, like "1m 30s""#.to_owned(),
            );
        }
        previous = Some(index);
        total = number
            .parse::<u64>()
            .ok()
            .and_then(|number| number.checked_mul(UNITS[index].1))
            .and_then(|millis| total.checked_add(millis))
            .ok_or_else(|| "timeout is too long".to_owned())?;
        rest = after.trim_start();
    }
    if total == 0 {
        return Err("timeout must be longer than zero".to_owned());
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::parse_millis;

    #[test]
    fn reads_every_unit() {
        assert_eq!(parse_millis("30s"), Ok(30_000));
        assert_eq!(parse_millis("500ms"), Ok(500));
        assert_eq!(parse_millis("2m"), Ok(120_000));
        assert_eq!(parse_millis("1h"), Ok(3_600_000));
    }

    #[test]
    fn adds_parts_largest_first() {
        assert_eq!(parse_millis("1m 30s"), Ok(90_000));
        assert_eq!(parse_millis("1m30s"), Ok(90_000));
        assert_eq!(parse_millis("1h 2m 3s 4ms"), Ok(3_723_004));
        assert_eq!(parse_millis(" 30 s "), Ok(30_000));
    }

    #[test]
    fn rejects_unknown_units() {
        assert_eq!(
            parse_millis("30 parsecs").unwrap_err(),
            "invalid timeout: unknown unit `parsecs`; use `h`, `m`, `s` or `ms`"
        );
        assert!(parse_millis("3d").unwrap_err().contains("unknown unit `d`"));
    }

    #[test]
    fn rejects_missing_numbers_and_units() {
        assert!(
            parse_millis("30")
                .unwrap_err()
                .contains("`30` needs a unit")
        );
        assert!(
            parse_millis("s")
                .unwrap_err()
                .contains("expected a number, found `s`")
        );
        assert!(parse_millis("").unwrap_err().contains("timeout is empty"));
        assert!(
            parse_millis("   ")
                .unwrap_err()
                .contains("timeout is empty")
        );
        assert!(parse_millis("-5s").unwrap_err().contains("found `-5s`"));
        assert!(parse_millis("1.5s").unwrap_err().contains("fractions"));
    }

    #[test]
    fn rejects_units_out_of_order_or_repeated() {
        assert!(
            parse_millis("30s 1m")
                .unwrap_err()
                .contains("largest first")
        );
        assert!(parse_millis("1s 1s").unwrap_err().contains("largest first"));
    }

    #[test]
    fn rejects_zero_and_overflow() {
        assert_eq!(
            parse_millis("0s").unwrap_err(),
            "timeout must be longer than zero"
        );
        assert_eq!(
            parse_millis("0m 0ms").unwrap_err(),
            "timeout must be longer than zero"
        );
        assert_eq!(
            parse_millis("99999999999999999999h").unwrap_err(),
            "timeout is too long"
        );
        assert_eq!(
            parse_millis("18446744073709551615h").unwrap_err(),
            "timeout is too long"
        );
    }
}
