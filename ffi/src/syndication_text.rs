//! `SyndicationText` and `SyndicationContent` (ISyndicationText; docs/syndication.md).

use std::ffi::c_char;

use netrt_core::Error;
use netrt_core::web::syndication::{SyndicationContent, SyndicationText, SyndicationTextType};

use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::handle;
use crate::object::{Object, Value};
use crate::strings::{str_in, str_in_or_empty, str_out};
use crate::syndication_node::{uri_opt, uri_out};
use crate::syndication_state::{content_value, lock, text_value};

fn text_type_arg(value: i32) -> Result<SyndicationTextType, Error> {
    SyndicationTextType::from_i32(value)
        .ok_or_else(|| Error::invalid_arg(format!("{value} is not a SyndicationTextType value")))
}

/// The ISyndicationText fields both classes have: text, type, xml.
enum TextField {
    Text,
    Type,
}

/// Reads a string field of a SyndicationText or SyndicationContent.
fn get_field(h: netrt_handle, field: TextField) -> Result<String, Error> {
    let obj = handle::lookup(h, None)?;
    let pick = |text: &String, ty: &String| match field {
        TextField::Text => text.clone(),
        TextField::Type => ty.clone(),
    };
    match &obj.value {
        Value::SyndicationText(s) => Ok({
            let g = lock(s);
            pick(&g.v.text, &g.v.text_type)
        }),
        Value::SyndicationContent(s) => Ok({
            let g = lock(s);
            pick(&g.v.text, &g.v.text_type)
        }),
        _ => Err(not_text(&obj)),
    }
}

fn set_field(h: netrt_handle, field: TextField, value: String) -> Result<(), Error> {
    let obj = handle::lookup(h, None)?;
    let put = |text: &mut String, ty: &mut String| match field {
        TextField::Text => *text = value,
        TextField::Type => *ty = value,
    };
    match &obj.value {
        Value::SyndicationText(s) => {
            let mut g = lock(s);
            let v = &mut g.v;
            put(&mut v.text, &mut v.text_type);
        }
        Value::SyndicationContent(s) => {
            let mut g = lock(s);
            let v = &mut g.v;
            put(&mut v.text, &mut v.text_type);
        }
        _ => return Err(not_text(&obj)),
    }
    Ok(())
}

fn not_text(obj: &Object) -> Error {
    Error::invalid_arg(format!("a {:?} is not an ISyndicationText", obj.kind()))
}

/// `SyndicationText()`: empty plain text. `out` (not NULL) receives a new reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_text_create(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_syndication_text_create", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(text_value(&SyndicationText::default()))?);
        Ok(())
    })
}

/// `SyndicationText(text)` (ABI name CreateSyndicationText): plain text (NULL is "").
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_text_create_syndication_text(
    text: *const c_char,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_text_create_syndication_text", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(text_value(&SyndicationText::new(str_in_or_empty(text, "text")?)))?);
        Ok(())
    })
}

/// `SyndicationText(text, type)` (ABI name CreateSyndicationTextEx): `type` a
/// `netrt_syndication_text_type`. Errors: `E_INVALIDARG` for an unknown type.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_text_create_syndication_text_ex(
    text: *const c_char,
    type_: i32,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_text_create_syndication_text_ex", {
        let out = Out::new(out, "out")?;
        let t = SyndicationText::with_type(str_in_or_empty(text, "text")?, text_type_arg(type_)?);
        out.write(handle::issue_new(text_value(&t))?);
        Ok(())
    })
}

/// `ISyndicationText.Text` (get) of a SyndicationText or SyndicationContent. String out:
/// NUL-terminated into `buf`/`len`; `*needed` (not NULL) always set; too small →
/// `0x8007007A`. Errors: `E_INVALIDARG` for another kind.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_text_get_text(
    text: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_syndication_text_get_text", { str_out(&get_field(text, TextField::Text)?, buf, len, needed) })
}

/// `ISyndicationText.Text` (set; not NULL).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_text_set_text(text: netrt_handle, value: *const c_char) -> netrt_hresult {
    ffi!("netrt_syndication_text_set_text", {
        set_field(text, TextField::Text, str_in(value, "value")?.to_owned())
    })
}

