//! Which redirects a transfer follows, and how the request changes on the way (RFC 9110
//! §15.4, with the Fetch standard's method rewrite for 301/302).

use crate::error::{Error, Result, hresult};

/// Redirects followed before the transfer fails.
pub(crate) const MAX_REDIRECTS: usize = 10;

/// The request after a redirect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hop {
    pub url: url::Url,
    pub method: hyper::Method,
    /// Whether the request body is sent again (307/308, and 301/302 other than for POST).
    pub keep_body: bool,
}

/// Whether `status` is a redirect this engine follows.
pub(crate) fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// Where redirect `status` with `location` leads from `current` (requested with `method`).
///
/// # Errors
/// `WININET_E_HTTPS_TO_HTTP_ON_REDIR` from https to http; `WININET_E_REDIRECT_FAILED` without
/// a usable Location.
pub(crate) fn follow(
    status: u16,
    location: Option<&str>,
    current: &url::Url,
    method: &hyper::Method,
) -> Result<Hop> {
    let location = location.ok_or_else(|| {
        Error::new(
            hresult::WININET_E_REDIRECT_FAILED,
            format!("HTTP {status} from {current} without a Location"),
        )
    })?;
    let url = current.join(location).map_err(|e| {
        Error::new(hresult::WININET_E_REDIRECT_FAILED, format!("HTTP {status} to '{location}': {e}"))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::new(
            hresult::WININET_E_REDIRECT_FAILED,
            format!("redirect from {current} to {url}: only http and https are followed"),
        ));
    }
    if current.scheme() == "https" && url.scheme() == "http" {
        return Err(Error::new(
            hresult::WININET_E_HTTPS_TO_HTTP_ON_REDIR,
            format!("refused the redirect from {current} to {url}: it leaves HTTPS for plain HTTP"),
        ));
    }
    let to_get = status == 303 && *method != hyper::Method::HEAD
        || matches!(status, 301 | 302) && *method == hyper::Method::POST;
    if to_get {
        return Ok(Hop { url, method: hyper::Method::GET, keep_body: false });
    }
    Ok(Hop { url, method: method.clone(), keep_body: true })
}

/// Whether `a` and `b` are the same origin (scheme, host, port): credentials and the app's
/// Authorization and Cookie headers go only to the request's original origin.
pub(crate) fn same_origin(a: &url::Url, b: &url::Url) -> bool {
    a.origin() == b.origin()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    #[test]
    fn methods_and_bodies_across_redirects() {
        let from = u("http://a/x/y");
        let post = hyper::Method::POST;
        let hop = follow(303, Some("/z"), &from, &hyper::Method::PUT).unwrap();
        assert_eq!((hop.url.as_str(), hop.method, hop.keep_body), ("http://a/z", hyper::Method::GET, false));
        let hop = follow(307, Some("z"), &from, &post).unwrap();
        assert_eq!((hop.url.as_str(), hop.method, hop.keep_body), ("http://a/x/z", post.clone(), true));
        let hop = follow(302, Some("https://b/"), &from, &post).unwrap();
        assert_eq!((hop.method, hop.keep_body), (hyper::Method::GET, false));
        let hop = follow(301, Some("https://b/"), &from, &hyper::Method::PUT).unwrap();
        assert_eq!((hop.method, hop.keep_body), (hyper::Method::PUT, true));
    }

    #[test]
    fn refused_redirects() {
        let e = follow(302, Some("http://a/"), &u("https://a/"), &hyper::Method::GET).unwrap_err();
        assert_eq!(e.hresult(), hresult::WININET_E_HTTPS_TO_HTTP_ON_REDIR);
        let e = follow(302, None, &u("https://a/"), &hyper::Method::GET).unwrap_err();
        assert_eq!(e.hresult(), hresult::WININET_E_REDIRECT_FAILED);
        let e = follow(302, Some("ftp://a/"), &u("https://a/"), &hyper::Method::GET).unwrap_err();
        assert_eq!(e.hresult(), hresult::WININET_E_REDIRECT_FAILED);
        assert!(same_origin(&u("http://a:80/x"), &u("http://a/y")));
        assert!(!same_origin(&u("http://a/"), &u("https://a/")));
        assert!(!same_origin(&u("http://a:1/"), &u("http://a:2/")));
    }
}
