//! Fuzz harnesses over core's public API: each takes arbitrary bytes, must never panic, and
//! asserts the documented error contract. Shared by the libFuzzer targets (fuzz/fuzz_targets)
//! and by core/tests/fuzz_corpus.rs, which replays the committed corpora in `cargo test`.

use netrt::error::hresult::{
    self, CRYPT_E_ASN1_BADTAG, CRYPT_E_ASN1_CORRUPT, CRYPT_E_ASN1_EOD, E_INVALID_PASSWORD, HResult,
};
use netrt::foundation::{Uri, WwwFormUrlDecoder};
use netrt::io::{Buffer, ByteOrder, UnicodeEncoding};
use netrt::net::HostName;
use netrt::net::resolve::{Transport, resolve_service};
use netrt::tls::{Certificate, ChainValidationResult, chain};
use netrt::tls::{RecordingVerifier, SocketSslErrorSeverity, VerificationRecord};
use netrt::web::Proxy;
use netrt::{DataReader, Error};
use rustls::RootCertStore;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use std::sync::Arc;
use std::time::Duration;

/// The longest script a `data_reader` input carries (its first byte, modulo this + 1).
const MAX_SCRIPT: usize = 64;

/// `DataReader::from_buffer` driven by a script of reads.
///
/// Layout: byte 0 is the script length `n` (mod 65), the next `n` bytes are the script, the rest
/// is the buffer. A script byte's value mod 24 picks the call; the reads that take a length
/// (`read_string`, `read_bytes`, `read_buffer`) take it from the script's next byte.
///
/// Checked after every call: a success consumed exactly the value's size and returned what the
/// bytes say (numbers in the current byte order, strings re-encoding to the same bytes); a
/// failure consumed nothing and is `E_BOUNDS` (too few bytes) or, for `read_string` only,
/// `ERROR_NO_UNICODE_TRANSLATION`.
pub fn data_reader(data: &[u8]) {
    let Some((&head, rest)) = data.split_first() else { return };
    let n = (head as usize % (MAX_SCRIPT + 1)).min(rest.len());
    let (script, payload) = rest.split_at(n);
    let buffer = Buffer::from_bytes(payload).expect("a fuzz input fits a Buffer");
    let reader = DataReader::from_buffer(&buffer);
    let mut order = ByteOrder::BigEndian;
    let mut encoding = UnicodeEncoding::Utf8;
    let mut ops = script.iter().copied();
    // Bytes consumed so far, as this harness counts them.
    let mut at = 0usize;
    while let Some(op) = ops.next() {
        let before = reader.unconsumed_buffer_length().expect("open") as usize;
        assert_eq!(before, payload.len() - at, "unconsumed length drifted");
        let left = &payload[at..];
        // (bytes the call needs, its outcome: Ok(decoded bytes to compare) or Err)
        let (need, outcome): (usize, Result<Vec<u8>, Error>) = match op % 24 {
            0 => (1, reader.read_byte().map(|v| vec![v])),
            1 => (2, reader.read_int16().map(|v| ordered(&v.to_be_bytes(), order))),
            2 => (4, reader.read_int32().map(|v| ordered(&v.to_be_bytes(), order))),
            3 => (8, reader.read_int64().map(|v| ordered(&v.to_be_bytes(), order))),
            4 => (2, reader.read_uint16().map(|v| ordered(&v.to_be_bytes(), order))),
            5 => (4, reader.read_uint32().map(|v| ordered(&v.to_be_bytes(), order))),
            6 => (8, reader.read_uint64().map(|v| ordered(&v.to_be_bytes(), order))),
            7 => (8, reader.read_double().map(|v| ordered(&v.to_bits().to_be_bytes(), order))),
            8 => (4, reader.read_single().map(|v| ordered(&v.to_bits().to_be_bytes(), order))),
            9 => (
                1,
                reader.read_boolean().map(|v| {
                    assert_eq!(v, left[0] != 0, "read_boolean");
                    left[..1].to_vec()
                }),
            ),
            10 => (16, reader.read_guid().map(|g| guid_bytes(&g, order))),
            11 => (8, reader.read_date_time().map(|d| ordered(&d.universal_time.to_be_bytes(), order))),
            12 => (8, reader.read_time_span().map(|t| ordered(&t.duration.to_be_bytes(), order))),
            13 | 14 => {
                // 14: a count near u32::MAX (overflow of count * unit size must be E_BOUNDS).
                let arg = ops.next().unwrap_or(0) as u32;
                let units = if op % 24 == 14 { u32::MAX - arg } else { arg };
                let unit = if encoding == UnicodeEncoding::Utf8 { 1 } else { 2 };
                let need = (units as usize).saturating_mul(unit);
                let got = reader.read_string(units).map(|s| encode(&s, encoding));
                if let Err(e) = &got
                    && need <= before
                {
                    assert_eq!(e.hresult(), hresult::E_NO_UNICODE_TRANSLATION, "read_string: {e}");
                    assert!(decode_fails(&left[..need], encoding), "valid text refused: {e}");
                }
                (need, got)
            }
            15 => {
                let len = ops.next().unwrap_or(0) as usize;
                let mut out = vec![0u8; len];
                (len, reader.read_bytes(&mut out).map(|()| out))
            }
            16 => {
                let len = ops.next().unwrap_or(0) as u32;
                let got = reader.read_buffer(len).map(|b| {
                    assert_eq!(b.length(), len, "read_buffer length");
                    b.to_vec()
                });
                (len as usize, got)
            }
            17 | 18 => {
                order = if op % 24 == 17 { ByteOrder::LittleEndian } else { ByteOrder::BigEndian };
                reader.set_byte_order(order).expect("open");
                continue;
            }
            19..=21 => {
                encoding = match op % 24 {
                    19 => UnicodeEncoding::Utf8,
                    20 => UnicodeEncoding::Utf16LE,
                    _ => UnicodeEncoding::Utf16BE,
                };
                reader.set_unicode_encoding(encoding).expect("open");
                continue;
            }
            22 => {
                let _ = reader.byte_order().expect("open");
                let _ = reader.unicode_encoding().expect("open");
                continue;
            }
            _ => {
                // DetachBuffer hands out every unconsumed byte and leaves the reader empty.
                let rest = reader.detach_buffer().expect("no load is pending");
                assert_eq!(rest.to_vec(), left, "detach_buffer returned other bytes");
                assert_eq!(reader.unconsumed_buffer_length().expect("open"), 0);
                return;
            }
        };
        let after = reader.unconsumed_buffer_length().expect("open") as usize;
        match outcome {
            Ok(bytes) => {
                assert!(need <= before, "read {need} bytes with only {before} loaded");
                assert_eq!(after, before - need, "a successful read consumed the wrong count");
                assert_eq!(bytes, left[..need], "op {}: value differs from its bytes", op % 24);
                at += need;
            }
            Err(e) => {
                assert_eq!(after, before, "a failed read consumed bytes: {e}");
                let code = e.hresult();
                assert!(
                    code == hresult::E_BOUNDS || code == hresult::E_NO_UNICODE_TRANSLATION,
                    "unexpected error {code:#010X}: {e}"
                );
                if code == hresult::E_BOUNDS {
                    assert!(need > before, "E_BOUNDS with enough bytes loaded: {e}");
                }
            }
        }
    }
    reader.close();
    assert!(reader.read_byte().is_err_and(|e| e.hresult() == hresult::RO_E_CLOSED));
}

