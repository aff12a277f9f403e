//! `Windows.Data.Xml.Dom.XmlDocument`, as far as syndication needs it: `LoadXml` and
//! `GetXml` (docs/syndication.md). Parsing and writing are core's.

use std::ffi::c_char;

use netrt_core::Error;
use netrt_core::data::xml::XmlDocument;

use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::handle;
use crate::object::{Value, get};
use crate::strings::{str_in, str_out};
use crate::syndication_state::{lock, shared};

/// Issues a handle for a new XmlDocument object holding `doc`.
pub(crate) fn issue(doc: XmlDocument) -> Result<netrt_handle, Error> {
    handle::issue_new(Value::XmlDocument(shared(doc)))
}

/// A copy of the document behind an XmlDocument handle.
pub(crate) fn document(h: netrt_handle) -> Result<XmlDocument, Error> {
    Ok(lock(&*get!(h, XmlDocument)).clone())
}

/// `XmlDocument()`: an empty document (no document element). `out` (not NULL) receives a new
/// reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_xml_document_create(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_xml_document_create", {
        let out = Out::new(out, "out")?;
        out.write(issue(XmlDocument::new())?);
        Ok(())
    })
}

/// `XmlDocument.LoadXml(xml)`: replaces the document with the one parsed from `xml` (UTF-8,
/// not NULL). Errors: `E_POINTER`; `WEB_E_INVALID_XML` (`0x83750002`) for text that is not a
/// well-formed, namespace-correct document, declares a DTD or nests too deep (the reason and
/// byte offset are in the last error detail) — the document is then left unchanged.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_xml_document_load_xml(document_h: netrt_handle, xml: *const c_char) -> netrt_hresult {
    ffi!("netrt_xml_document_load_xml", {
        let doc = get!(document_h, XmlDocument);
        let parsed = XmlDocument::parse(str_in(xml, "xml")?)?;
        *lock(&doc) = parsed;
        Ok(())
    })
}

/// `XmlDocument.GetXml()`: the document as text, every namespace it uses declared. String
/// out: NUL-terminated into `buf`/`len`; `*needed` (not NULL) always set; too small →
/// `0x8007007A`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_xml_document_get_xml(
    document_h: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_xml_document_get_xml", {
        let xml = lock(&*get!(document_h, XmlDocument)).get_xml();
        str_out(&xml, buf, len, needed)
    })
}
