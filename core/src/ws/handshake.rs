//! The client side of the WebSocket opening handshake (RFC 6455 §4.1): the request headers,
//! and the checks on the server's 101 response.

use base64::Engine as _;

use crate::error::{Error, Result, hresult};

const ACCEPT_GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Headers an application may not set: the handshake owns them.
pub(crate) fn is_reserved_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("sec-websocket-") || matches!(lower.as_str(), "host" | "upgrade" | "connection")
}

/// A fresh `Sec-WebSocket-Key`: 16 random bytes, base64.
pub(crate) fn new_key() -> String {
    let mut nonce = [0u8; 16];
    aws_lc_rs::rand::fill(&mut nonce).expect("the system random number generator");
    base64::engine::general_purpose::STANDARD.encode(nonce)
}

/// The `Sec-WebSocket-Accept` a server must answer `key` with.
pub(crate) fn accept_for(key: &str) -> String {
    let digest = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY,
        format!("{key}{ACCEPT_GUID}").as_bytes(),
    );
    base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
}

/// The handshake's own headers.
pub(crate) fn request_headers(key: &str, protocols: &[String]) -> Vec<(String, String)> {
    let mut headers = vec![
        ("Upgrade".to_string(), "websocket".to_string()),
        ("Connection".to_string(), "Upgrade".to_string()),
        ("Sec-WebSocket-Key".to_string(), key.to_string()),
        ("Sec-WebSocket-Version".to_string(), "13".to_string()),
    ];
    if !protocols.is_empty() {
        headers.push(("Sec-WebSocket-Protocol".to_string(), protocols.join(", ")));
    }
    headers
}

fn invalid(message: String) -> Error {
    Error::new(hresult::WININET_E_INVALID_SERVER_RESPONSE, message)
}

/// Checks a 101 response; returns the subprotocol the server chose (`None`: none).
///
/// # Errors
/// `WININET_E_INVALID_SERVER_RESPONSE` when the response does not complete the handshake:
/// no `Upgrade: websocket`, a wrong `Sec-WebSocket-Accept`, a subprotocol that was not
/// offered, or an extension (none is ever offered).
pub(crate) fn check_response(
    headers: &hyper::HeaderMap,
    key: &str,
    offered: &[String],
) -> Result<Option<String>> {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if !get("upgrade").is_some_and(|v| v.eq_ignore_ascii_case("websocket")) {
        return Err(invalid("the server switched protocols without 'Upgrade: websocket'".into()));
    }
    let expected = accept_for(key);
    match get("sec-websocket-accept") {
        Some(accept) if accept == expected => {}
        other => {
            return Err(invalid(format!(
                "the server's Sec-WebSocket-Accept {other:?} does not answer this handshake's key"
            )));
        }
    }
    if let Some(ext) = get("sec-websocket-extensions").filter(|e| !e.is_empty()) {
        return Err(invalid(format!("the server enabled the extension '{ext}', which was not offered")));
    }
    match get("sec-websocket-protocol").filter(|p| !p.is_empty()) {
        None => Ok(None),
        Some(chosen) if offered.iter().any(|o| o == chosen) => Ok(Some(chosen.to_string())),
        Some(chosen) => Err(invalid(format!(
            "the server chose the subprotocol '{chosen}', which was not offered (offered: {})",
            if offered.is_empty() { "none".to_string() } else { offered.join(", ") }
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6455_accept_example() {
        assert_eq!(accept_for("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assert_eq!(new_key().len(), 24);
    }

    #[test]
    fn responses() {
        let key = "dGhlIHNhbXBsZSBub25jZQ==";
        let mut h = hyper::HeaderMap::new();
        h.insert("upgrade", "WebSocket".parse().unwrap());
        h.insert("sec-websocket-accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".parse().unwrap());
        let offered = vec!["a".to_string(), "b".to_string()];
        assert_eq!(check_response(&h, key, &offered).unwrap(), None);
        h.insert("sec-websocket-protocol", "b".parse().unwrap());
        assert_eq!(check_response(&h, key, &offered).unwrap().as_deref(), Some("b"));
        h.insert("sec-websocket-protocol", "c".parse().unwrap());
        let e = check_response(&h, key, &offered).unwrap_err();
        assert!(e.message().contains("'c'"), "{}", e.message());
        h.remove("sec-websocket-protocol");
        h.insert("sec-websocket-accept", "x".parse().unwrap());
        assert_eq!(
            check_response(&h, key, &offered).unwrap_err().hresult(),
            hresult::WININET_E_INVALID_SERVER_RESPONSE
        );
        assert!(is_reserved_header("Sec-WebSocket-Protocol") && is_reserved_header("HOST"));
        assert!(!is_reserved_header("X-Token"));
    }
}