fn ordered(be: &[u8], order: ByteOrder) -> Vec<u8> {
    let mut v = be.to_vec();
    if order == ByteOrder::LittleEndian {
        v.reverse();
    }
    v
}

fn guid_bytes(g: &netrt::foundation::Guid, order: ByteOrder) -> Vec<u8> {
    let mut v = ordered(&g.data1.to_be_bytes(), order);
    v.extend(ordered(&g.data2.to_be_bytes(), order));
    v.extend(ordered(&g.data3.to_be_bytes(), order));
    v.extend_from_slice(&g.data4);
    v
}

fn encode(s: &str, encoding: UnicodeEncoding) -> Vec<u8> {
    match encoding {
        UnicodeEncoding::Utf8 => s.as_bytes().to_vec(),
        UnicodeEncoding::Utf16LE => s.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        _ => s.encode_utf16().flat_map(u16::to_be_bytes).collect(),
    }
}

/// Whether `bytes` is invalid in `encoding`, decided independently of netrt.
fn decode_fails(bytes: &[u8], encoding: UnicodeEncoding) -> bool {
    match encoding {
        UnicodeEncoding::Utf8 => std::str::from_utf8(bytes).is_err(),
        _ => {
            let unit = |c: &[u8]| {
                let pair = [c[0], c[1]];
                if encoding == UnicodeEncoding::Utf16LE {
                    u16::from_le_bytes(pair)
                } else {
                    u16::from_be_bytes(pair)
                }
            };
            char::decode_utf16(bytes.chunks_exact(2).map(unit)).any(|c| c.is_err())
        }
    }
}

