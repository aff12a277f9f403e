//! Resuming a download (RFC 9110 §14): the `Range` / `If-Range` request headers, and what the
//! response says about the bytes it carries and whether the resource can be resumed later.

use hyper::HeaderMap;

use super::spec::{ResumeState, Validator};

/// `Range: bytes=<offset>-` and `If-Range: <validator>` when there are bytes to keep and a
/// validator to keep them by (without one, the server could splice two versions together).
pub(crate) fn range_headers(resume: &ResumeState) -> Vec<(String, String)> {
    match &resume.validator {
        Some(validator) if resume.offset > 0 => {
            let value = match validator {
                Validator::ETag(tag) => tag.clone(),
                Validator::LastModified(date) => date.clone(),
            };
            vec![("Range".into(), format!("bytes={}-", resume.offset)), ("If-Range".into(), value)]
        }
        _ => Vec::new(),
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

/// The validator a response names: its ETag when strong (`If-Range` allows no weak one), else
/// its Last-Modified date.
pub(crate) fn validator_of(headers: &HeaderMap) -> Option<Validator> {
    if let Some(tag) = header(headers, "etag").filter(|t| t.starts_with('"') && t.len() >= 2) {
        return Some(Validator::ETag(tag.to_string()));
    }
    header(headers, "last-modified").filter(|d| !d.is_empty()).map(|d| Validator::LastModified(d.to_string()))
}

/// Whether a later attempt could resume: byte ranges accepted and a validator given.
pub(crate) fn is_resumable(headers: &HeaderMap) -> bool {
    let ranges = headers
        .get_all("accept-ranges")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|unit| unit.trim().eq_ignore_ascii_case("bytes"));
    ranges && validator_of(headers).is_some()
}

/// The length a response declares for its body.
pub(crate) fn content_length(headers: &HeaderMap) -> Option<u64> {
    header(headers, "content-length").and_then(|v| v.parse().ok())
}

/// A `Content-Range` value (RFC 9110 §14.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContentRange {
    /// `bytes first-last/complete` (`complete` is `*` when unknown).
    Bytes { first: u64, last: u64, complete: Option<u64> },
    /// `bytes */complete`, sent with 416.
    Unsatisfied { complete: u64 },
}

/// Parses the response's `Content-Range`, if it has a valid one.
pub(crate) fn content_range(headers: &HeaderMap) -> Option<ContentRange> {
    let value = header(headers, "content-range")?;
    let rest = value.strip_prefix("bytes")?.trim_start();
    let (range, complete) = rest.split_once('/')?;
    if range.trim() == "*" {
        return Some(ContentRange::Unsatisfied { complete: complete.trim().parse().ok()? });
    }
    let (first, last) = range.split_once('-')?;
    let (first, last): (u64, u64) = (first.trim().parse().ok()?, last.trim().parse().ok()?);
    let complete = match complete.trim() {
        "*" => None,
        n => Some(n.parse().ok()?),
    };
    let valid = first <= last && complete.is_none_or(|c| last < c);
    valid.then_some(ContentRange::Bytes { first, last, complete })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (n, v) in pairs {
            map.append(*n, v.parse().unwrap());
        }
        map
    }

    #[test]
    fn range_headers_need_bytes_and_a_validator() {
        let mut r = ResumeState { offset: 0, validator: Some(Validator::ETag("\"a\"".into())), total: None };
        assert!(range_headers(&r).is_empty());
        r.offset = 10;
        assert_eq!(
            range_headers(&r),
            [("Range".to_string(), "bytes=10-".to_string()), ("If-Range".to_string(), "\"a\"".to_string())]
        );
        r.validator = None;
        assert!(range_headers(&r).is_empty());
    }

    #[test]
    fn validators_prefer_strong_etags() {
        let date = "Sun, 06 Dec 2026 10:00:00 GMT";
        let h = headers(&[("etag", "W/\"weak\""), ("last-modified", date)]);
        assert_eq!(validator_of(&h), Some(Validator::LastModified(date.into())));
        let h = headers(&[("etag", "\"strong\""), ("last-modified", date)]);
        assert_eq!(validator_of(&h), Some(Validator::ETag("\"strong\"".into())));
        assert!(is_resumable(&headers(&[("etag", "\"s\""), ("accept-ranges", "bytes")])));
        assert!(!is_resumable(&headers(&[("etag", "\"s\""), ("accept-ranges", "none")])));
        assert!(!is_resumable(&headers(&[("accept-ranges", "bytes")])));
    }

    #[test]
    fn content_ranges() {
        let cr = |v: &'static str| content_range(&headers(&[("content-range", v)]));
        assert_eq!(
            cr("bytes 10-19/20"),
            Some(ContentRange::Bytes { first: 10, last: 19, complete: Some(20) })
        );
        assert_eq!(cr("bytes 10-19/*"), Some(ContentRange::Bytes { first: 10, last: 19, complete: None }));
        assert_eq!(cr("bytes */20"), Some(ContentRange::Unsatisfied { complete: 20 }));
        assert_eq!(cr("bytes 19-10/20"), None);
        assert_eq!(cr("bytes 10-20/20"), None);
        assert_eq!(cr("items 1-2/3"), None);
        assert_eq!(cr("bytes x-1/2"), None);
    }
}
