//! A tiny DER reader for the few raw slices of a certificate that the parsers do not hand out
//! (the AlgorithmIdentifier bytes, the signature, the TBS bytes, attribute values), and
//! signature verification of one certificate by another's key.
//!
//! Only definite lengths of up to 4 length bytes are accepted (DER never needs more for data
//! that fits in memory); anything else is "malformed", never a panic.

use rustls::pki_types::SignatureVerificationAlgorithm;

/// Universal tags used here.
pub(crate) const TAG_SEQUENCE: u8 = 0x30;
pub(crate) const TAG_SET: u8 = 0x31;
pub(crate) const TAG_BIT_STRING: u8 = 0x03;
pub(crate) const TAG_OID: u8 = 0x06;

/// Why a DER structure could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DerError {
    /// The input ends before the element does.
    Truncated,
    /// A tag other than the one the structure requires.
    UnexpectedTag {
        /// The tag required.
        expected: u8,
        /// The tag found.
        found: u8,
    },
    /// Indefinite or over-long length, or other invalid encoding.
    Malformed,
}

/// One TLV element: its tag, content, and the whole encoding (tag + length + content).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    pub content: &'a [u8],
    pub encoded: &'a [u8],
}

/// Reads one element at the start of `input`; returns it and what follows.
pub(crate) fn read_tlv(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), DerError> {
    let (&tag, rest) = input.split_first().ok_or(DerError::Truncated)?;
    // High-tag-number form (0x1F) never appears in X.509 structures we read.
    if tag & 0x1F == 0x1F {
        return Err(DerError::Malformed);
    }
    let (&first, mut rest) = rest.split_first().ok_or(DerError::Truncated)?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let count = usize::from(first & 0x7F);
        if count == 0 || count > 4 {
            return Err(DerError::Malformed);
        }
        if rest.len() < count {
            return Err(DerError::Truncated);
        }
        let (len_bytes, after) = rest.split_at(count);
        rest = after;
        len_bytes.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
    };
    if rest.len() < len {
        return Err(DerError::Truncated);
    }
    let (content, after) = rest.split_at(len);
    let header_len = input.len() - rest.len();
    let encoded = &input[..header_len + len];
    Ok((Tlv { tag, content, encoded }, after))
}

/// Reads one element that must have tag `tag`.
/// The tag is checked before the length, so data of the wrong type reports as such even when
/// its "length" runs past the end.
pub(crate) fn expect(input: &[u8], tag: u8) -> Result<(Tlv<'_>, &[u8]), DerError> {
    match input.first() {
        Some(&found) if found != tag => Err(DerError::UnexpectedTag { expected: tag, found }),
        _ => read_tlv(input),
    }
}

/// The signed parts of a certificate (or any `SIGNED{}` structure).
#[derive(Debug, Clone, Copy)]
pub(crate) struct SignedParts<'a> {
    /// The whole encoded TBSCertificate: the bytes the signature covers.
    pub tbs: &'a [u8],
    /// The contents of the outer signatureAlgorithm AlgorithmIdentifier.
    pub signature_alg: &'a [u8],
    /// The signature bits (the BIT STRING without its unused-bits byte).
    pub signature: &'a [u8],
}

/// Splits `Certificate ::= SEQUENCE { tbs, signatureAlgorithm, signature BIT STRING }`.
/// Trailing bytes after the outer SEQUENCE are rejected.
pub(crate) fn signed_parts(der: &[u8]) -> Result<SignedParts<'_>, DerError> {
    let (outer, trailing) = expect(der, TAG_SEQUENCE)?;
    if !trailing.is_empty() {
        return Err(DerError::Malformed);
    }
    let (tbs, rest) = expect(outer.content, TAG_SEQUENCE)?;
    let (alg, rest) = expect(rest, TAG_SEQUENCE)?;
    let (sig, rest) = expect(rest, TAG_BIT_STRING)?;
    if !rest.is_empty() {
        return Err(DerError::Malformed);
    }
    Ok(SignedParts { tbs: tbs.encoded, signature_alg: alg.content, signature: bit_string_bytes(sig)? })
}

/// The public key of a `SubjectPublicKeyInfo` (full encoding): algorithm contents and key bits.
pub(crate) fn spki_parts(spki: &[u8]) -> Result<(&[u8], &[u8]), DerError> {
    let (outer, _) = expect(spki, TAG_SEQUENCE)?;
    let (alg, rest) = expect(outer.content, TAG_SEQUENCE)?;
    let (key, _) = expect(rest, TAG_BIT_STRING)?;
    Ok((alg.content, bit_string_bytes(key)?))
}