/// The HRESULTs a certificate constructor may fail with (docs/tls.md).
const CERTIFICATE_ERRORS: [HResult; 5] =
    [CRYPT_E_ASN1_BADTAG, CRYPT_E_ASN1_CORRUPT, CRYPT_E_ASN1_EOD, hresult::E_INVALIDARG, E_INVALID_PASSWORD];

/// `Certificate::from_der` / `from_pem` / `from_pkcs12`, then every getter.
///
/// Byte 0 picks the constructor: 0 = DER (the rest), 1 = PEM (the rest as text; a NUL splits
/// it into chain and key), 2 = PKCS#12 (byte 1 = password length, then the password, then the
/// file). A success must survive every getter and round-trip through `to_der` and `to_pem`; a
/// failure must be one of [`CERTIFICATE_ERRORS`].
pub fn certificate(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else { return };
    let parsed = match mode % 3 {
        0 => Certificate::from_der(rest),
        1 => {
            let text = String::from_utf8_lossy(rest);
            match text.split_once('\0') {
                Some((chain, key)) => Certificate::from_pem(chain, Some(key)),
                None => Certificate::from_pem(&text, None),
            }
        }
        _ => {
            let Some((&pw_len, rest)) = rest.split_first() else { return };
            let (password, file) = rest.split_at((pw_len as usize).min(rest.len()));
            Certificate::from_pkcs12(file, &String::from_utf8_lossy(password))
        }
    };
    match parsed {
        Ok(cert) => {
            exercise(&cert);
            for intermediate in cert.intermediates() {
                exercise(intermediate);
            }
        }
        Err(e) => {
            assert!(CERTIFICATE_ERRORS.contains(&e.hresult()), "unexpected error {:#010X}: {e}", e.hresult())
        }
    }
}

/// Calls every getter of `cert` and checks the DER and PEM round trips.
fn exercise(cert: &Certificate) {
    let _ =
        (cert.subject(), cert.subject_distinguished_name(), cert.issuer(), cert.issuer_distinguished_name());
    let _ = (cert.serial_number(), cert.valid_from(), cert.valid_to());
    assert_eq!(cert.thumbprint_sha1().len(), 20);
    assert_eq!(cert.thumbprint_sha256().len(), 32);
    let _ = (cert.dns_names(), cert.ip_addresses(), cert.enhanced_key_usages(), cert.key_usages());
    let _ = format!("{:?}", cert.subject_alternative_name());
    let _ =
        (cert.signature_algorithm_name(), cert.signature_hash_algorithm_name(), cert.key_algorithm_name());
    let _ = (cert.is_strongly_protected(), cert.is_per_user(), cert.is_security_device_bound());
    let _ = (cert.key_storage_provider_name(), cert.store_name());
    let _ =
        (cert.allows_server_auth(), cert.allows_client_auth(), cert.is_self_signed(), cert.is_self_issued());
    let _ = cert.has_private_key();
    let der = cert.to_der();
    let again = Certificate::from_der(&der).expect("a parsed certificate's DER parses again");
    assert_eq!(again.thumbprint_sha256(), cert.thumbprint_sha256());
    assert_eq!(again.subject(), cert.subject());
    let pem = Certificate::from_pem(&cert.to_pem(), None).expect("a parsed certificate's PEM parses again");
    assert_eq!(pem.to_der(), der);
}

