//! `Windows.Web.Syndication.SyndicationFeed` (docs/syndication.md; `SyndicationError` is in
//! `error.rs`).
//! Reading and writing feeds is core's; see `syndication_state` for the object graph.

use std::ffi::c_char;
use std::sync::Arc;

use netrt_core::Error;
use netrt_core::web::syndication::SyndicationFeed;

use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::enums::{netrt_kind, netrt_syndication_format};
use crate::handle;
use crate::object::{Object, Value, get};
use crate::strings::{str_in, str_in_or_empty, str_out};
use crate::syndication_node::{TEXT_KINDS, obj_in, obj_out, uri_opt, uri_out};
use crate::syndication_state::{
    FeedState, ObjectVector, Shared, Syn, feed_state, from_ticks, links_core, lock, shared, ticks,
};
use crate::vector::{VectorObject, issue as issue_vector};

fn state(h: netrt_handle) -> Result<Shared<Syn<FeedState>>, Error> {
    Ok(get!(h, SyndicationFeed))
}

/// Runs `f` on the feed's own fields.
fn with_feed<R>(h: netrt_handle, f: impl FnOnce(&mut FeedState) -> R) -> Result<R, Error> {
    Ok(f(&mut lock(&*state(h)?).v))
}

fn vector_out(v: ObjectVector, out: *mut netrt_handle) -> Result<(), Error> {
    let out = Out::new(out, "out")?;
    out.write(issue_vector(VectorObject::Objects(v))?);
    Ok(())
}

/// Replaces the feed behind `h` with `parsed` (new child objects).
fn replace(h: netrt_handle, parsed: &SyndicationFeed) -> Result<(), Error> {
    let s = state(h)?;
    *lock(&s) = feed_state(parsed);
    Ok(())
}

/// `SyndicationFeed()`: an empty feed. `out` (not NULL) receives a new reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_create(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_syndication_feed_create", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(Value::SyndicationFeed(shared(feed_state(&SyndicationFeed::new()))))?);
        Ok(())
    })
}

/// `SyndicationFeed(title, subtitle, uri)` (ABI name CreateSyndicationFeed): plain-text title
/// and subtitle (NULL is ""), and `uri` (a Uri handle, or 0) as the alternate link. `out`
/// (not NULL) receives a new reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_create_syndication_feed(
    title: *const c_char,
    subtitle: *const c_char,
    uri: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_feed_create_syndication_feed", {
        let out = Out::new(out, "out")?;
        let feed = SyndicationFeed::with_details(
            str_in_or_empty(title, "title")?,
            str_in_or_empty(subtitle, "subtitle")?,
            uri_opt(uri)?,
        );
        out.write(handle::issue_new(Value::SyndicationFeed(shared(feed_state(&feed))))?);
        Ok(())
    })
}

/// `SyndicationFeed.Load(feed)`: replaces the feed with the one in `feed` (UTF-8, not NULL;
/// Atom 1.0/0.3, RSS 2.0/1.0/0.92/0.91). Objects obtained from the feed before keep their
/// values but are no longer part of it. Errors: `E_POINTER`; `WEB_E_INVALID_XML`,
/// `WEB_E_UNSUPPORTED_FORMAT`, `WEB_E_MISSING_REQUIRED_ELEMENT` (map them with
/// `netrt_syndication_error_get_status`), the feed left unchanged.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_load(feed: netrt_handle, xml: *const c_char) -> netrt_hresult {
    ffi!("netrt_syndication_feed_load", {
        state(feed)?;
        replace(feed, &SyndicationFeed::parse(str_in(xml, "xml")?)?)
    })
}

/// `SyndicationFeed.LoadFromXml(feedDocument)`: as `netrt_syndication_feed_load`, from an
/// XmlDocument handle.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_load_from_xml(
    feed: netrt_handle,
    feed_document: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_feed_load_from_xml", {
        state(feed)?;
        let mut parsed = SyndicationFeed::new();
        parsed.load_from_xml(&crate::xml_document::document(feed_document)?)?;
        replace(feed, &parsed)
    })
}

fn text_prop_out(
    feed: netrt_handle,
    out: *mut netrt_handle,
    f: impl FnOnce(&FeedState) -> Option<Arc<Object>>,
) -> Result<(), Error> {
    obj_out(with_feed(feed, |s| f(s))?, out)
}

