//! Pagination: bulk `get_*` methods, page by page.
//!
//! TestRail 6.7 and later answer bulk `get_*` methods with an envelope,
//! `{"offset": 0, "limit": 250, "size": 250, "_links": {"next": "/api/v2/get_cases/1&limit=250&offset=250", "prev": null}, "cases": [...]}`,
//! at most 250 items per page (source: TestRail's API reference, "Pagination", and the
//! digest in `TESTRAIL_API.md`). Older versions, and methods that are not paginated, answer
//! with a bare JSON array: that is taken as one, last page.
//!
//! A [`Pages`] asks for one page per [`Pages::next_page`] call, rebuilding the URL from its
//! own offset and limit (it does not follow `_links.next` verbatim, whose other parameters
//! differ between TestRail versions) and stopping when `_links.next` is `null` (or, without
//! `_links`, at a page shorter than the limit). Each page is one request under the client's
//! rate limit, retries and in-flight bound.

use std::marker::PhantomData;

use futures_util::stream::{self, Stream, TryStreamExt};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{Client, Error, decode, decode_error, transport};

/// TestRail's largest (and default) page size.
pub const MAX_PAGE_SIZE: usize = 250;

/// One page of a bulk `get_*` answer.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// How many items come before this page (TestRail's `offset`).
    pub offset: u64,
    /// The items, in TestRail's order (cases by section and display order, runs and plans
    /// newest first, results newest first).
    pub items: Vec<T>,
    /// Whether this is the last page (no `_links.next`).
    pub is_last: bool,
}

