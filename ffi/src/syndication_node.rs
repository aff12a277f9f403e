//! `ISyndicationNode` (the members every syndication class has, taking a handle of any
//! syndication kind), `SyndicationNode` (an extension element) and `SyndicationAttribute`
//! (docs/syndication.md).

use std::ffi::c_char;

use netrt_core::Error;
use netrt_core::error::hresult::E_NOTIMPL;
use netrt_core::foundation::Uri;
use netrt_core::web::syndication::{SyndicationAttribute, SyndicationFormat, SyndicationNode};

use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::enums::netrt_kind;
use crate::handle;
use crate::object::{Value, get};
use crate::strings::{str_in, str_in_or_empty, str_out};
use crate::syndication_state::{
    NodeState, ObjectVector, Path, as_extension, feed_core, item_core, lock, node_value, shared,
};
use crate::vector::{VectorObject, issue as issue_vector};

/// Runs `f` on the node part of any syndication object.
pub(crate) fn with_node<R>(h: netrt_handle, f: impl FnOnce(&mut NodeState) -> R) -> Result<R, Error> {
    let obj = handle::lookup(h, None)?;
    match &obj.value {
        Value::SyndicationFeed(s) => Ok(f(&mut lock(s).node)),
        Value::SyndicationItem(s) => Ok(f(&mut lock(s).node)),
        Value::SyndicationText(s) => Ok(f(&mut lock(s).node)),
        Value::SyndicationContent(s) => Ok(f(&mut lock(s).node)),
        Value::SyndicationLink(s) => Ok(f(&mut lock(s).node)),
        Value::SyndicationPerson(s) => Ok(f(&mut lock(s).node)),
        Value::SyndicationCategory(s) => Ok(f(&mut lock(s).node)),
        Value::SyndicationGenerator(s) => Ok(f(&mut lock(s).node)),
        Value::SyndicationNode(s) => Ok(f(&mut lock(s).node)),
        Value::ServiceDocument(s) => Ok(f(&mut lock(s).node)),
        Value::Workspace(s) => Ok(f(&mut lock(s).node)),
        Value::ResourceCollection(s) => Ok(f(&mut lock(s).node)),
        _ => Err(Error::invalid_arg(format!("a {:?} is not an ISyndicationNode", obj.kind()))),
    }
}

/// A `SyndicationFormat` argument.
pub(crate) fn format_arg(format: i32) -> Result<SyndicationFormat, Error> {
    SyndicationFormat::from_i32(format)
        .ok_or_else(|| Error::invalid_arg(format!("{format} is not a SyndicationFormat value")))
}

/// An optional Uri argument: 0 is null.
pub(crate) fn uri_opt(h: netrt_handle) -> Result<Option<Uri>, Error> {
    if h == 0 { Ok(None) } else { Ok(Some(get!(h, Uri))) }
}

/// An optional Uri result: a new Uri handle, or 0 for null.
pub(crate) fn uri_out(uri: Option<Uri>, out: *mut netrt_handle) -> Result<(), Error> {
    let out = Out::new(out, "out")?;
    out.write(uri.map_or(Ok(0), crate::uri::issue)?);
    Ok(())
}

fn vector_out(v: ObjectVector, out: *mut netrt_handle) -> Result<(), Error> {
    let out = Out::new(out, "out")?;
    out.write(issue_vector(VectorObject::Objects(v))?);
    Ok(())
}

/// `ISyndicationNode.NodeName` (get) of any syndication object. String out: NUL-terminated
/// into `buf`/`len`; `*needed` (not NULL) always set; too small → `0x8007007A`. Errors: handle
/// checks; `E_INVALIDARG` for a handle that is not a syndication node.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_node_get_node_name(
    node: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_syndication_node_get_node_name", {
        str_out(&with_node(node, |n| n.name.clone())?, buf, len, needed)
    })
}

/// `ISyndicationNode.NodeName` (set; NULL is ""). Errors as the getter.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_node_set_node_name(
    node: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_syndication_node_set_node_name", {
        let value = str_in_or_empty(value, "value")?.to_owned();
        with_node(node, |n| n.name = value)
    })
}

/// `ISyndicationNode.NodeNamespace` (get). As `netrt_syndication_node_get_node_name`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_node_get_node_namespace(
    node: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_syndication_node_get_node_namespace", {
        str_out(&with_node(node, |n| n.namespace.clone())?, buf, len, needed)
    })
}

/// `ISyndicationNode.NodeNamespace` (set; NULL is "").
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_node_set_node_namespace(
    node: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_syndication_node_set_node_namespace", {
        let value = str_in_or_empty(value, "value")?.to_owned();
        with_node(node, |n| n.namespace = value)
    })
}

