//! Close codes and reasons (RFC 6455 §7.4): what `Close(code, reason)` accepts.

use crate::error::{Error, Result};

/// The most bytes a close reason may have: a control frame's 125-byte payload less the code.
pub const MAX_CLOSE_REASON_BYTES: usize = 123;

/// Checks a code and reason an application asks to close with.
///
/// # Errors
/// `E_INVALIDARG` for codes outside 1000–4999, for 1004 (reserved) and for 1005, 1006 and
/// 1015 (which only report conditions and must never be sent), and for a reason longer than
/// 123 UTF-8 bytes.
pub fn validate(code: u16, reason: &str) -> Result<()> {
    match code {
        1004 | 1005 | 1006 | 1015 => {
            return Err(Error::invalid_arg(format!(
                "close code {code} is reserved by RFC 6455 and must not be sent in a close frame"
            )));
        }
        1000..=4999 => {}
        _ => {
            return Err(Error::invalid_arg(format!(
                "close code {code} is outside 1000-4999 (RFC 6455 §7.4)"
            )));
        }
    }
    if reason.len() > MAX_CLOSE_REASON_BYTES {
        return Err(Error::invalid_arg(format!(
            "the close reason is {} UTF-8 bytes; at most {MAX_CLOSE_REASON_BYTES} fit in a close frame",
            reason.len()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_reasons() {
        for ok in [1000, 1001, 1003, 1007, 1011, 2999, 3000, 4999] {
            validate(ok, "").unwrap();
        }
        for bad in [0, 999, 1004, 1005, 1006, 1015, 5000, u16::MAX] {
            let e = validate(bad, "").unwrap_err();
            assert_eq!(e.hresult(), crate::error::hresult::E_INVALIDARG, "{bad}");
        }
        validate(1000, &"é".repeat(61)).unwrap(); // 122 bytes
        assert!(validate(1000, &"a".repeat(124)).is_err());
    }
}