/// Host names, service names and the `ChainValidationResult` tables.
///
/// The input as text: `HostName::new` (a success must re-parse from its canonical name to an
/// equal host name), `HostName::compare` of its two halves (split at the first `|`), and
/// `resolve_service` for TCP and UDP when the text is a number (names would query the
/// services database, which is not fuzzing netrt). Every 4 bytes, read as an `i32`, go
/// through `ChainValidationResult::from_raw` and the severity / HRESULT / primary-error
/// mappings. Every failure must be `E_INVALIDARG`.
pub fn names(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match HostName::new(&text) {
        Ok(host) => {
            let _ =
                (host.host_type(), host.raw_name(), host.display_name(), host.ip_address(), host.scope_id());
            let again = HostName::new(host.canonical_name()).expect("a canonical name parses again");
            assert!(again.is_equal(&host), "{:?} vs {:?}", host.canonical_name(), again.canonical_name());
            assert_eq!(again.host_type(), host.host_type());
            let _ = host.to_string();
        }
        Err(e) => assert_eq!(e.hresult(), hresult::E_INVALIDARG, "{e}"),
    }
    if let Some((a, b)) = text.split_once('|') {
        match HostName::compare(a, b) {
            Ok(order) => {
                assert!((-1..=1).contains(&order));
                assert_eq!(HostName::compare(b, a).expect("symmetric"), -order);
            }
            Err(e) => assert_eq!(e.hresult(), hresult::E_INVALIDARG, "{e}"),
        }
    }
    let service = text.trim();
    if service.bytes().all(|b| b.is_ascii_digit()) {
        for transport in [Transport::Tcp, Transport::Udp] {
            match resolve_service(&text, transport, true) {
                Ok(port) => assert_eq!(service.parse::<u16>().unwrap_or(0), port),
                Err(e) => assert_eq!(e.hresult(), hresult::E_INVALIDARG, "{e}"),
            }
        }
    }
    let results: Vec<ChainValidationResult> = data
        .chunks_exact(4)
        .filter_map(|c| ChainValidationResult::from_raw(i32::from_le_bytes([c[0], c[1], c[2], c[3]])))
        .collect();
    for &r in &results {
        let _ = (r.severity(), chain::hresult_name_for(r), chain::primary_rank(r));
        assert_eq!(chain::hresult_for(r) == hresult::S_OK, r == ChainValidationResult::Success);
    }
    let _ = chain::severity_of(&results);
    if let Some(primary) = chain::primary_error(&results) {
        assert!(results.contains(&primary));
        assert_ne!(primary, ChainValidationResult::Success);
    }
}

/// A CA, and a `localhost` server certificate it issued, that `crl` validates against the
/// fuzzed CRL (fuzz/fixtures; the seeds in fuzz/corpus/crl are that CA's CRLs).
const CRL_CA: &[u8] = include_bytes!("../fixtures/crl-ca.der");
const CRL_LEAF: &[u8] = include_bytes!("../fixtures/crl-leaf.der");

/// A certificate revocation list as `StreamSocketControl.CertificateRevocationLists` takes it:
/// `RecordingVerifier::new` parses it (a malformed CRL must be `E_INVALIDARG`); a parsed one is
/// then used to validate [`CRL_LEAF`] against [`CRL_CA`], which must produce a consistent
/// record (the verdict matches the errors; `Revoked` only from a CRL) and never panic.
pub fn crl(data: &[u8]) {
    let Some(record) = crl_record(data) else { return };
    assert_eq!(record.accepted, record.errors.is_empty(), "{record:?}");
    assert_eq!(record.severity == SocketSslErrorSeverity::None, record.errors.is_empty(), "{record:?}");
    assert!(record.errors.windows(2).all(|w| w[0] < w[1]), "errors sorted, no duplicates: {record:?}");
    assert!(!record.errors.contains(&ChainValidationResult::Untrusted), "the CA is trusted: {record:?}");
}

