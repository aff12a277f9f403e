//! `Windows.Foundation.Uri`, `WwwFormUrlDecoder` and `WwwFormUrlDecoderEntry` (docs/web.md).
//!
//! Parsing, canonical forms and errors are core's [`Uri`]; this module converts strings.

use std::ffi::c_char;
use std::sync::Arc;

use netrt_core::foundation::{Uri, WwwFormUrlDecoder};

use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::handle;
use crate::object::{Value, get, with_value};
use crate::strings::{str_in, str_out};

/// Issues a handle for a Uri.
pub(crate) fn issue(uri: Uri) -> Result<netrt_handle, netrt_core::Error> {
    handle::issue_new(Value::Uri(uri))
}

/// `Uri(String)`: parses an absolute URI (UTF-8, not NULL). `out` (not NULL) receives a new
/// reference. Errors: `E_POINTER`; `E_INVALIDARG` for a string that is not an absolute URI,
/// with the problem in the last error detail ("relative URL without a base", "invalid port
/// number", ...).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_uri_create(uri: *const c_char, out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_uri_create", {
        let out = Out::new(out, "out")?;
        out.write(issue(Uri::new(str_in(uri, "uri")?)?)?);
        Ok(())
    })
}

/// `Uri(String baseUri, String relativeUri)` (ABI name CreateWithRelativeUri): `relative_uri`
/// resolved against `base_uri` as RFC 3986 §5 says. Both not NULL. Errors as `netrt_uri_create`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_uri_create_with_relative_uri(
    base_uri: *const c_char,
    relative_uri: *const c_char,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_uri_create_with_relative_uri", {
        let out = Out::new(out, "out")?;
        let uri = Uri::with_base(str_in(base_uri, "base_uri")?, str_in(relative_uri, "relative_uri")?)?;
        out.write(issue(uri)?);
        Ok(())
    })
}

/// `CombineUri(String)`: a new Uri, `relative_uri` (not NULL) resolved against `uri`. `out`
/// (not NULL) receives a new reference. Errors: handle checks, `E_POINTER`, `E_INVALIDARG`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_uri_combine_uri(
    uri: netrt_handle,
    relative_uri: *const c_char,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_uri_combine_uri", {
        let out = Out::new(out, "out")?;
        let relative = str_in(relative_uri, "relative_uri")?;
        out.write(issue(with_value!(uri, Uri, |u| u.combine_uri(relative))?)?);
        Ok(())
    })
}

/// `Uri.AbsoluteUri`: the canonical form (scheme and host lower-cased, default port dropped, `.`/`..` resolved). String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL)
/// always set; too small → `0x8007007A`. Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_uri_get_absolute_uri(
    uri: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_uri_get_absolute_uri", {
        str_out(&with_value!(uri, Uri, |u| u.absolute_uri()), buf, len, needed)
    })
}

/// `Uri.AbsoluteCanonicalUri`: the canonical form, as AbsoluteUri. String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL)
/// always set; too small → `0x8007007A`. Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_uri_get_absolute_canonical_uri(
    uri: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_uri_get_absolute_canonical_uri", {
        str_out(&with_value!(uri, Uri, |u| u.absolute_canonical_uri()), buf, len, needed)
    })
}

/// `Uri.DisplayUri`: the canonical form without the password. String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL)
/// always set; too small → `0x8007007A`. Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_uri_get_display_uri(
    uri: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_uri_get_display_uri", {
        str_out(&with_value!(uri, Uri, |u| u.display_uri()), buf, len, needed)
    })
}

/// `Uri.DisplayIri`: DisplayUri with a punycode host shown in Unicode. String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL)
/// always set; too small → `0x8007007A`. Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_uri_get_display_iri(
    uri: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_uri_get_display_iri", {
        str_out(&with_value!(uri, Uri, |u| u.display_iri()), buf, len, needed)
    })
}

/// `Uri.Domain`: the host's last two labels (netrt has no public-suffix list); "" for an IP address. String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL)
/// always set; too small → `0x8007007A`. Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_uri_get_domain(
    uri: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_uri_get_domain", { str_out(&with_value!(uri, Uri, |u| u.domain()), buf, len, needed) })
}

/// `Uri.Extension`: the last path segment's extension with its dot (".htm"), or "". String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL)
/// always set; too small → `0x8007007A`. Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_uri_get_extension(
    uri: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_uri_get_extension", { str_out(&with_value!(uri, Uri, |u| u.extension()), buf, len, needed) })
}