/// `ISyndicationText.Type` (get): `text`, `html`, `xhtml` (or a MIME type, for content).
/// As `netrt_syndication_text_get_text`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_text_get_type(
    text: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_syndication_text_get_type", { str_out(&get_field(text, TextField::Type)?, buf, len, needed) })
}

/// `ISyndicationText.Type` (set; not NULL).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_text_set_type(text: netrt_handle, value: *const c_char) -> netrt_hresult {
    ffi!("netrt_syndication_text_set_type", {
        set_field(text, TextField::Type, str_in(value, "value")?.to_owned())
    })
}

/// `ISyndicationText.Xml` (get): a new XmlDocument holding a copy of the XHTML `div` (or
/// inline XML content), or 0 when there is none. `*out` not NULL. Changing the copy does not
/// change the text; set it back with `netrt_syndication_text_set_xml`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_text_get_xml(
    text: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_text_get_xml", {
        let out = Out::new(out, "out")?;
        let obj = handle::lookup(text, None)?;
        let xml = match &obj.value {
            Value::SyndicationText(s) => lock(s).v.xml.clone(),
            Value::SyndicationContent(s) => lock(s).v.xml.clone(),
            _ => return Err(not_text(&obj)),
        };
        out.write(xml.map_or(Ok(0), crate::xml_document::issue)?);
        Ok(())
    })
}

/// `ISyndicationText.Xml` (set): an XmlDocument handle (its document is copied), or 0.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_text_set_xml(text: netrt_handle, value: netrt_handle) -> netrt_hresult {
    ffi!("netrt_syndication_text_set_xml", {
        let xml = if value == 0 { None } else { Some(crate::xml_document::document(value)?) };
        let obj = handle::lookup(text, None)?;
        match &obj.value {
            Value::SyndicationText(s) => lock(s).v.xml = xml,
            Value::SyndicationContent(s) => lock(s).v.xml = xml,
            _ => return Err(not_text(&obj)),
        }
        Ok(())
    })
}

/// `SyndicationContent()`: empty. `out` (not NULL) receives a new reference. Its text, type
/// and xml are read and set with `netrt_syndication_text_*` (ISyndicationText).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_content_create(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_syndication_content_create", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(content_value(&SyndicationContent::default()))?);
        Ok(())
    })
}

/// `SyndicationContent(text, type)` (ABI name CreateSyndicationContent): `type` a
/// `netrt_syndication_text_type`. Errors: `E_INVALIDARG` for an unknown type.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_content_create_syndication_content(
    text: *const c_char,
    type_: i32,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_content_create_syndication_content", {
        let out = Out::new(out, "out")?;
        let c = SyndicationContent::new(str_in_or_empty(text, "text")?, text_type_arg(type_)?);
        out.write(handle::issue_new(content_value(&c))?);
        Ok(())
    })
}

/// `SyndicationContent(sourceUri)` (ABI name CreateSyndicationContentWithSourceUri): content
/// by reference. `source_uri` a Uri handle (not 0).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_content_create_syndication_content_with_source_uri(
    source_uri: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_content_create_syndication_content_with_source_uri", {
        let out = Out::new(out, "out")?;
        let uri = crate::object::get!(source_uri, Uri);
        out.write(handle::issue_new(content_value(&SyndicationContent::from_source(uri)))?);
        Ok(())
    })
}

fn content(
    h: netrt_handle,
) -> Result<crate::syndication_state::Shared<crate::syndication_state::Syn<SyndicationContent>>, Error> {
    Ok(crate::object::get!(h, SyndicationContent))
}

/// `SyndicationContent.SourceUri` (get): a new Uri handle, or 0. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_content_get_source_uri(
    content_h: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_content_get_source_uri", {
        uri_out(lock(&*content(content_h)?).v.source_uri.clone(), out)
    })
}

/// `SyndicationContent.SourceUri` (set): a Uri handle, or 0.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_content_set_source_uri(
    content_h: netrt_handle,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_content_set_source_uri", {
        let value = uri_opt(value)?;
        lock(&*content(content_h)?).v.source_uri = value;
        Ok(())
    })
}