/// What validating [`CRL_LEAF`] with `crl` finds; None when `crl` is refused (which must be
/// `E_INVALIDARG`).
pub fn crl_record(crl: &[u8]) -> Option<VerificationRecord> {
    let mut roots = RootCertStore::empty();
    roots.add(CertificateDer::from(CRL_CA)).expect("the fixture CA is a valid trust anchor");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier =
        match RecordingVerifier::new(Arc::new(roots), &[], Vec::new(), vec![crl.to_vec()], provider) {
            Ok(v) => v,
            Err(e) => {
                assert_eq!(e.hresult(), hresult::E_INVALIDARG, "{e}");
                return None;
            }
        };
    let name = ServerName::try_from("localhost").expect("a valid name");
    // 2027-01-15: inside the fixtures' validity and the seeds' CRL update interval.
    let now = UnixTime::since_unix_epoch(Duration::from_secs(1_800_000_000));
    Some(verifier.validate(&CertificateDer::from(CRL_LEAF), &[], &name, now))
}

/// The web layer's text decoders: `Uri` (absolute, and relative to a base), `WwwFormUrlDecoder`,
/// `EscapeComponent`/`UnescapeComponent`, `Proxy::parse`, and the `WWW-Authenticate` /
/// `Proxy-Authenticate` challenge parser. The input is text split at `\n`: line 1 is the URI or
/// query, line 2 a relative reference or a name, every line a challenge header value.
///
/// Checked: every failure is `E_INVALIDARG`; a parsed Uri parses again from its AbsoluteUri to an
/// equal Uri; a decoder's entries agree with GetFirstValueByName; UnescapeComponent undoes
/// EscapeComponent; challenge parsing never panics.
pub fn web(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let first = lines.next().unwrap_or_default();
    let second = lines.next().unwrap_or_default();
    let invalid_arg = |e: Error| assert_eq!(e.hresult(), hresult::E_INVALIDARG, "{e}");
    match Uri::new(first) {
        Ok(uri) => {
            let _ = (uri.display_uri(), uri.domain(), uri.host(), uri.port(), uri.path(), uri.query());
            let again = Uri::new(&uri.absolute_uri()).expect("an AbsoluteUri parses again");
            assert!(again.equals(&uri), "{:?} vs {:?}", uri.absolute_uri(), again.absolute_uri());
        }
        Err(e) => invalid_arg(e),
    }
    if let Err(e) = Uri::with_base(first, second) {
        invalid_arg(e);
    }
    let decoder = WwwFormUrlDecoder::new(first);
    assert_eq!(decoder.size() as usize, decoder.entries().len());
    match decoder.get_first_value_by_name(second) {
        Ok(value) => {
            let first_match =
                decoder.entries().iter().find(|e| e.name() == second).expect("a value has an entry");
            assert_eq!(first_match.value(), value);
        }
        Err(e) => invalid_arg(e),
    }
    assert_eq!(Uri::unescape_component(&Uri::escape_component(&text)), text);
    if let Err(e) = Proxy::parse(first) {
        invalid_arg(e);
    }
    let values: Vec<&str> = text.split('\n').collect();
    challenges(&values);
    proxy_choice(first, second, values.get(2).copied().unwrap_or_default());
}

/// Base64 of `Mufasa:Circle of Life`, the Basic answer for [`challenges`]' credential.
const MUFASA_BASIC: &str = "Basic TXVmYXNhOkNpcmNsZSBvZiBMaWZl";

/// The challenge parser and the answer to it, over the values HTTP can deliver (hyper hands the
/// parser only visible ASCII, space and tab). Checked: Basic is answered whenever offered and
/// no Digest challenge can be; an answer is a valid header value; a Digest answer parses back
/// (its quoted strings are well formed) to the user, the URI, and a nonce and realm of one of
/// the Digest challenges.
fn challenges(values: &[&str]) {
    use netrt::web::{answer_challenges_for_fuzzing, parse_challenges_for_fuzzing};
    let header_text = |v: &str| v.bytes().all(|b| b == b'\t' || (0x20..0x7f).contains(&b));
    let values: Vec<&str> = values.iter().copied().filter(|v| header_text(v)).collect();
    let parsed = parse_challenges_for_fuzzing(&values);
    let uri = "/dir/index.html";
    let answer = answer_challenges_for_fuzzing(&values, "Mufasa", "Circle of Life", uri, "0a4f113b");
    let Some(answer) = answer else {
        assert!(
            !parsed.iter().any(|(scheme, _)| scheme == "basic"),
            "Basic offered, none answered: {values:?}"
        );
        return;
    };
    assert!(header_text(&answer), "not a header value: {answer:?}");
    if answer.starts_with("Basic ") {
        assert_eq!(answer, MUFASA_BASIC);
        return;
    }
    assert!(answer.starts_with("Digest "), "{answer}");
    let back = parse_challenges_for_fuzzing(&[&answer]);
    assert_eq!(back.len(), 1, "{answer}");
    let param = |params: &[(String, String)], name: &str| {
        params.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    };
    assert_eq!(param(&back[0].1, "username").as_deref(), Some("Mufasa"), "{answer}");
    assert_eq!(param(&back[0].1, "uri").as_deref(), Some(uri), "{answer}");
    let (nonce, realm) = (param(&back[0].1, "nonce"), param(&back[0].1, "realm").unwrap_or_default());
    let echoed = parsed.iter().any(|(scheme, params)| {
        scheme == "digest"
            && params.iter().any(|(n, v)| n == "nonce" && Some(v) == nonce.as_ref())
            && param(params, "realm").unwrap_or_default() == realm
    });
    assert!(echoed, "{answer} echoes no Digest challenge of {values:?}");
}