/// `ISyndicationNode.NodeValue` (get): an extension element's text. As
/// `netrt_syndication_node_get_node_name`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_node_get_node_value(
    node: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_syndication_node_get_node_value", {
        str_out(&with_node(node, |n| n.value.clone())?, buf, len, needed)
    })
}

/// `ISyndicationNode.NodeValue` (set; NULL is "").
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_node_set_node_value(
    node: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_syndication_node_set_node_value", {
        let value = str_in_or_empty(value, "value")?.to_owned();
        with_node(node, |n| n.value = value)
    })
}

/// `ISyndicationNode.Language` (get): `xml:lang`. As `netrt_syndication_node_get_node_name`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_node_get_language(
    node: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_syndication_node_get_language", {
        str_out(&with_node(node, |n| n.language.clone())?, buf, len, needed)
    })
}

/// `ISyndicationNode.Language` (set; NULL is "").
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_node_set_language(
    node: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_syndication_node_set_language", {
        let value = str_in_or_empty(value, "value")?.to_owned();
        with_node(node, |n| n.language = value)
    })
}

/// `ISyndicationNode.BaseUri` (get): `xml:base`. `*out` (not NULL) receives a new Uri
/// reference, or 0 when there is none.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_node_get_base_uri(
    node: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_node_get_base_uri", { uri_out(with_node(node, |n| n.base_uri.clone())?, out) })
}

/// `ISyndicationNode.BaseUri` (set): a Uri handle, or 0 for none.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_node_set_base_uri(
    node: netrt_handle,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_node_set_base_uri", {
        let value = uri_opt(value)?;
        with_node(node, |n| n.base_uri = value)
    })
}

/// `ISyndicationNode.AttributeExtensions`: the node's own `IVector<SyndicationAttribute>`
/// (changes through it change the node). `*out` (not NULL) receives a new vector reference;
/// use `netrt_vector_get_at_handle` / `_append_handle` / `_set_at_handle` with
/// SyndicationAttribute handles.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_node_get_attribute_extensions(
    node: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_node_get_attribute_extensions", {
        vector_out(with_node(node, |n| n.attributes.clone())?, out)
    })
}

/// `ISyndicationNode.ElementExtensions`: the node's own `IVector<ISyndicationNode>` (any
/// syndication node kind may be appended). As `netrt_syndication_node_get_attribute_extensions`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_node_get_element_extensions(
    node: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_node_get_element_extensions", {
        vector_out(with_node(node, |n| n.elements.clone())?, out)
    })
}

/// `ISyndicationNode.GetXmlDocument(format)` (`format` a `netrt_syndication_format`): a new
/// XmlDocument holding a SyndicationFeed or SyndicationItem written in that format, or the
/// element a SyndicationNode stands for. `*out` (not NULL) receives a new reference.
/// Errors: `E_INVALIDARG` (unknown format; a format netrt only reads — Atom 0.3, RSS 1.0 —
/// for a feed or item; a cyclic object graph); `E_NOTIMPL` for the other classes (text,
/// content, link, person, category, generator: get the document of their feed or item).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_node_get_xml_document(
    node: netrt_handle,
    format: i32,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_node_get_xml_document", {
        let out = Out::new(out, "out")?;
        let format = format_arg(format)?;
        let obj = handle::lookup(node, None)?;
        let doc = match obj.kind() {
            netrt_kind::SyndicationFeed => feed_core(&obj, &Path::root())?.get_xml_document(format)?,
            netrt_kind::SyndicationItem => item_core(&obj, &Path::root())?.get_xml_document(format)?,
            netrt_kind::SyndicationNode => as_extension(&obj, &Path::root())?.get_xml_document(),
            kind if crate::syndication_state::is_node_kind(kind) => {
                return Err(Error::new(
                    E_NOTIMPL,
                    format!(
                        "GetXmlDocument of a {kind:?} alone is not implemented; get its feed's or item's"
                    ),
                ));
            }
            kind => return Err(Error::invalid_arg(format!("a {kind:?} is not an ISyndicationNode"))),
        };
        out.write(crate::xml_document::issue(doc)?);
        Ok(())
    })
}

/// `SyndicationNode()`: an extension element with every field empty. `out` (not NULL)
/// receives a new reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_node_create(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_syndication_node_create", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(node_value(&SyndicationNode::default()))?);
        Ok(())
    })
}