/// `Uri.Fragment`: with its leading `#`, "" when absent. String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL)
/// always set; too small → `0x8007007A`. Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_uri_get_fragment(
    uri: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_uri_get_fragment", { str_out(&with_value!(uri, Uri, |u| u.fragment()), buf, len, needed) })
}

/// `Uri.Host`: the host, lower-cased. String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL)
/// always set; too small → `0x8007007A`. Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_uri_get_host(
    uri: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_uri_get_host", { str_out(&with_value!(uri, Uri, |u| u.host()), buf, len, needed) })
}

/// `Uri.Password`: the password of the user information, or "". String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL)
/// always set; too small → `0x8007007A`. Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_uri_get_password(
    uri: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_uri_get_password", { str_out(&with_value!(uri, Uri, |u| u.password()), buf, len, needed) })
}

/// `Uri.Path`: the path ("/" for a hierarchical URI without one). String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL)
/// always set; too small → `0x8007007A`. Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_uri_get_path(
    uri: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_uri_get_path", { str_out(&with_value!(uri, Uri, |u| u.path()), buf, len, needed) })
}

/// `Uri.Query`: with its leading `?`, "" when absent. String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL)
/// always set; too small → `0x8007007A`. Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_uri_get_query(
    uri: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_uri_get_query", { str_out(&with_value!(uri, Uri, |u| u.query()), buf, len, needed) })
}

/// `Uri.RawUri`: the string the Uri was made from. String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL)
/// always set; too small → `0x8007007A`. Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_uri_get_raw_uri(
    uri: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_uri_get_raw_uri", { str_out(&with_value!(uri, Uri, |u| u.raw_uri()), buf, len, needed) })
}

/// `Uri.SchemeName`: the scheme, lower-cased. String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL)
/// always set; too small → `0x8007007A`. Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_uri_get_scheme_name(
    uri: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_uri_get_scheme_name", {
        str_out(&with_value!(uri, Uri, |u| u.scheme_name()), buf, len, needed)
    })
}

/// `Uri.UserName`: the user name of the user information, or "". String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL)
/// always set; too small → `0x8007007A`. Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_uri_get_user_name(
    uri: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_uri_get_user_name", { str_out(&with_value!(uri, Uri, |u| u.user_name()), buf, len, needed) })
}

/// `Uri.Port`: the explicit port, else the scheme's default (80 http/ws, 443 https/wss, 21
/// ftp), else -1. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_uri_get_port(uri: netrt_handle, out_value: *mut i32) -> netrt_hresult {
    ffi!("netrt_uri_get_port", {
        let out = Out::new(out_value, "out_value")?;
        out.write(with_value!(uri, Uri, |u| u.port()));
        Ok(())
    })
}

/// `Uri.Suspicious`: true when the parser had to repair the string (control characters,
/// spaces, backslashes) or the host is punycode. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_uri_get_suspicious(uri: netrt_handle, out_value: *mut bool) -> netrt_hresult {
    ffi!("netrt_uri_get_suspicious", {
        let out = Out::new(out_value, "out_value")?;
        out.write(with_value!(uri, Uri, |u| u.suspicious()));
        Ok(())
    })
}

/// `Uri.QueryParsed`: `*out` (not NULL) receives a new WwwFormUrlDecoder reference over the
/// query's `name=value` pairs.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_uri_get_query_parsed(uri: netrt_handle, out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_uri_get_query_parsed", {
        let out = Out::new(out, "out")?;
        let decoder = with_value!(uri, Uri, |u| u.query_parsed());
        out.write(handle::issue_new(Value::WwwFormUrlDecoder(Arc::new(decoder)))?);
        Ok(())
    })
}

/// `Uri.Equals(Uri)`: whether the canonical forms are equal (the fragment counts). `other` is
/// a Uri handle; `out_value` not NULL. Errors: handle checks on both.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_uri_equals(
    uri: netrt_handle,
    other: netrt_handle,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_uri_equals", {
        let out = Out::new(out_value, "out_value")?;
        let other = get!(other, Uri);
        out.write(with_value!(uri, Uri, |u| u.equals(&other)));
        Ok(())
    })
}

/// `Uri.ToString()`: the canonical form (as AbsoluteUri). String out as `netrt_uri_get_absolute_uri`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_uri_to_string(
    uri: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_uri_to_string", { str_out(&with_value!(uri, Uri, |u| u.to_string()), buf, len, needed) })
}

