//! Text → [`XmlDocument`] with quick-xml's namespace-aware reader. DTDs and entities other
//! than the predefined ones are refused (see the module notes in `mod.rs`).

use quick_xml::NsReader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

use super::node::{XmlAttribute, XmlElement, XmlNode};
use super::{MAX_DEPTH, Name, XmlDocument};
use crate::error::hresult::WEB_E_INVALID_XML;
use crate::error::{Error, Result};

fn invalid(reason: impl std::fmt::Display, at: u64) -> Error {
    Error::new(WEB_E_INVALID_XML, format!("invalid XML at byte {at}: {reason}"))
}

/// Called with each element as it closes, and the elements still open around it (outermost
/// first): returns the element to attach it to its parent as usual, or `None` when it took the
/// element (a feed reader converting each entry as soon as it is complete, so the document
/// never holds them all). An error stops the parse.
pub(crate) type OnClose<'h> = &'h mut dyn FnMut(&[XmlElement], XmlElement) -> Result<Option<XmlElement>>;

/// [`parse_bytes`] with an [`OnClose`] hook.
pub(crate) fn parse_bytes_with(bytes: &[u8], on_close: OnClose<'_>) -> Result<XmlDocument> {
    parse_with(&decode(bytes)?, on_close)
}

/// The text of a document received as bytes: UTF-8 (with or without a byte order mark),
/// UTF-16 with its byte order mark, or the encoding its XML declaration names (ISO-8859-1,
/// windows-1252, ... as the WHATWG Encoding Standard defines the labels). Bytes that are not
/// valid in that encoding are an error, never replaced.
fn decode(bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>> {
    let (encoding, body) = match encoding_rs::Encoding::for_bom(bytes) {
        Some((encoding, bom)) => (encoding, &bytes[bom..]),
        None => (declared_encoding(bytes)?, bytes),
    };
    let text = if encoding == encoding_rs::UTF_8 {
        std::str::from_utf8(body).map(std::borrow::Cow::Borrowed).map_err(|e| {
            Error::new(
                WEB_E_INVALID_XML,
                format!("the document is not valid UTF-8 (byte {})", e.valid_up_to()),
            )
        })?
    } else {
        encoding.decode_without_bom_handling_and_without_replacement(body).ok_or_else(|| {
            Error::new(WEB_E_INVALID_XML, format!("the document is not valid {}", encoding.name()))
        })?
    };
    Ok(text)
}

/// The encoding the XML declaration names; UTF-8 when there is no declaration or no encoding.
fn declared_encoding(bytes: &[u8]) -> Result<&'static encoding_rs::Encoding> {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let label = match reader.read_event_into(&mut buf) {
        Ok(Event::Decl(decl)) => match decl.encoding() {
            Some(Ok(label)) => label.into_owned(),
            Some(Err(e)) => return Err(invalid(e, 0)),
            None => return Ok(encoding_rs::UTF_8),
        },
        // No declaration (or a malformed start, which the parse reports): UTF-8.
        _ => return Ok(encoding_rs::UTF_8),
    };
    encoding_rs::Encoding::for_label(label.trim().as_bytes())
        .ok_or_else(|| invalid(format!("the encoding '{label}' is not known"), 0))
}

fn attach(_: &[XmlElement], element: XmlElement) -> Result<Option<XmlElement>> {
    Ok(Some(element))
}

pub(super) fn parse_bytes(bytes: &[u8]) -> Result<XmlDocument> {
    parse_with(&decode(bytes)?, &mut attach)
}

pub(super) fn parse(text: &str) -> Result<XmlDocument> {
    parse_str_with(text, &mut attach)
}

/// [`parse`] with an [`OnClose`] hook.
pub(crate) fn parse_str_with(text: &str, on_close: OnClose<'_>) -> Result<XmlDocument> {
    // A string is already decoded: its encoding declaration is moot (as LoadXml).
    parse_with(text.strip_prefix('\u{FEFF}').unwrap_or(text), on_close)
}

