//! X.500 names as text: the RFC 4514 distinguished-name string, and the Windows "simple
//! display" name (what WinRT's `Certificate.Subject`/`Issuer` show: the CN, or a fallback).

use super::der::{self, DerError, TAG_OID, TAG_SEQUENCE, TAG_SET};

/// One attribute of a relative distinguished name.
#[derive(Debug, Clone)]
struct Attribute<'a> {
    /// Dotted-decimal OID of the attribute type.
    oid: String,
    /// The value's tag and contents, and its whole encoding (for the `#hex` form).
    tag: u8,
    value: &'a [u8],
    encoded: &'a [u8],
}

/// Splits an encoded `Name` (a SEQUENCE OF SET OF AttributeTypeAndValue) into its RDNs, in
/// encoding order (most significant first).
fn parse(name: &[u8]) -> Result<Vec<Vec<Attribute<'_>>>, DerError> {
    let (seq, _) = der::expect(name, TAG_SEQUENCE)?;
    let mut rdns = Vec::new();
    let mut rest = seq.content;
    while !rest.is_empty() {
        let (set, after) = der::expect(rest, TAG_SET)?;
        rest = after;
        let mut attrs = Vec::new();
        let mut inner = set.content;
        while !inner.is_empty() {
            let (atv, after) = der::expect(inner, TAG_SEQUENCE)?;
            inner = after;
            let (oid, value_rest) = der::expect(atv.content, TAG_OID)?;
            let (value, _) = der::read_tlv(value_rest)?;
            attrs.push(Attribute {
                oid: der::oid_to_string(oid.content).ok_or(DerError::Malformed)?,
                tag: value.tag,
                value: value.content,
                encoded: value.encoded,
            });
        }
        rdns.push(attrs);
    }
    Ok(rdns)
}

/// Decodes a directory-string value to text, or `None` for non-string types.
fn decode_value(tag: u8, value: &[u8]) -> Option<String> {
    match tag {
        // UTF8String, NumericString, PrintableString, IA5String, VisibleString.
        0x0C | 0x12 | 0x13 | 0x16 | 0x1A => std::str::from_utf8(value).ok().map(str::to_owned),
        // TeletexString: in practice Latin-1.
        0x14 => Some(value.iter().map(|&b| char::from(b)).collect()),
        // BMPString: UTF-16BE.
        0x1E if value.len().is_multiple_of(2) => {
            let units: Vec<u16> = value.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
            String::from_utf16(&units).ok()
        }
        // UniversalString: UTF-32BE.
        0x1C if value.len().is_multiple_of(4) => value
            .chunks_exact(4)
            .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
            .collect(),
        _ => None,
    }
}

/// The short name RFC 4514 (and OpenSSL, for the few extras) uses for an attribute type.
fn short_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CN",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.6" => "C",
        "2.5.4.9" => "STREET",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        // Not in RFC 4514's table, but common enough that a dotted OID would only confuse.
        "1.2.840.113549.1.9.1" => "emailAddress",
        "2.5.4.5" => "serialNumber",
        "2.5.4.4" => "SN",
        "2.5.4.42" => "GN",
        "2.5.4.12" => "title",
        "2.5.4.17" => "postalCode",
        _ => return None,
    })
}

/// Escapes a value per RFC 4514 §2.4.
fn escape(value: &str, out: &mut String) {
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        match c {
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            '\0' => out.push_str("\\00"),
            _ => out.push(c),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The RFC 4514 string of an encoded `Name`: RDNs last-to-first, `,` between RDNs, `+` within
/// one. Unknown attribute types and non-string values use the dotted OID / `#hex` forms.
/// Undecodable names give `None`.
pub(crate) fn rfc4514(name: &[u8]) -> Option<String> {
    let rdns = parse(name).ok()?;
    let mut out = String::new();
    for (i, rdn) in rdns.iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, attr) in rdn.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            let short = short_name(&attr.oid);
            out.push_str(short.unwrap_or(&attr.oid));
            out.push('=');
            match (short, decode_value(attr.tag, attr.value)) {
                (Some(_), Some(text)) => escape(&text, &mut out),
                _ => {
                    out.push('#');
                    out.push_str(&hex(attr.encoded));
                }
            }
        }
    }
    Some(out)
}

/// The simple display name of an encoded `Name`, as Windows' `CERT_NAME_SIMPLE_DISPLAY_TYPE`:
/// the first CN, else the first OU, O, or emailAddress, else the first attribute that is a
/// string; empty if there is none.
pub(crate) fn simple_display(name: &[u8]) -> String {
    let Ok(rdns) = parse(name) else { return String::new() };
    let attrs: Vec<&Attribute<'_>> = rdns.iter().flatten().collect();
    let preferred = ["2.5.4.3", "2.5.4.11", "2.5.4.10", "1.2.840.113549.1.9.1"];
    preferred
        .iter()
        .find_map(|oid| attrs.iter().filter(|a| a.oid == *oid).find_map(|a| decode_value(a.tag, a.value)))
        .or_else(|| attrs.iter().find_map(|a| decode_value(a.tag, a.value)))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodes a tiny TLV (contents < 128 bytes).
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        [&[tag, content.len() as u8][..], content].concat()
    }

    fn atv(oid: &[u8], tag: u8, value: &[u8]) -> Vec<u8> {
        tlv(0x30, &[tlv(0x06, oid), tlv(tag, value)].concat())
    }

    const CN: &[u8] = &[0x55, 0x04, 0x03];
    const O: &[u8] = &[0x55, 0x04, 0x0A];
    const OU: &[u8] = &[0x55, 0x04, 0x0B];
    const C: &[u8] = &[0x55, 0x04, 0x06];

    #[test]
    fn rfc4514_order_escaping_and_multivalue() {
        let name = tlv(
            0x30,
            &[
                tlv(0x31, &atv(C, 0x13, b"US")),
                tlv(0x31, &atv(O, 0x0C, b"Acme, Inc.")),
                tlv(0x31, &[atv(OU, 0x0C, b"#dev "), atv(CN, 0x1E, &[0, b'h', 0, b'i'])].concat()),
            ]
            .concat(),
        );
        assert_eq!(rfc4514(&name).unwrap(), "OU=\\#dev\\ +CN=hi,O=Acme\\, Inc.,C=US");
        assert_eq!(simple_display(&name), "hi");
    }

    #[test]
    fn unknown_types_use_hex() {
        let name = tlv(0x30, &tlv(0x31, &atv(&[0x2A, 0x03], 0x0C, b"x")));
        assert_eq!(rfc4514(&name).unwrap(), "1.2.3=#0c0178");
        assert_eq!(simple_display(&name), "x");
    }

    #[test]
    fn simple_display_falls_back() {
        let name =
            tlv(0x30, &[tlv(0x31, &atv(O, 0x13, b"Org")), tlv(0x31, &atv(OU, 0x13, b"Unit"))].concat());
        assert_eq!(simple_display(&name), "Unit");
        assert_eq!(simple_display(&tlv(0x30, &[])), "");
        assert_eq!(rfc4514(&tlv(0x30, &[])).unwrap(), "");
        assert_eq!(simple_display(&[0xFF]), "");
        assert!(rfc4514(&[0x30, 0x03, 0x31, 0x01]).is_none());
    }
}