/// The bytes of a BIT STRING whose length is a whole number of octets (keys, signatures).
fn bit_string_bytes(tlv: Tlv<'_>) -> Result<&[u8], DerError> {
    match tlv.content.split_first() {
        Some((0, bits)) => Ok(bits),
        _ => Err(DerError::Malformed),
    }
}

/// An OBJECT IDENTIFIER's contents in dotted-decimal form (`"2.5.4.3"`); `None` if malformed.
pub(crate) fn oid_to_string(content: &[u8]) -> Option<String> {
    let mut arcs: Vec<u64> = Vec::new();
    let mut value: u64 = 0;
    let mut in_arc = false;
    for &b in content {
        if !in_arc && b == 0x80 {
            return None; // non-minimal encoding
        }
        value = value.checked_mul(128)?.checked_add(u64::from(b & 0x7F))?;
        in_arc = b & 0x80 != 0;
        if !in_arc {
            arcs.push(value);
            value = 0;
        }
    }
    if in_arc || arcs.is_empty() {
        return None;
    }
    // The first encoded arc packs the first two: 40 * X + Y.
    let first = arcs[0];
    let (x, y) = if first < 40 {
        (0, first)
    } else if first < 80 {
        (1, first - 40)
    } else {
        (2, first - 80)
    };
    let mut out = format!("{x}.{y}");
    for arc in &arcs[1..] {
        out.push('.');
        out.push_str(&arc.to_string());
    }
    Some(out)
}

/// Why a signature check did not pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignatureError {
    /// The certificate or key could not be read.
    Malformed,
    /// No supported algorithm matches the signature and key algorithms.
    UnsupportedAlgorithm,
    /// The signature does not verify.
    Invalid,
}

/// Verifies that `cert_der` is signed by the key in `issuer_spki` (a full SubjectPublicKeyInfo
/// encoding), using one of `algs` (webpki's rule: both AlgorithmIdentifiers must match exactly).
pub(crate) fn verify_signed_by(
    algs: &[&dyn SignatureVerificationAlgorithm],
    cert_der: &[u8],
    issuer_spki: &[u8],
) -> Result<(), SignatureError> {
    let parts = signed_parts(cert_der).map_err(|_| SignatureError::Malformed)?;
    let (key_alg, key) = spki_parts(issuer_spki).map_err(|_| SignatureError::Malformed)?;
    let mut matched = false;
    for alg in algs {
        if alg.signature_alg_id().as_ref() != parts.signature_alg
            || alg.public_key_alg_id().as_ref() != key_alg
        {
            continue;
        }
        matched = true;
        if alg.verify_signature(key, parts.tbs, parts.signature).is_ok() {
            return Ok(());
        }
    }
    Err(if matched { SignatureError::Invalid } else { SignatureError::UnsupportedAlgorithm })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tlv_lengths() {
        let (tlv, rest) = read_tlv(&[0x04, 0x02, 1, 2, 9]).unwrap();
        assert_eq!((tlv.tag, tlv.content, tlv.encoded.len(), rest), (4, &[1u8, 2][..], 4, &[9u8][..]));
        let long = [&[0x04u8, 0x81, 0x80][..], &[7u8; 0x80]].concat();
        assert_eq!(read_tlv(&long).unwrap().0.content.len(), 0x80);
        assert_eq!(read_tlv(&[0x04, 0x05, 1]).unwrap_err(), DerError::Truncated);
        assert_eq!(read_tlv(&[0x04, 0x80]).unwrap_err(), DerError::Malformed);
        assert_eq!(read_tlv(&[0x04, 0x85, 1, 1, 1, 1, 1]).unwrap_err(), DerError::Malformed);
        assert_eq!(read_tlv(&[]).unwrap_err(), DerError::Truncated);
        assert_eq!(read_tlv(&[0x30]).unwrap_err(), DerError::Truncated);
        assert!(matches!(expect(&[0x04, 0], 0x30), Err(DerError::UnexpectedTag { .. })));
    }

    #[test]
    fn oids() {
        assert_eq!(oid_to_string(&[0x55, 0x04, 0x03]).as_deref(), Some("2.5.4.3"));
        assert_eq!(
            oid_to_string(&[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x01]).as_deref(),
            Some("1.2.840.113549.1.9.1")
        );
        assert_eq!(oid_to_string(&[0x2B, 0x06, 0x01]).as_deref(), Some("1.3.6.1"));
        assert_eq!(oid_to_string(&[0x86]), None);
        assert_eq!(oid_to_string(&[]), None);
    }

    #[test]
    fn garbage_never_panics() {
        for len in 0..64 {
            let data: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let _ = signed_parts(&data);
            let _ = spki_parts(&data);
            let _ = oid_to_string(&data);
        }
    }
}
