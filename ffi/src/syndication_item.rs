//! `Windows.Web.Syndication.SyndicationItem` (docs/syndication.md); see `syndication_state`
//! for the object graph.

use std::ffi::c_char;

use netrt_core::Error;
use netrt_core::foundation::Uri;
use netrt_core::web::syndication::{SyndicationContent, SyndicationItem};

use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::enums::netrt_kind;
use crate::handle;
use crate::object::{Value, get};
use crate::strings::{str_in, str_in_or_empty, str_out};
use crate::syndication_node::{TEXT_KINDS, obj_in, obj_out, uri_opt, uri_out};
use crate::syndication_state::{
    ItemState, ObjectVector, Shared, Syn, from_ticks, item_state, links_core, lock, shared, ticks,
};
use crate::vector::{VectorObject, issue as issue_vector};

fn state(h: netrt_handle) -> Result<Shared<Syn<ItemState>>, Error> {
    Ok(get!(h, SyndicationItem))
}

fn with_item<R>(h: netrt_handle, f: impl FnOnce(&mut ItemState) -> R) -> Result<R, Error> {
    Ok(f(&mut lock(&*state(h)?).v))
}

fn vector_out(v: ObjectVector, out: *mut netrt_handle) -> Result<(), Error> {
    let out = Out::new(out, "out")?;
    out.write(issue_vector(VectorObject::Objects(v))?);
    Ok(())
}

/// A URI derived from the item's links (ItemUri, EditUri, EditMediaUri).
fn derived(
    item: netrt_handle,
    out: *mut netrt_handle,
    f: fn(&SyndicationItem) -> Option<Uri>,
) -> Result<(), Error> {
    let links = with_item(item, |s| s.links.clone())?;
    let probe = SyndicationItem { links: links_core(&links)?, ..SyndicationItem::default() };
    uri_out(f(&probe), out)
}

/// `SyndicationItem()`: an empty item. `out` (not NULL) receives a new reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_create(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_syndication_item_create", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(Value::SyndicationItem(shared(item_state(&SyndicationItem::new()))))?);
        Ok(())
    })
}

/// `SyndicationItem(title, content, uri)` (ABI name CreateSyndicationItem): a plain-text
/// title (NULL is ""), `content` (a SyndicationContent handle the item keeps, or 0) and `uri`
/// (a Uri handle, or 0) as the alternate link. `out` (not NULL) receives a new reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_create_syndication_item(
    title: *const c_char,
    content: netrt_handle,
    uri: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_item_create_syndication_item", {
        let out = Out::new(out, "out")?;
        let content = obj_in(content, &[netrt_kind::SyndicationContent])?;
        let item = SyndicationItem::with_details(
            str_in_or_empty(title, "title")?,
            SyndicationContent::default(),
            uri_opt(uri)?,
        );
        let mut s = item_state(&item);
        s.v.content = content;
        out.write(handle::issue_new(Value::SyndicationItem(shared(s)))?);
        Ok(())
    })
}

/// `SyndicationItem.Load(item)`: replaces the item with the Atom `entry` or RSS `item` in
/// `item` (UTF-8, not NULL). Errors as `netrt_syndication_feed_load`; the item is left
/// unchanged on failure.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_load(item: netrt_handle, xml: *const c_char) -> netrt_hresult {
    ffi!("netrt_syndication_item_load", {
        let s = state(item)?;
        let mut parsed = SyndicationItem::new();
        parsed.load(str_in(xml, "xml")?)?;
        *lock(&s) = item_state(&parsed);
        Ok(())
    })
}

/// `SyndicationItem.LoadFromXml(itemDocument)`: as `netrt_syndication_item_load`, from an
/// XmlDocument handle.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_load_from_xml(
    item: netrt_handle,
    item_document: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_item_load_from_xml", {
        let s = state(item)?;
        let mut parsed = SyndicationItem::new();
        parsed.load_from_xml(&crate::xml_document::document(item_document)?)?;
        *lock(&s) = item_state(&parsed);
        Ok(())
    })
}

/// `SyndicationItem.Title` (get): an ISyndicationText (SyndicationText or SyndicationContent
/// handle, the item's own object), or 0. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_get_title(
    item: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_item_get_title", { obj_out(with_item(item, |s| s.title.clone())?, out) })
}

/// `SyndicationItem.Title` (set): a SyndicationText or SyndicationContent handle, or 0.
/// Errors: `E_INVALIDARG` for another kind.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_set_title(item: netrt_handle, value: netrt_handle) -> netrt_hresult {
    ffi!("netrt_syndication_item_set_title", {
        let value = obj_in(value, TEXT_KINDS)?;
        with_item(item, |s| s.title = value)
    })
}

/// `SyndicationItem.Summary` (get). As `netrt_syndication_item_get_title`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_get_summary(
    item: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_item_get_summary", { obj_out(with_item(item, |s| s.summary.clone())?, out) })
}

/// `SyndicationItem.Summary` (set). As `netrt_syndication_item_set_title`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_set_summary(
    item: netrt_handle,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_item_set_summary", {
        let value = obj_in(value, TEXT_KINDS)?;
        with_item(item, |s| s.summary = value)
    })
}

/// `SyndicationItem.Rights` (get). As `netrt_syndication_item_get_title`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_get_rights(
    item: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_item_get_rights", { obj_out(with_item(item, |s| s.rights.clone())?, out) })
}

/// `SyndicationItem.Rights` (set). As `netrt_syndication_item_set_title`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_set_rights(
    item: netrt_handle,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_item_set_rights", {
        let value = obj_in(value, TEXT_KINDS)?;
        with_item(item, |s| s.rights = value)
    })
}