/// The pages of one bulk `get_*` call, fetched one request at a time.
///
/// Made by the `*_pages` methods of [`Client`] (for example [`Client::get_cases_pages`]) and
/// by [`Client::pages`] for any other method. Read it with [`Pages::next_page`], turn it into
/// a [`Stream`] of pages ([`Pages::into_stream`]) or of items ([`Pages::into_items`]), or
/// collect everything with [`Pages::collect_all`] (which is what the `get_*` methods
/// returning a `Vec` do).
///
/// ```
/// # use testrail_api::{ApiKey, Client, ClientConfig, CaseFilter, SuiteId};
/// # use testrail_sim::{Fixture, GenOptions, Simulator, generate};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let fixture = generate(&GenOptions { cases: 30, suites: 1, cases_per_section: 10 });
/// # let sim = Simulator::start(fixture).await?;
/// # let client = Client::new(ClientConfig::new(sim.base_url(), sim.email(), ApiKey::new(sim.api_key())))?;
/// // The 30 cases of suite S1 in project P1, 10 per request.
/// let filter = CaseFilter { suite_id: Some(SuiteId::new(1)), ..CaseFilter::default() };
/// let mut pages = client.get_cases_pages(1, &filter).page_size(10);
/// let mut seen = 0;
/// while let Some(page) = pages.next_page().await? {
///     assert_eq!(page.offset, seen);
///     seen += page.items.len() as u64;
/// }
/// assert_eq!(seen, 30);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
#[must_use = "a Pages sends nothing until it is read"]
pub struct Pages<T> {
    client: Client,
    method: String,
    key: String,
    params: Vec<(String, String)>,
    limit: usize,
    /// The offset of the next page; `None` once the last page was read.
    next: Option<u64>,
    items: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Pages<T> {
    pub(crate) fn new(
        client: Client,
        method: String,
        key: &str,
        params: Vec<(String, String)>,
    ) -> Self {
        Self {
            client,
            method,
            key: key.to_owned(),
            params,
            limit: MAX_PAGE_SIZE,
            next: Some(0),
            items: PhantomData,
        }
    }

    /// Items per request, 1 to 250 (values outside are clamped to that range; TestRail
    /// refuses a `limit` above 250). Default 250: fewest requests.
    pub fn page_size(mut self, limit: usize) -> Self {
        self.limit = limit.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// Fetches the next page: `Ok(None)` once the last one was returned.
    ///
    /// # Errors
    ///
    /// Every [`Error`] of a request; [`Error::Decode`] if the answer is neither a list nor
    /// an envelope holding the expected list, if an item does not decode, or if TestRail
    /// answered another offset than asked for. After an error the same page can be asked
    /// for again.
    pub async fn next_page(&mut self) -> Result<Option<Page<T>>, Error> {
        let Some(offset) = self.next else {
            return Ok(None);
        };
        let (limit, offset_text) = (self.limit.to_string(), offset.to_string());
        let paging = [("limit", limit.as_str()), ("offset", offset_text.as_str())];
        let params = self
            .params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .chain(paging);
        let method = self.method.as_str();
        let url = self.client.inner.base.api_url(method, params);
        let (status, body) = self
            .client
            .execute(transport::Call::get(method, url))
            .await?;
        let fail = |reason: String| decode_error(method, status, reason, &body);
        let mut envelope = match decode::<Value>(method, status, &body)? {
            // Not paginated (a bare array): the whole list, one page.
            Value::Array(items) => {
                self.next = None;
                return Ok(Some(Page {
                    offset,
                    items: decode_items(items).map_err(fail)?,
                    is_last: true,
                }));
            }
            Value::Object(envelope) => envelope,
            _ => return Err(fail("expected a list or a pagination envelope".to_owned())),
        };
        let key = self.key.as_str();
        let Some(Value::Array(items)) = envelope.remove(key) else {
            return Err(fail(format!("no `{key}` list in the answer")));
        };
        let echoed = envelope.get("offset").and_then(Value::as_u64);
        if let Some(echoed) = echoed.filter(|o| *o != offset) {
            return Err(fail(format!(
                "asked for offset {offset}, got offset {echoed}"
            )));
        }
        let more = match envelope.get("_links") {
            Some(links) => links
                .get("next")
                .is_some_and(|n| !n.is_null() && n.as_str() != Some("")),
            None => items.len() >= self.limit,
        };
        let count = items.len() as u64;
        let items = decode_items(items).map_err(fail)?;
        let is_last = !more || count == 0;
        self.next = (!is_last).then_some(offset + count);
        Ok(Some(Page {
            offset,
            items,
            is_last,
        }))
    }

    /// Every remaining item, in order, one request per page.
    ///
    /// # Errors
    ///
    /// The first error of [`Pages::next_page`]; the items read until then are dropped.
    pub async fn collect_all(mut self) -> Result<Vec<T>, Error> {
        let mut all = Vec::new();
        while let Some(page) = self.next_page().await? {
            all.extend(page.items);
        }
        Ok(all)
    }

    /// The remaining pages as a [`Stream`]; it ends after the last page or after the first
    /// error.
    pub fn into_stream(self) -> impl Stream<Item = Result<Page<T>, Error>> {
        stream::try_unfold(self, |mut pages| async move {
            Ok(pages.next_page().await?.map(|page| (page, pages)))
        })
    }

    /// The remaining items as a [`Stream`], fetching a page whenever the previous one is
    /// used up; it ends after the last item or after the first error.
    ///
    /// The stream is not `Unpin`: pin it (`std::pin::pin!`) to call `next` or `try_next`
    /// on it; combinators such as `try_collect` need no pinning.
    ///
    /// ```
    /// # use testrail_api::{ApiKey, Client, ClientConfig, CaseFilter, SuiteId};
    /// # use testrail_sim::{GenOptions, Simulator, generate};
    /// use futures_util::TryStreamExt;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sim = Simulator::start(generate(&GenOptions { cases: 30, suites: 1, cases_per_section: 10 })).await?;
    /// # let client = Client::new(ClientConfig::new(sim.base_url(), sim.email(), ApiKey::new(sim.api_key())))?;
    /// let filter = CaseFilter { suite_id: Some(SuiteId::new(1)), ..CaseFilter::default() };
    /// let cases = client.get_cases_pages(1, &filter).page_size(10).into_items();
    /// let mut cases = std::pin::pin!(cases);
    /// let mut titles = Vec::new();
    /// while let Some(case) = cases.try_next().await? {
    ///     titles.push(case.title);
    /// }
    /// assert_eq!(titles.len(), 30);
    /// # Ok(())
    /// # }
    /// ```
    pub fn into_items(self) -> impl Stream<Item = Result<T, Error>> {
        self.into_stream()
            .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
            .try_flatten()
    }
}

fn decode_items<T: DeserializeOwned>(items: Vec<Value>) -> Result<Vec<T>, String> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| serde_json::from_value(item).map_err(|e| format!("item {i}: {e}")))
        .collect()
}