/// `Uri.EscapeComponent(String)` (static): percent-encodes every byte of `to_escape` (UTF-8,
/// not NULL) except `A-Z a-z 0-9 - . _ ~`. String out as usual. Errors: `E_POINTER`,
/// `0x80070459` (not UTF-8).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_uri_escape_component(
    to_escape: *const c_char,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_uri_escape_component", {
        str_out(&Uri::escape_component(str_in(to_escape, "to_escape")?), buf, len, needed)
    })
}

/// `Uri.UnescapeComponent(String)` (static): decodes `%XX` (a stray `%` and `+` stay as they
/// are). `to_unescape` not NULL. String out as usual. Errors as `netrt_uri_escape_component`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_uri_unescape_component(
    to_unescape: *const c_char,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_uri_unescape_component", {
        str_out(&Uri::unescape_component(str_in(to_unescape, "to_unescape")?), buf, len, needed)
    })
}

// ---- WwwFormUrlDecoder ----------------------------------------------------------------------

/// `WwwFormUrlDecoder(String query)`: the `application/x-www-form-urlencoded` pairs of `query`
/// (not NULL; a leading `?` is ignored). `out` (not NULL) receives a new reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_www_form_url_decoder_create(
    query: *const c_char,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_www_form_url_decoder_create", {
        let out = Out::new(out, "out")?;
        let decoder = WwwFormUrlDecoder::new(str_in(query, "query")?);
        out.write(handle::issue_new(Value::WwwFormUrlDecoder(Arc::new(decoder)))?);
        Ok(())
    })
}

/// `WwwFormUrlDecoder.Size`: the number of pairs. `out_size` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_www_form_url_decoder_get_size(
    decoder: netrt_handle,
    out_size: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_www_form_url_decoder_get_size", {
        let out = Out::new(out_size, "out_size")?;
        out.write(with_value!(decoder, WwwFormUrlDecoder, |d| d.size()));
        Ok(())
    })
}

/// `WwwFormUrlDecoder.GetAt(UInt32)`: `*out` (not NULL) receives a new
/// WwwFormUrlDecoderEntry reference. Errors: handle checks, `E_POINTER`, `E_BOUNDS`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_www_form_url_decoder_get_at(
    decoder: netrt_handle,
    index: u32,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_www_form_url_decoder_get_at", {
        let out = Out::new(out, "out")?;
        let entry = with_value!(decoder, WwwFormUrlDecoder, |d| d.get_at(index))?;
        out.write(handle::issue_new(Value::WwwFormUrlDecoderEntry(Arc::new(entry)))?);
        Ok(())
    })
}

/// `WwwFormUrlDecoder.GetFirstValueByName(String)`: the decoded value of the first pair named
/// `name` (not NULL). String out as usual. Errors: handle checks, `E_POINTER`, `E_INVALIDARG`
/// when no pair has that name (as Windows).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_www_form_url_decoder_get_first_value_by_name(
    decoder: netrt_handle,
    name: *const c_char,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_www_form_url_decoder_get_first_value_by_name", {
        let name = str_in(name, "name")?;
        let value = with_value!(decoder, WwwFormUrlDecoder, |d| d.get_first_value_by_name(name))?;
        str_out(&value, buf, len, needed)
    })
}

/// `WwwFormUrlDecoder.IndexOf(entry, out index)`: `*out_found` (not NULL) tells whether a pair
/// equal to `entry` (same name and value) is in the decoder; `*out_index` (not NULL) is its
/// position when found, 0 otherwise. Errors: handle checks on both.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_www_form_url_decoder_index_of(
    decoder: netrt_handle,
    entry: netrt_handle,
    out_found: *mut bool,
    out_index: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_www_form_url_decoder_index_of", {
        let found = Out::new(out_found, "out_found")?;
        let index = Out::new(out_index, "out_index")?;
        let entry = get!(entry, WwwFormUrlDecoderEntry);
        let position = with_value!(decoder, WwwFormUrlDecoder, |d| d.index_of(&entry));
        found.write(position.is_some());
        index.write(position.unwrap_or(0));
        Ok(())
    })
}

/// `WwwFormUrlDecoderEntry.Name` (decoded). String out as usual.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_www_form_url_decoder_entry_get_name(
    entry: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_www_form_url_decoder_entry_get_name", {
        str_out(get!(entry, WwwFormUrlDecoderEntry).name(), buf, len, needed)
    })
}

/// `WwwFormUrlDecoderEntry.Value` (decoded). String out as usual.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_www_form_url_decoder_entry_get_value(
    entry: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_www_form_url_decoder_entry_get_value", {
        str_out(get!(entry, WwwFormUrlDecoderEntry).value(), buf, len, needed)
    })
}