/// `SyndicationFeed.Title` (get): an ISyndicationText (a SyndicationText or SyndicationContent
/// handle, the feed's own object), or 0 when there is none. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_get_title(
    feed: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_feed_get_title", { text_prop_out(feed, out, |s| s.title.clone()) })
}

/// `SyndicationFeed.Title` (set): a SyndicationText or SyndicationContent handle (the feed
/// keeps that object), or 0. Errors: `E_INVALIDARG` for another kind.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_set_title(feed: netrt_handle, value: netrt_handle) -> netrt_hresult {
    ffi!("netrt_syndication_feed_set_title", {
        let value = obj_in(value, TEXT_KINDS)?;
        with_feed(feed, |s| s.title = value)
    })
}

/// `SyndicationFeed.Subtitle` (get). As `netrt_syndication_feed_get_title`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_get_subtitle(
    feed: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_feed_get_subtitle", { text_prop_out(feed, out, |s| s.subtitle.clone()) })
}

/// `SyndicationFeed.Subtitle` (set). As `netrt_syndication_feed_set_title`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_set_subtitle(
    feed: netrt_handle,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_feed_set_subtitle", {
        let value = obj_in(value, TEXT_KINDS)?;
        with_feed(feed, |s| s.subtitle = value)
    })
}

/// `SyndicationFeed.Rights` (get). As `netrt_syndication_feed_get_title`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_get_rights(
    feed: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_feed_get_rights", { text_prop_out(feed, out, |s| s.rights.clone()) })
}

/// `SyndicationFeed.Rights` (set). As `netrt_syndication_feed_set_title`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_set_rights(
    feed: netrt_handle,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_feed_set_rights", {
        let value = obj_in(value, TEXT_KINDS)?;
        with_feed(feed, |s| s.rights = value)
    })
}

/// `SyndicationFeed.Generator` (get): a SyndicationGenerator handle, or 0. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_get_generator(
    feed: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_feed_get_generator", { text_prop_out(feed, out, |s| s.generator.clone()) })
}

/// `SyndicationFeed.Generator` (set): a SyndicationGenerator handle, or 0.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_set_generator(
    feed: netrt_handle,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_feed_set_generator", {
        let value = obj_in(value, &[netrt_kind::SyndicationGenerator])?;
        with_feed(feed, |s| s.generator = value)
    })
}

/// `SyndicationFeed.Id` (get). String out: NUL-terminated into `buf`/`len`; `*needed` (not
/// NULL) always set; too small → `0x8007007A`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_get_id(
    feed: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_syndication_feed_get_id", {
        str_out(&with_feed(feed, |s| s.core.id.clone())?, buf, len, needed)
    })
}

/// `SyndicationFeed.Id` (set; NULL is "").
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_set_id(feed: netrt_handle, value: *const c_char) -> netrt_hresult {
    ffi!("netrt_syndication_feed_set_id", {
        let value = str_in_or_empty(value, "value")?.to_owned();
        with_feed(feed, |s| s.core.id = value)
    })
}

/// `SyndicationFeed.LastUpdatedTime` (get): a DateTime (100-ns ticks since 1601-01-01 UTC),
/// 0 when the feed has none. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_get_last_updated_time(
    feed: netrt_handle,
    out_value: *mut i64,
) -> netrt_hresult {
    ffi!("netrt_syndication_feed_get_last_updated_time", {
        let out = Out::new(out_value, "out_value")?;
        out.write(ticks(with_feed(feed, |s| s.core.last_updated_time)?));
        Ok(())
    })
}

/// `SyndicationFeed.LastUpdatedTime` (set): DateTime ticks; 0 removes it.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_set_last_updated_time(
    feed: netrt_handle,
    value: i64,
) -> netrt_hresult {
    ffi!("netrt_syndication_feed_set_last_updated_time", {
        with_feed(feed, |s| s.core.last_updated_time = from_ticks(value))
    })
}

/// `SyndicationFeed.ImageUri` (get): a new Uri handle, or 0. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_get_image_uri(
    feed: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_feed_get_image_uri", {
        uri_out(with_feed(feed, |s| s.core.image_uri.clone())?, out)
    })
}