/// `SyndicationItem.Content` (get): a SyndicationContent handle, or 0. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_get_content(
    item: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_item_get_content", { obj_out(with_item(item, |s| s.content.clone())?, out) })
}

/// `SyndicationItem.Content` (set): a SyndicationContent handle, or 0.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_set_content(
    item: netrt_handle,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_item_set_content", {
        let value = obj_in(value, &[netrt_kind::SyndicationContent])?;
        with_item(item, |s| s.content = value)
    })
}

/// `SyndicationItem.Source` (get): the feed an Atom entry was copied from (a SyndicationFeed
/// handle), or 0. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_get_source(
    item: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_item_get_source", { obj_out(with_item(item, |s| s.source.clone())?, out) })
}

/// `SyndicationItem.Source` (set): a SyndicationFeed handle, or 0.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_set_source(
    item: netrt_handle,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_item_set_source", {
        let value = obj_in(value, &[netrt_kind::SyndicationFeed])?;
        with_item(item, |s| s.source = value)
    })
}

/// `SyndicationItem.Id` (get). String out: NUL-terminated into `buf`/`len`; `*needed` (not
/// NULL) always set; too small → `0x8007007A`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_get_id(
    item: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_syndication_item_get_id", {
        str_out(&with_item(item, |s| s.core.id.clone())?, buf, len, needed)
    })
}

/// `SyndicationItem.Id` (set; NULL is "").
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_set_id(item: netrt_handle, value: *const c_char) -> netrt_hresult {
    ffi!("netrt_syndication_item_set_id", {
        let value = str_in_or_empty(value, "value")?.to_owned();
        with_item(item, |s| s.core.id = value)
    })
}

/// `SyndicationItem.ETag`: the entity tag an AtomPub response gave the item ("" otherwise).
/// String out as `netrt_syndication_item_get_id`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_get_e_tag(
    item: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_syndication_item_get_e_tag", {
        str_out(&with_item(item, |s| s.core.e_tag.clone())?, buf, len, needed)
    })
}

/// `SyndicationItem.PublishedDate` (get): DateTime ticks (100 ns since 1601-01-01 UTC), 0 when
/// the item has none. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_get_published_date(
    item: netrt_handle,
    out_value: *mut i64,
) -> netrt_hresult {
    ffi!("netrt_syndication_item_get_published_date", {
        let out = Out::new(out_value, "out_value")?;
        out.write(ticks(with_item(item, |s| s.core.published_date)?));
        Ok(())
    })
}

/// `SyndicationItem.PublishedDate` (set): DateTime ticks; 0 removes it.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_set_published_date(item: netrt_handle, value: i64) -> netrt_hresult {
    ffi!("netrt_syndication_item_set_published_date", {
        with_item(item, |s| s.core.published_date = from_ticks(value))
    })
}

/// `SyndicationItem.LastUpdatedTime` (get). As `netrt_syndication_item_get_published_date`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_get_last_updated_time(
    item: netrt_handle,
    out_value: *mut i64,
) -> netrt_hresult {
    ffi!("netrt_syndication_item_get_last_updated_time", {
        let out = Out::new(out_value, "out_value")?;
        out.write(ticks(with_item(item, |s| s.core.last_updated_time)?));
        Ok(())
    })
}

/// `SyndicationItem.LastUpdatedTime` (set): DateTime ticks; 0 removes it.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_set_last_updated_time(
    item: netrt_handle,
    value: i64,
) -> netrt_hresult {
    ffi!("netrt_syndication_item_set_last_updated_time", {
        with_item(item, |s| s.core.last_updated_time = from_ticks(value))
    })
}

/// `SyndicationItem.CommentsUri` (get): a new Uri handle, or 0. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_get_comments_uri(
    item: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_item_get_comments_uri", {
        uri_out(with_item(item, |s| s.core.comments_uri.clone())?, out)
    })
}

/// `SyndicationItem.CommentsUri` (set): a Uri handle, or 0.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_set_comments_uri(
    item: netrt_handle,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_item_set_comments_uri", {
        let value = uri_opt(value)?;
        with_item(item, |s| s.core.comments_uri = value)
    })
}

/// `SyndicationItem.ItemUri`: the `alternate` link's URI, or 0. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_get_item_uri(
    item: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_item_get_item_uri", { derived(item, out, SyndicationItem::item_uri) })
}

/// `SyndicationItem.EditUri`: the `edit` link's URI (AtomPub), or 0.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_get_edit_uri(
    item: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_item_get_edit_uri", { derived(item, out, SyndicationItem::edit_uri) })
}

/// `SyndicationItem.EditMediaUri`: the `edit-media` link's URI (AtomPub), or 0.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_get_edit_media_uri(
    item: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_item_get_edit_media_uri", { derived(item, out, SyndicationItem::edit_media_uri) })
}

/// `SyndicationItem.Links`: the item's own `IVector<SyndicationLink>`. `*out` (not NULL)
/// receives a new vector reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_get_links(
    item: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_item_get_links", { vector_out(with_item(item, |s| s.links.clone())?, out) })
}

/// `SyndicationItem.Authors`: `IVector<SyndicationPerson>`. As `netrt_syndication_item_get_links`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_get_authors(
    item: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_item_get_authors", { vector_out(with_item(item, |s| s.authors.clone())?, out) })
}

/// `SyndicationItem.Contributors`: `IVector<SyndicationPerson>`. As
/// `netrt_syndication_item_get_links`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_get_contributors(
    item: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_item_get_contributors", {
        vector_out(with_item(item, |s| s.contributors.clone())?, out)
    })
}

/// `SyndicationItem.Categories`: `IVector<SyndicationCategory>`. As
/// `netrt_syndication_item_get_links`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_item_get_categories(
    item: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_item_get_categories", {
        vector_out(with_item(item, |s| s.categories.clone())?, out)
    })
}