/// `SyndicationNode(nodeName, nodeNamespace, nodeValue)` (ABI name CreateSyndicationNode).
/// NULL strings are "". `out` (not NULL) receives a new reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_node_create_syndication_node(
    node_name: *const c_char,
    node_namespace: *const c_char,
    node_value: *const c_char,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_node_create_syndication_node", {
        let out = Out::new(out, "out")?;
        let node = SyndicationNode::new(
            str_in_or_empty(node_name, "node_name")?,
            str_in_or_empty(node_namespace, "node_namespace")?,
            str_in_or_empty(node_value, "node_value")?,
        );
        out.write(handle::issue_new(crate::syndication_state::node_value(&node))?);
        Ok(())
    })
}

fn attribute(h: netrt_handle) -> Result<crate::syndication_state::Shared<SyndicationAttribute>, Error> {
    Ok(get!(h, SyndicationAttribute))
}

/// `SyndicationAttribute()`: name, namespace and value empty. `out` (not NULL) receives a new
/// reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_attribute_create(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_syndication_attribute_create", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(Value::SyndicationAttribute(shared(SyndicationAttribute::default())))?);
        Ok(())
    })
}

/// `SyndicationAttribute(attributeName, attributeNamespace, attributeValue)` (ABI name
/// CreateSyndicationAttribute). NULL strings are "". `out` (not NULL) receives a new reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_attribute_create_syndication_attribute(
    attribute_name: *const c_char,
    attribute_namespace: *const c_char,
    attribute_value: *const c_char,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_attribute_create_syndication_attribute", {
        let out = Out::new(out, "out")?;
        let a = SyndicationAttribute::new(
            str_in_or_empty(attribute_name, "attribute_name")?,
            str_in_or_empty(attribute_namespace, "attribute_namespace")?,
            str_in_or_empty(attribute_value, "attribute_value")?,
        );
        out.write(handle::issue_new(Value::SyndicationAttribute(shared(a)))?);
        Ok(())
    })
}

/// `SyndicationAttribute.Name` (get). String out as `netrt_syndication_node_get_node_name`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_attribute_get_name(
    attribute_h: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_syndication_attribute_get_name", {
        str_out(&lock(&*attribute(attribute_h)?).name.clone(), buf, len, needed)
    })
}

/// `SyndicationAttribute.Name` (set; not NULL).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_attribute_set_name(
    attribute_h: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_syndication_attribute_set_name", {
        let value = str_in(value, "value")?.to_owned();
        lock(&*attribute(attribute_h)?).name = value;
        Ok(())
    })
}

/// `SyndicationAttribute.Namespace` (get). As `netrt_syndication_attribute_get_name`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_attribute_get_namespace(
    attribute_h: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_syndication_attribute_get_namespace", {
        str_out(&lock(&*attribute(attribute_h)?).namespace.clone(), buf, len, needed)
    })
}

/// `SyndicationAttribute.Namespace` (set; not NULL).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_attribute_set_namespace(
    attribute_h: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_syndication_attribute_set_namespace", {
        let value = str_in(value, "value")?.to_owned();
        lock(&*attribute(attribute_h)?).namespace = value;
        Ok(())
    })
}

/// `SyndicationAttribute.Value` (get). As `netrt_syndication_attribute_get_name`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_attribute_get_value(
    attribute_h: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_syndication_attribute_get_value", {
        str_out(&lock(&*attribute(attribute_h)?).value.clone(), buf, len, needed)
    })
}

/// `SyndicationAttribute.Value` (set; not NULL).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_attribute_set_value(
    attribute_h: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_syndication_attribute_set_value", {
        let value = str_in(value, "value")?.to_owned();
        lock(&*attribute(attribute_h)?).value = value;
        Ok(())
    })
}

/// An object-valued property's result: a new reference, or 0 for null.
pub(crate) fn obj_out(
    obj: Option<std::sync::Arc<crate::object::Object>>,
    out: *mut netrt_handle,
) -> Result<(), Error> {
    let out = Out::new(out, "out")?;
    out.write(obj.map_or(Ok(0), handle::issue)?);
    Ok(())
}

/// An object-valued property's argument: 0 (null) or a handle of one of `kinds`.
pub(crate) fn obj_in(
    h: netrt_handle,
    kinds: &[netrt_kind],
) -> Result<Option<std::sync::Arc<crate::object::Object>>, Error> {
    if h == 0 {
        return Ok(None);
    }
    let obj = handle::lookup(h, None)?;
    if !kinds.contains(&obj.kind()) {
        return Err(Error::invalid_arg(format!("expected a {kinds:?}, not a {:?}", obj.kind())));
    }
    Ok(Some(obj))
}

/// The ISyndicationText kinds (SyndicationText, SyndicationContent).
pub(crate) const TEXT_KINDS: &[netrt_kind] = &[netrt_kind::SyndicationText, netrt_kind::SyndicationContent];
