//! Multipart request bodies (RFC 2046 §5.1; RFC 7578 for `multipart/form-data`): each part's
//! Content-Disposition (name, filename) and headers, then its text or file, between boundary
//! lines. The length is known up front, since file parts are counted by their size.

use bytes::Bytes;

use super::body::{BodySource, Segment};
use super::spec::{MultipartSpec, PartBody};
use crate::error::{Error, Result};
use crate::web::client::check_header;

/// Characters RFC 2046 allows in a boundary (`bcharsnospace` plus inner spaces).
fn valid_boundary(b: &str) -> bool {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "'()+_,-./:=? ".contains(c);
    (1..=70).contains(&b.len()) && !b.ends_with(' ') && b.chars().all(allowed)
}

/// A random boundary that no file content will contain by chance.
fn random_boundary() -> String {
    let mut bytes = [0u8; 16];
    // aws-lc's generator only fails when the OS has no entropy source at all.
    aws_lc_rs::rand::fill(&mut bytes).expect("the system random number generator");
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("netrt-{hex}")
}

/// A Content-Disposition parameter value as a quoted string, escaped as HTML forms do (RFC 7578
/// §4.2: `"` → `%22`, CR → `%0D`, LF → `%0A`).
fn quoted(value: &str) -> String {
    let escaped = value.replace('"', "%22").replace('\r', "%0D").replace('\n', "%0A");
    format!("\"{escaped}\"")
}

/// The body for `spec`, with its `multipart/<sub_type>; boundary=...` Content-Type.
///
/// # Errors
/// `E_INVALIDARG` for a bad subtype, boundary or part header; the file's error for a file part
/// that cannot be read.
pub(crate) fn build(spec: &MultipartSpec) -> Result<BodySource> {
    let sub_type = spec.sub_type.trim();
    if sub_type.is_empty() || !sub_type.chars().all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
    {
        return Err(Error::invalid_arg(format!("'{sub_type}' is not a valid multipart subtype")));
    }
    let boundary = match &spec.boundary {
        Some(b) if valid_boundary(b) => b.clone(),
        Some(b) => {
            return Err(Error::invalid_arg(format!(
                "'{b}' is not a valid multipart boundary (1-70 letters, digits and '()+_,-./:=? ')"
            )));
        }
        None => random_boundary(),
    };
    let mut segments = Vec::with_capacity(spec.parts.len() * 3 + 1);
    for part in &spec.parts {
        let mut head = format!("--{boundary}\r\n");
        let has_disposition = part.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("content-disposition"));
        if !has_disposition && (part.name.is_some() || part.file_name.is_some()) {
            head.push_str("Content-Disposition: form-data");
            if let Some(name) = &part.name {
                head.push_str(&format!("; name={}", quoted(name)));
            }
            if let Some(file_name) = &part.file_name {
                head.push_str(&format!("; filename={}", quoted(file_name)));
            }
            head.push_str("\r\n");
        }
        for (name, value) in &part.headers {
            check_header(name, value)?;
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        let has_type = part.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("content-type"));
        if matches!(part.body, PartBody::File(_)) && !has_type {
            head.push_str("Content-Type: application/octet-stream\r\n");
        }
        head.push_str("\r\n");
        segments.push(Segment::Bytes(Bytes::from(head)));
        match &part.body {
            PartBody::Empty => {}
            PartBody::Text(text) => segments.push(Segment::Bytes(Bytes::from(text.clone()))),
            PartBody::File(path) => segments.push(Segment::file(path)?),
        }
        segments.push(Segment::Bytes(Bytes::from_static(b"\r\n")));
    }
    segments.push(Segment::Bytes(Bytes::from(format!("--{boundary}--\r\n"))));
    let quote_boundary = boundary.contains(|c: char| "()<>@,;:\\\"/[]?= ".contains(c));
    let parameter = if quote_boundary { format!("\"{boundary}\"") } else { boundary };
    Ok(BodySource::new(segments, Some(format!("multipart/{sub_type}; boundary={parameter}"))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::background_transfer::engine::spec::PartSpec;

    #[test]
    fn boundaries() {
        assert!(valid_boundary("simple boundary"));
        assert!(!valid_boundary("trailing "));
        assert!(!valid_boundary(""));
        assert!(!valid_boundary(&"x".repeat(71)));
        assert!(!valid_boundary("semi;colon"));
        assert!(valid_boundary(&random_boundary()));
        assert_ne!(random_boundary(), random_boundary());
    }

    #[test]
    fn text_parts_and_length() {
        let spec = MultipartSpec {
            parts: vec![PartSpec {
                name: Some("a\"b".into()),
                file_name: None,
                headers: vec![("X-Part".into(), "1".into())],
                body: PartBody::Text("hello".into()),
            }],
            sub_type: "form-data".into(),
            boundary: Some("B".into()),
        };
        let body = build(&spec).unwrap();
        let expected =
            "--B\r\nContent-Disposition: form-data; name=\"a%22b\"\r\nX-Part: 1\r\n\r\nhello\r\n--B--\r\n";
        assert_eq!(body.len(), expected.len() as u64);
        assert_eq!(body.content_type.as_deref(), Some("multipart/form-data; boundary=B"));
        let bad = MultipartSpec { boundary: Some("a;b".into()), ..spec.clone() };
        assert!(build(&bad).is_err());
        let bad = MultipartSpec { sub_type: "form data".into(), ..spec };
        assert!(build(&bad).is_err());
    }
}