/// The proxy the environment gives a request (`http_proxy`/`https_proxy`/`all_proxy` = `proxy`,
/// `no_proxy` = `no_proxy`). Checked: a failure is `E_INVALIDARG`; a `no_proxy` list that also
/// names the target's host (one without a comma or space), or `*`, sends the request direct.
fn proxy_choice(target: &str, proxy: &str, no_proxy: &str) {
    use netrt::web::proxy_for_fuzzing;
    let Some((chosen, host)) = proxy_for_fuzzing(target, proxy, no_proxy) else {
        return;
    };
    if let Err(e) = chosen {
        assert_eq!(e.hresult(), hresult::E_INVALIDARG, "{e}");
    }
    // A list is split at commas and spaces, so a host holding one (a URL's host may: `a,b`)
    // cannot be named in it.
    let Some(host) = host.filter(|h| !h.is_empty() && !h.contains([',', ' '])) else {
        return;
    };
    for list in [format!("{no_proxy},{host}"), "*".to_string()] {
        let (again, _) = proxy_for_fuzzing(target, proxy, &list).expect("the same target");
        assert!(matches!(again, Ok(None)), "no_proxy {list:?} does not bypass {target:?}: {again:?}");
    }
}

/// The MaxMessageSize a `ws_frames` input picks with bits 1-2 of its first byte.
const WS_MAX_MESSAGE_SIZES: [u64; 4] = [16, 125, 4096, u64::MAX];

/// The WebSocket frame reader over bytes from a server (`netrt::ws::read_frames_for_fuzzing`).
///
/// Layout: byte 0 bit 0 = FullMessage mode's whole frames, bits 1-2 pick MaxMessageSize (16,
/// 125, 4096, unlimited); byte 1 + 1 = the bytes each read hands the reader (so headers,
/// payloads and UTF-8 characters split across reads); the rest is the byte stream.
///
/// Checked: every text piece is UTF-8 on its own; a message keeps its type and stays within
/// MaxMessageSize; a ping's payload is at most 125 bytes; no more payload comes out than went
/// in; the reader stops only at the end of the bytes or at a violation, and nothing follows it.
pub fn ws_frames(data: &[u8]) {
    use netrt::ws::FrameEvent;
    let Some(events) = ws_frames_events(data) else {
        return;
    };
    let (stream, max) = (&data[2..], WS_MAX_MESSAGE_SIZES[usize::from(data[0] >> 1) & 3]);
    let mut message: Option<(bool, u64)> = None;
    let mut payload = 0usize;
    for (i, event) in events.iter().enumerate() {
        let is_last = i + 1 == events.len();
        match event {
            FrameEvent::Piece { text, data, last } => {
                payload += data.len();
                if *text {
                    assert!(std::str::from_utf8(data).is_ok(), "a text piece is not UTF-8: {data:?}");
                }
                let (kind, size) = message.get_or_insert((*text, 0));
                assert_eq!(*kind, *text, "a message changed its type");
                *size += data.len() as u64;
                assert!(*size <= max, "a message of {size} bytes passed MaxMessageSize {max}");
                if *last {
                    message = None;
                }
            }
            FrameEvent::Ping(p) => {
                assert!(p.len() <= 125, "a ping of {} bytes", p.len());
                payload += p.len();
            }
            FrameEvent::Pong | FrameEvent::Close(_) => {}
            FrameEvent::TooBig { size, max: m } => {
                assert!(size > m && *m == max, "TooBig {size} > {m} (max {max})");
                assert!(is_last, "the reader went on after {event:?}");
            }
            FrameEvent::End | FrameEvent::Violation(_) => {
                assert!(is_last, "the reader went on after {event:?}")
            }
        }
    }
    assert!(payload <= stream.len(), "{payload} payload bytes from {} bytes", stream.len());
    assert!(
        matches!(events.last(), Some(FrameEvent::End | FrameEvent::Violation(_) | FrameEvent::TooBig { .. })),
        "the reader made no progress: {} events from {} bytes",
        events.len(),
        stream.len()
    );
}

