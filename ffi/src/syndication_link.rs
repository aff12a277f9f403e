//! `SyndicationLink` and `SyndicationGenerator` (docs/syndication.md).

use std::ffi::c_char;

use netrt_core::web::syndication::{SyndicationGenerator, SyndicationLink};

use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::handle;
use crate::object::get;
use crate::strings::{str_in_or_empty, str_out};
use crate::syndication_node::{uri_opt, uri_out};
use crate::syndication_state::{generator_value, link_value, read, write};

/// `SyndicationLink()`: every field empty. `out` (not NULL) receives a new reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_link_create(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_syndication_link_create", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(link_value(&SyndicationLink::default()))?);
        Ok(())
    })
}

/// `SyndicationLink(uri)` (ABI name CreateSyndicationLink): `uri` a Uri handle (not 0).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_link_create_syndication_link(
    uri: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_link_create_syndication_link", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(link_value(&SyndicationLink::new(get!(uri, Uri))))?);
        Ok(())
    })
}

/// `SyndicationLink(uri, relationship, title, mediaType, length)` (ABI name
/// CreateSyndicationLinkEx): `uri` a Uri handle (not 0); NULL strings are "".
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_link_create_syndication_link_ex(
    uri: netrt_handle,
    relationship: *const c_char,
    title: *const c_char,
    media_type: *const c_char,
    length: u32,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_link_create_syndication_link_ex", {
        let out = Out::new(out, "out")?;
        let link = SyndicationLink::with_details(
            get!(uri, Uri),
            str_in_or_empty(relationship, "relationship")?,
            str_in_or_empty(title, "title")?,
            str_in_or_empty(media_type, "media_type")?,
            length,
        );
        out.write(handle::issue_new(link_value(&link))?);
        Ok(())
    })
}

/// `SyndicationLink.Uri` (get): a new Uri handle, or 0. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_link_get_uri(
    link: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_link_get_uri", {
        uri_out(read(&get!(link, SyndicationLink), |v| v.uri.clone()), out)
    })
}

/// `SyndicationLink.Uri` (set): a Uri handle, or 0.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_link_set_uri(link: netrt_handle, value: netrt_handle) -> netrt_hresult {
    ffi!("netrt_syndication_link_set_uri", {
        let value = uri_opt(value)?;
        write(&get!(link, SyndicationLink), |v| v.uri = value);
        Ok(())
    })
}

/// `SyndicationLink.Title` (get). String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL)
/// always set; too small → `0x8007007A`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_link_get_title(
    link: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_syndication_link_get_title", {
        str_out(&read(&get!(link, SyndicationLink), |v| v.title.clone()), buf, len, needed)
    })
}

/// `SyndicationLink.Title` (set; NULL is "").
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_link_set_title(
    link: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_syndication_link_set_title", {
        let value = str_in_or_empty(value, "value")?.to_owned();
        write(&get!(link, SyndicationLink), |v| v.title = value);
        Ok(())
    })
}

/// `SyndicationLink.ResourceLanguage` (get). String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL)
/// always set; too small → `0x8007007A`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_link_get_resource_language(
    link: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_syndication_link_get_resource_language", {
        str_out(&read(&get!(link, SyndicationLink), |v| v.resource_language.clone()), buf, len, needed)
    })
}

/// `SyndicationLink.ResourceLanguage` (set; NULL is "").
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_link_set_resource_language(
    link: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_syndication_link_set_resource_language", {
        let value = str_in_or_empty(value, "value")?.to_owned();
        write(&get!(link, SyndicationLink), |v| v.resource_language = value);
        Ok(())
    })
}

/// `SyndicationLink.Relationship` (get). String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL)
/// always set; too small → `0x8007007A`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_link_get_relationship(
    link: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_syndication_link_get_relationship", {
        str_out(&read(&get!(link, SyndicationLink), |v| v.relationship.clone()), buf, len, needed)
    })
}

