//! The TestRail API key, a secret that cannot print itself.

use std::fmt;

/// A TestRail API key (or password).
///
/// It has no `Display` and no `Serialize`, and its `Debug` prints `ApiKey(***)`, so it
/// cannot end up in a log line, an error message or a dry-run description by accident.
/// The client only ever puts it into the `Authorization` header.
///
/// ```
/// use testrail_api::ApiKey;
///
/// let key = ApiKey::new("s3cr3t-key");
/// assert_eq!(format!("{key:?}"), "ApiKey(***)");
/// assert!(!key.is_empty());
/// ```
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key, for example the value of `TESTRAIL_API_KEY`.
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// Whether the key is empty (or only whitespace), which TestRail would reject.
    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }

    /// `text` with every occurrence of the key replaced by `***`, for text that goes to
    /// TestRail or a terminal from elsewhere (a test that printed its environment). A key
    /// shorter than 4 characters is not looked for: it would hide ordinary words.
    ///
    /// ```
    /// use testrail_api::ApiKey;
    /// let key = ApiKey::new("hunter2");
    /// assert_eq!(key.redact("key=hunter2 ok"), "key=*** ok");
    /// ```
    pub fn redact<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        let key = self.0.trim();
        match key.chars().count() >= 4 && text.contains(key) {
            true => text.replace(key, "***").into(),
            false => text.into(),
        }
    }

    /// The key itself, for the `Authorization` header only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

impl From<String> for ApiKey {
    fn from(key: String) -> Self {
        Self(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_key() {
        let key = ApiKey::new("hunter2");
        assert_eq!(format!("{key:?}"), "ApiKey(***)");
        assert_eq!(format!("{key:#?}"), "ApiKey(***)");
        assert!(!format!("{:?}", Some(key.clone())).contains("hunter2"));
        assert_eq!(key.expose(), "hunter2");
    }

    #[test]
    fn blank_keys_are_empty() {
        assert!(ApiKey::new("").is_empty());
        assert!(ApiKey::new("  \n").is_empty());
        assert!(!ApiKey::from("k".to_owned()).is_empty());
    }
}