/// What the frame reader makes of a `ws_frames` input (None when it is shorter than 2 bytes).
pub fn ws_frames_events(data: &[u8]) -> Option<Vec<netrt::ws::FrameEvent>> {
    let (&flags, &read) = (data.first()?, data.get(1)?);
    let max = WS_MAX_MESSAGE_SIZES[usize::from(flags >> 1) & 3];
    Some(netrt::ws::read_frames_for_fuzzing(&data[2..], usize::from(read) + 1, max, flags & 1 == 1))
}

/// The status codes a `transfer` input picks from (the engine decides a plan for 2xx answers
/// and, when it asked for a range, 416).
const TRANSFER_STATUSES: [u16; 8] = [200, 206, 416, 201, 203, 204, 226, 299];

/// The background-transfer engine's response decoding: what a download attempt makes of a
/// response's status and headers (`Content-Range`, `ETag`, `Last-Modified`, `Content-Length`)
/// given the bytes on disk (`netrt::background_transfer::engine::plan_for_fuzzing`).
///
/// Layout: byte 0 picks the status (mod 8: 200, 206, 416, 201, 203, 204, 226, 299); bytes 1-8
/// the resume offset (big-endian; a low byte 0 means none); byte 9 the validator the bytes on
/// disk have (mod 3: none, ETag `"v1"`, a date); the rest is text, one `name: value` header a line.
///
/// Checked: only a 206 fails, with `WININET_E_INVALID_SERVER_RESPONSE`; a 206 writes from the
/// offset asked for, and its size is beyond that offset; a 416 changes nothing; any other status
/// writes from 0 with the declared length; a kept ETag is a strong one.
pub fn transfer(data: &[u8]) {
    use netrt::background_transfer::engine::{Plan, ResumeState, Snapshot, Validator, plan_for_fuzzing};
    if data.len() < 10 {
        return;
    }
    let status = TRANSFER_STATUSES[usize::from(data[0]) % TRANSFER_STATUSES.len()];
    let offset = u64::from_be_bytes(data[1..9].try_into().expect("8 bytes"));
    let validator = match data[9] % 3 {
        0 => None,
        1 => Some(Validator::ETag("\"v1\"".into())),
        _ => Some(Validator::LastModified("Sun, 06 Dec 2026 10:00:00 GMT".into())),
    };
    // The engine asks for a range only with bytes on disk and a validator (416 only then).
    let offset = if validator.is_some() { offset } else { 0 };
    if status == 416 && offset == 0 {
        return;
    }
    let text = String::from_utf8_lossy(&data[10..]);
    let headers: Vec<(&str, &[u8])> = text
        .split('\n')
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim(), value.trim_start().as_bytes()))
        .collect();
    let before = ResumeState { offset, validator, total: None };
    let mut state = before.clone();
    let mut snapshot = Snapshot::default();
    let plan = match plan_for_fuzzing(status, &headers, &mut state, &mut snapshot) {
        Ok(plan) => plan,
        Err(e) => {
            assert_eq!(status, 206, "{e}");
            assert_eq!(e.hresult(), hresult::WININET_E_INVALID_SERVER_RESPONSE, "{e}");
            return;
        }
    };
    match status {
        206 => {
            assert_eq!(plan, Plan::WriteFrom(offset));
            let total = snapshot.total_bytes_to_receive;
            assert!(total > offset || total == u64::MAX, "a size of {total} for a range from {offset}");
            assert!(state.total.is_none_or(|t| t == total), "{state:?} vs {snapshot:?}");
        }
        416 => {
            assert!(matches!(plan, Plan::AlreadyComplete | Plan::AskAgainWhole), "{plan:?}");
            assert_eq!(state, before);
        }
        _ => {
            assert_eq!(plan, Plan::WriteFrom(0));
            assert_eq!(state.offset, 0);
            assert_eq!(snapshot.total_bytes_to_receive, state.total.unwrap_or(0));
        }
    }
    if let Some(Validator::ETag(tag)) = &state.validator {
        assert!(tag.len() >= 2 && tag.starts_with('"'), "a weak or bare ETag kept: {tag:?}");
    }
}