/// `SyndicationFeed.ImageUri` (set): a Uri handle, or 0.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_set_image_uri(
    feed: netrt_handle,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_feed_set_image_uri", {
        let value = uri_opt(value)?;
        with_feed(feed, |s| s.core.image_uri = value)
    })
}

/// `SyndicationFeed.IconUri` (get). As `netrt_syndication_feed_get_image_uri`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_get_icon_uri(
    feed: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_feed_get_icon_uri", {
        uri_out(with_feed(feed, |s| s.core.icon_uri.clone())?, out)
    })
}

/// `SyndicationFeed.IconUri` (set): a Uri handle, or 0.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_set_icon_uri(
    feed: netrt_handle,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_feed_set_icon_uri", {
        let value = uri_opt(value)?;
        with_feed(feed, |s| s.core.icon_uri = value)
    })
}

/// `SyndicationFeed.SourceFormat`: the format the feed was loaded from (`ATOM10` for a feed
/// built in code). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_get_source_format(
    feed: netrt_handle,
    out_value: *mut netrt_syndication_format,
) -> netrt_hresult {
    ffi!("netrt_syndication_feed_get_source_format", {
        let out = Out::new(out_value, "out_value")?;
        out.write(with_feed(feed, |s| s.core.source_format)?.into());
        Ok(())
    })
}

/// A paging URI, found among the feed's links.
fn paging(
    feed: netrt_handle,
    out: *mut netrt_handle,
    f: fn(&SyndicationFeed) -> Option<netrt_core::foundation::Uri>,
) -> Result<(), Error> {
    let links = with_feed(feed, |s| s.links.clone())?;
    let probe = SyndicationFeed { links: links_core(&links)?, ..SyndicationFeed::default() };
    uri_out(f(&probe), out)
}

/// `SyndicationFeed.FirstUri`: the `first` paging link's URI (RFC 5005), or 0. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_get_first_uri(
    feed: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_feed_get_first_uri", { paging(feed, out, SyndicationFeed::first_uri) })
}

/// `SyndicationFeed.LastUri`: the `last` paging link's URI, or 0.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_get_last_uri(
    feed: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_feed_get_last_uri", { paging(feed, out, SyndicationFeed::last_uri) })
}

/// `SyndicationFeed.NextUri`: the `next` paging link's URI, or 0.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_get_next_uri(
    feed: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_feed_get_next_uri", { paging(feed, out, SyndicationFeed::next_uri) })
}

/// `SyndicationFeed.PreviousUri`: the `previous` (or `prev`) paging link's URI, or 0.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_get_previous_uri(
    feed: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_feed_get_previous_uri", { paging(feed, out, SyndicationFeed::previous_uri) })
}

/// `SyndicationFeed.Items`: the feed's own `IVector<SyndicationItem>` (changes through it
/// change the feed; elements are SyndicationItem handles). `*out` (not NULL) receives a new
/// vector reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_get_items(
    feed: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_feed_get_items", { vector_out(with_feed(feed, |s| s.items.clone())?, out) })
}

/// `SyndicationFeed.Links`: `IVector<SyndicationLink>`. As `netrt_syndication_feed_get_items`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_get_links(
    feed: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_feed_get_links", { vector_out(with_feed(feed, |s| s.links.clone())?, out) })
}

/// `SyndicationFeed.Authors`: `IVector<SyndicationPerson>`. As `netrt_syndication_feed_get_items`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_get_authors(
    feed: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_feed_get_authors", { vector_out(with_feed(feed, |s| s.authors.clone())?, out) })
}

/// `SyndicationFeed.Contributors`: `IVector<SyndicationPerson>`. As
/// `netrt_syndication_feed_get_items`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_get_contributors(
    feed: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_feed_get_contributors", {
        vector_out(with_feed(feed, |s| s.contributors.clone())?, out)
    })
}

/// `SyndicationFeed.Categories`: `IVector<SyndicationCategory>`. As
/// `netrt_syndication_feed_get_items`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_feed_get_categories(
    feed: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_feed_get_categories", {
        vector_out(with_feed(feed, |s| s.categories.clone())?, out)
    })
}