/// `SyndicationLink.Relationship` (set; NULL is "").
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_link_set_relationship(
    link: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_syndication_link_set_relationship", {
        let value = str_in_or_empty(value, "value")?.to_owned();
        write(&get!(link, SyndicationLink), |v| v.relationship = value);
        Ok(())
    })
}

/// `SyndicationLink.MediaType` (get). String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL)
/// always set; too small → `0x8007007A`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_link_get_media_type(
    link: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_syndication_link_get_media_type", {
        str_out(&read(&get!(link, SyndicationLink), |v| v.media_type.clone()), buf, len, needed)
    })
}

/// `SyndicationLink.MediaType` (set; NULL is "").
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_link_set_media_type(
    link: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_syndication_link_set_media_type", {
        let value = str_in_or_empty(value, "value")?.to_owned();
        write(&get!(link, SyndicationLink), |v| v.media_type = value);
        Ok(())
    })
}

/// `SyndicationLink.Length` (get). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_link_get_length(
    link: netrt_handle,
    out_value: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_syndication_link_get_length", {
        let out = Out::new(out_value, "out_value")?;
        out.write(read(&get!(link, SyndicationLink), |v| v.length));
        Ok(())
    })
}

/// `SyndicationLink.Length` (set).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_link_set_length(link: netrt_handle, value: u32) -> netrt_hresult {
    ffi!("netrt_syndication_link_set_length", {
        write(&get!(link, SyndicationLink), |v| v.length = value);
        Ok(())
    })
}

/// `SyndicationGenerator()`: every field empty. `out` (not NULL) receives a new reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_generator_create(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_syndication_generator_create", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(generator_value(&SyndicationGenerator::default()))?);
        Ok(())
    })
}

/// `SyndicationGenerator(text)` (ABI name CreateSyndicationGenerator): NULL is "".
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_generator_create_syndication_generator(
    text: *const c_char,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_generator_create_syndication_generator", {
        let out = Out::new(out, "out")?;
        let g = SyndicationGenerator::new(str_in_or_empty(text, "text")?);
        out.write(handle::issue_new(generator_value(&g))?);
        Ok(())
    })
}

/// `SyndicationGenerator.Text` (get). String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL)
/// always set; too small → `0x8007007A`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_generator_get_text(
    generator: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_syndication_generator_get_text", {
        str_out(&read(&get!(generator, SyndicationGenerator), |v| v.text.clone()), buf, len, needed)
    })
}

/// `SyndicationGenerator.Text` (set; NULL is "").
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_generator_set_text(
    generator: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_syndication_generator_set_text", {
        let value = str_in_or_empty(value, "value")?.to_owned();
        write(&get!(generator, SyndicationGenerator), |v| v.text = value);
        Ok(())
    })
}

/// `SyndicationGenerator.Uri` (get): a new Uri handle, or 0. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_generator_get_uri(
    generator: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_generator_get_uri", {
        uri_out(read(&get!(generator, SyndicationGenerator), |v| v.uri.clone()), out)
    })
}

/// `SyndicationGenerator.Uri` (set): a Uri handle, or 0.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_generator_set_uri(
    generator: netrt_handle,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_generator_set_uri", {
        let value = uri_opt(value)?;
        write(&get!(generator, SyndicationGenerator), |v| v.uri = value);
        Ok(())
    })
}

/// `SyndicationGenerator.Version` (get). String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL)
/// always set; too small → `0x8007007A`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_generator_get_version(
    generator: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_syndication_generator_get_version", {
        str_out(&read(&get!(generator, SyndicationGenerator), |v| v.version.clone()), buf, len, needed)
    })
}

/// `SyndicationGenerator.Version` (set; NULL is "").
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_generator_set_version(
    generator: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_syndication_generator_set_version", {
        let value = str_in_or_empty(value, "value")?.to_owned();
        write(&get!(generator, SyndicationGenerator), |v| v.version = value);
        Ok(())
    })
}