/// Parses decoded text: its encoding declaration, if any, is moot by now (as for `LoadXml`).
fn parse_with(text: &str, on_close: OnClose<'_>) -> Result<XmlDocument> {
    let mut reader = NsReader::from_str(text);
    reader.config_mut().check_comments = true;
    let mut doc = XmlDocument::default();
    // The elements open around the current position, innermost last.
    let mut open: Vec<XmlElement> = Vec::new();
    let mut version = XmlVersion::Implicit1_0;
    let mut names = Names::default();
    // Character data of the innermost open element not yet attached: references split text
    // into several events, and gathering them here makes each text node one allocation of its
    // final size instead of a string grown piece by piece.
    let mut pending = String::new();
    loop {
        let at = reader.buffer_position();
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => return Err(invalid(e, reader.error_position())),
        };
        if !pending.is_empty() && !matches!(event, Event::Text(_) | Event::GeneralRef(_)) {
            if let Some(parent) = open.last_mut() {
                parent.children.push(XmlNode::Text(pending.as_str().to_owned()));
            }
            pending.clear();
        }
        match event {
            Event::Decl(decl) => {
                version = decl.xml_version().map_err(|e| invalid(e, at))?;
            }
            Event::DocType(_) => {
                return Err(invalid("document type declarations (DTDs) are not allowed", at));
            }
            Event::Start(start) | Event::Empty(start) if open.is_empty() && doc.root.is_some() => {
                let _ = start;
                return Err(invalid("a second top-level element after the document element", at));
            }
            Event::Start(start) => {
                if open.len() >= MAX_DEPTH {
                    return Err(invalid(format!("elements nest deeper than {MAX_DEPTH}"), at));
                }
                let element = element(&reader, &mut names, &start, version, at)?;
                open.push(element);
            }
            Event::Empty(start) => {
                let element = element(&reader, &mut names, &start, version, at)?;
                if let Some(element) = on_close(&open, element)? {
                    close(&mut doc, &mut open, element);
                }
            }
            Event::End(_) => {
                let element = open.pop().ok_or_else(|| invalid("an end tag without a start tag", at))?;
                if let Some(element) = on_close(&open, element)? {
                    close(&mut doc, &mut open, element);
                }
            }
            Event::Text(t) => {
                let text = t.xml_content(version);
                match open.last() {
                    Some(_) => pending.push_str(&text),
                    None if text.trim_matches(is_xml_space).is_empty() => {}
                    None => return Err(invalid("text outside the document element", at)),
                }
            }
            Event::GeneralRef(r) => {
                let ch = if r.is_char_ref() {
                    r.resolve_char_ref()
                        .map_err(|e| invalid(e, at))?
                        .ok_or_else(|| invalid("an empty character reference", at))?
                } else {
                    predefined(&r.xml_content(version)).ok_or_else(|| {
                        invalid(format!("the entity '&{};' is not declared (DTDs are not allowed)", &*r), at)
                    })?
                };
                if open.is_empty() {
                    return Err(invalid("a reference outside the document element", at));
                }
                pending.push(ch);
            }
            Event::CData(c) => {
                let parent =
                    open.last_mut().ok_or_else(|| invalid("CDATA outside the document element", at))?;
                parent.children.push(XmlNode::CData(c.xml_content(version).into_owned()));
            }
            Event::Comment(c) => {
                let node = XmlNode::Comment(c.xml_content(version).into_owned());
                match open.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None if doc.root.is_none() => doc.prolog.push(node),
                    None => {}
                }
            }
            Event::PI(pi) => {
                let node = XmlNode::ProcessingInstruction {
                    target: pi.target().to_string(),
                    data: pi.content().to_string(),
                };
                match open.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None if doc.root.is_none() => doc.prolog.push(node),
                    None => {}
                }
            }
            Event::Eof => break,
        }
    }
    if let Some(unclosed) = open.last() {
        return Err(invalid(
            format!("the element <{}> is not closed", unclosed.tag_name()),
            text.len() as u64,
        ));
    }
    if doc.root.is_none() {
        return Err(invalid("the document has no element", text.len() as u64));
    }
    Ok(doc)
}

fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn predefined(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => return None,
    })
}

fn close(doc: &mut XmlDocument, open: &mut [XmlElement], element: XmlElement) {
    match open.last_mut() {
        Some(parent) => parent.children.push(XmlNode::Element(element)),
        None => doc.root = Some(element),
    }
}

/// How many distinct names a document shares; names past these are allocated each time
/// (a document with thousands of distinct names gains nothing from sharing).
const SHARED_NAMES: usize = 128;
// `Names` keeps list indexes in a byte.
const _: () = assert!(SHARED_NAMES < 256);

/// One shared [`Name`] per distinct name in a document. Documents use few names: a small
/// table indexed by a cheap fingerprint of the name finds most of them with one comparison
/// (this runs for every element and attribute name and namespace), the list behind it the rest.
#[derive(Default)]
struct Names {
    list: Vec<Name>,
    /// `list` index + 1 of a name with this fingerprint (0: none yet).
    table: Vec<u8>,
}

impl Names {
    fn fingerprint(name: &str) -> usize {
        let b = name.as_bytes();
        let (first, last, middle) = match b {
            [] => (0, 0, 0),
            [.., l] => (b[0], *l, b[b.len() / 2]),
        };
        (b.len() ^ usize::from(first) ^ usize::from(middle).rotate_left(3) ^ usize::from(last).rotate_left(5))
            % SHARED_NAMES
    }

    fn get(&mut self, name: &str) -> Name {
        if self.table.is_empty() {
            self.table = vec![0; SHARED_NAMES];
        }
        let slot = Self::fingerprint(name);
        if let Some(shared) = self.table[slot].checked_sub(1).map(|i| &self.list[usize::from(i)])
            && **shared == *name
        {
            return shared.clone();
        }
        if let Some(shared) = self.list.iter().find(|n| ***n == *name) {
            return shared.clone();
        }
        let shared = Name::from(name);
        if self.list.len() < SHARED_NAMES {
            self.list.push(shared.clone());
            self.table[slot] = self.list.len() as u8;
        }
        shared
    }
}

fn namespace_of(
    names: &mut Names,
    resolved: ResolveResult<'_>,
    what: &dyn Fn() -> String,
    at: u64,
) -> Result<Option<Name>> {
    match resolved {
        ResolveResult::Bound(ns) if ns.0.is_empty() => Ok(None),
        ResolveResult::Bound(ns) => Ok(Some(names.get(ns.0))),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(prefix) => {
            Err(invalid(format!("the prefix '{prefix}' of {} is not bound to a namespace", what()), at))
        }
    }
}

fn element(
    reader: &NsReader<&[u8]>,
    names: &mut Names,
    start: &BytesStart<'_>,
    version: XmlVersion,
    at: u64,
) -> Result<XmlElement> {
    let name = start.name();
    let (resolved, _) = reader.resolver().resolve_element(name);
    let (local, prefix) = name.decompose();
    let mut element = XmlElement {
        prefix: prefix.map(|p| names.get(p.into_inner())),
        local_name: names.get(local.into_inner()),
        namespace_uri: namespace_of(names, resolved, &|| format!("<{}>", name.0), at)?,
        attributes: Vec::new(),
        children: Vec::new(),
    };
    for attr in start.attributes() {
        let attr = attr.map_err(|e| invalid(e, at))?;
        let value = attr.normalized_value(version).map_err(|e| invalid(e, at))?.into_owned();
        let (local, prefix) = attr.key.decompose();
        let namespace_uri = if attr.key.as_namespace_binding().is_some() {
            Some(names.get(super::XMLNS_NAMESPACE))
        } else if prefix.is_none() {
            None
        } else {
            let (resolved, _) = reader.resolver().resolve_attribute(attr.key);
            namespace_of(names, resolved, &|| format!("the attribute '{}'", attr.key.0), at)?
        };
        element.attributes.push(XmlAttribute {
            prefix: prefix.map(|p| names.get(p.into_inner())),
            local_name: names.get(local.into_inner()),
            namespace_uri,
            value,
        });
    }
    Ok(element)
}