/// The feed reader and writer: `SyndicationFeed::parse_bytes` (XmlDocument, format detection,
/// the six readers, dates, URIs), then `GetXmlDocument` in Atom 1.0 and RSS 2.0.
///
/// Checked: every failure is one of the `WEB_E_*` syndication codes; a feed that parses writes
/// XML that parses again (the writer never produces malformed XML), and its Atom 1.0 form read
/// back is a feed again or misses an element Atom requires (an RSS item has no id).
pub fn feed(data: &[u8]) {
    use netrt::data::xml::XmlDocument;
    use netrt::web::syndication::{SyndicationFeed, SyndicationFormat};
    let syndication_codes = [
        hresult::WEB_E_INVALID_XML,
        hresult::WEB_E_UNSUPPORTED_FORMAT,
        hresult::WEB_E_MISSING_REQUIRED_ELEMENT,
        hresult::WEB_E_UNEXPECTED_CONTENT,
    ];
    let feed = match SyndicationFeed::parse_bytes(data, None) {
        Ok(feed) => feed,
        Err(e) => {
            assert!(syndication_codes.contains(&e.hresult()), "{e}");
            return;
        }
    };
    for format in [SyndicationFormat::Atom10, SyndicationFormat::Rss20] {
        let xml = feed.get_xml_document(format).expect("Atom 1.0 and RSS 2.0 are written").get_xml();
        XmlDocument::parse(&xml).unwrap_or_else(|e| panic!("written {format:?} is not XML: {e}\n{xml}"));
        if let Err(e) = SyndicationFeed::parse(&xml) {
            assert_eq!(e.hresult(), hresult::WEB_E_MISSING_REQUIRED_ELEMENT, "{e}\n{xml}");
        }
    }
}

/// `AppManifest::parse` (the app manifest: XML, capability names, netrt's rules), then the
/// parsed manifest's `check_access` for every direction and address class.
///
/// Checked: a failure is `E_INVALIDARG` whose message names the line; a parsed manifest only
/// reports names it declared, and every check either allows or denies with the direction's
/// HRESULT (WSAEACCES outbound, `E_ACCESSDENIED` otherwise).
pub fn manifest(data: &[u8]) {
    use netrt::capability::{AppManifest, NetworkDirection};
    let text = String::from_utf8_lossy(data);
    let manifest = match AppManifest::parse(&text, "fuzz.appxmanifest") {
        Ok(m) => m,
        Err(e) => {
            assert_eq!(e.hresult(), hresult::E_INVALIDARG, "{e}");
            assert!(e.message().contains(", line "), "{e}");
            return;
        }
    };
    for name in manifest.capabilities() {
        assert!(manifest.has_capability(&name));
    }
    for address in ["93.184.216.34:443", "10.0.0.1:80", "[fd00::1]:22", "127.0.0.1:8080", "[::]:0"] {
        let address = address.parse().expect("a socket address");
        for direction in NetworkDirection::ALL {
            for host in [None, Some("www.contoso.com")] {
                if let Err(e) = manifest.check_access(*direction, host, &address) {
                    let want = match direction {
                        NetworkDirection::Outbound => hresult::WSAEACCES_HR,
                        _ => hresult::E_ACCESSDENIED,
                    };
                    assert_eq!(e.hresult(), want, "{e}");
                }
            }
        }
    }
}
