//! The `timeout = "..."` syntax: [`humantime`]'s durations, as in the `timeout` setting of
//! `testrail.toml`: `"30s"`, `"500ms"`, `"2m"`, `"1m 30s"`, `"1h"`. It is read at compile
//! time into whole milliseconds.

/// Reads a timeout into milliseconds, or explains (in a short lowercase message) what is
/// wrong with it.
pub(crate) fn parse_millis(text: &str) -> Result<u64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(r#"timeout is empty; expected a duration like "30s""#.to_owned());
    }
    let duration = humantime::parse_duration(text).map_err(|error| {
        format!(r#"invalid timeout `{text}`: {error}; write it like "30s", "1m 30s" or "500ms""#)
    })?;
    if duration.is_zero() {
        return Err("timeout must be longer than zero".to_owned());
    }
    if duration.subsec_nanos() % 1_000_000 != 0 {
        return Err(format!(
            "timeout `{text}` is not a whole number of milliseconds; timeouts are counted in ms"
        ));
    }
    u64::try_from(duration.as_millis()).map_err(|_| "timeout is too long".to_owned())
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
        assert_eq!(parse_millis("2sec"), Ok(2_000));
        assert_eq!(parse_millis("1day"), Ok(86_400_000));
    }

    #[test]
    fn adds_parts() {
        assert_eq!(parse_millis("1m 30s"), Ok(90_000));
        assert_eq!(parse_millis("1m30s"), Ok(90_000));
        assert_eq!(parse_millis("1h 2m 3s 4ms"), Ok(3_723_004));
        assert_eq!(parse_millis(" 30s "), Ok(30_000));
        assert_eq!(parse_millis("30s 1m"), Ok(90_000), "in any order");
        assert_eq!(parse_millis("1.5s"), Ok(1_500), "with fractions");
    }

    #[test]
    fn rejects_unknown_units() {
        let error = parse_millis("30 parsecs").unwrap_err();
        assert!(
            error.starts_with("invalid timeout `30 parsecs`: unknown time unit \"parsecs\""),
            "{error}"
        );
        assert!(
            error.ends_with(r#"write it like "30s", "1m 30s" or "500ms""#),
            "{error}"
        );
    }

    #[test]
    fn rejects_missing_numbers_and_units() {
        for text in ["30", "s", "-5s", "1.5.2s"] {
            let error = parse_millis(text).unwrap_err();
            assert!(
                error.starts_with(&format!("invalid timeout `{text}`: ")),
                "{error}"
            );
        }
        assert!(parse_millis("").unwrap_err().contains("timeout is empty"));
        assert!(
            parse_millis("   ")
                .unwrap_err()
                .contains("timeout is empty")
        );
    }

    #[test]
    fn rejects_zero_parts_of_a_millisecond_and_overflow() {
        assert_eq!(
            parse_millis("0s").unwrap_err(),
            "timeout must be longer than zero"
        );
        assert_eq!(
            parse_millis("0m 0ms").unwrap_err(),
            "timeout must be longer than zero"
        );
        assert!(
            parse_millis("1500us")
                .unwrap_err()
                .contains("not a whole number of milliseconds")
        );
        assert!(
            parse_millis("99999999999999999999h")
                .unwrap_err()
                .contains("number is too large")
        );
    }
}
