//! `Windows.Security.Cryptography.Certificates.CertificateExtension`: one X.509 extension as an
//! object id, a critical flag and the DER-encoded value (RFC 5280 §4.1, `Extension`).
//!
//! Decisions (WinRT leaves these open):
//! - `EncodeValue(String)` sets `Value` to the DER encoding of the string as a single ASN.1
//!   string: an IA5String when every character is ASCII, otherwise a UTF8String. It does not
//!   parse the text (no "DNS:..." syntax): an extension whose value is a structure is set
//!   through `Value`.
//! - `SubjectAlternativeNameInfo.Extension` of a certificate is its subjectAltName extension
//!   (object id 2.5.29.17) as it appears in the certificate: its critical flag and the DER of
//!   its value (the `GeneralNames` sequence). A certificate without one — and an info made with
//!   the constructor — gives an extension with that object id, not critical, and an empty
//!   value, never null.

/// The object id of the subjectAltName extension.
pub const SUBJECT_ALTERNATIVE_NAME_OID: &str = "2.5.29.17";

/// `CertificateExtension`: a value object; the constructor gives an empty one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CertificateExtension {
    /// `ObjectId`: the dotted object id ("2.5.29.17").
    pub object_id: String,
    /// `IsCritical`.
    pub is_critical: bool,
    /// `Value`: the DER encoding of the extension's value.
    pub value: Vec<u8>,
}

impl CertificateExtension {
    /// `CertificateExtension()`: no object id, not critical, an empty value.
    pub fn new() -> Self {
        Self::default()
    }

    /// `EncodeValue(String)`: sets [`value`](Self::value) to the DER encoding of `text` as an
    /// IA5String (ASCII text) or a UTF8String (anything else).
    pub fn encode_value(&mut self, text: &str) {
        let tag = if text.is_ascii() { TAG_IA5_STRING } else { TAG_UTF8_STRING };
        self.value = der_tlv(tag, text.as_bytes());
    }

    /// The subjectAltName extension with the given flag and value.
    pub(crate) fn subject_alternative_name(is_critical: bool, value: Vec<u8>) -> Self {
        Self { object_id: SUBJECT_ALTERNATIVE_NAME_OID.to_owned(), is_critical, value }
    }
}

const TAG_UTF8_STRING: u8 = 0x0C;
const TAG_IA5_STRING: u8 = 0x16;

/// One DER tag-length-value (definite length, short form below 128 bytes).
fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_value_is_one_der_string() {
        let mut ext = CertificateExtension::new();
        assert_eq!((ext.object_id.as_str(), ext.is_critical, ext.value.len()), ("", false, 0));
        ext.encode_value("a.example");
        assert_eq!(ext.value, b"\x16\x09a.example");
        ext.encode_value("é");
        assert_eq!(ext.value, b"\x0C\x02\xC3\xA9");
        ext.encode_value("");
        assert_eq!(ext.value, b"\x16\x00");
        let long = "x".repeat(300);
        ext.encode_value(&long);
        assert_eq!(&ext.value[..4], b"\x16\x82\x01\x2C");
        assert_eq!(ext.value.len(), 304);
    }
}
