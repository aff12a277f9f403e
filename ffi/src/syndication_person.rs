//! `SyndicationPerson` and `SyndicationCategory` (docs/syndication.md).

use std::ffi::c_char;

use netrt_core::web::syndication::{SyndicationCategory, SyndicationPerson};

use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::handle;
use crate::object::get;
use crate::strings::{str_in_or_empty, str_out};
use crate::syndication_node::{uri_opt, uri_out};
use crate::syndication_state::{category_value, person_value, read, write};

/// `SyndicationPerson()`: every field empty. `out` (not NULL) receives a new reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_person_create(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_syndication_person_create", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(person_value(&SyndicationPerson::default()))?);
        Ok(())
    })
}

/// `SyndicationPerson(name)` (ABI name CreateSyndicationPerson): NULL is "".
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_person_create_syndication_person(
    name: *const c_char,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_person_create_syndication_person", {
        let out = Out::new(out, "out")?;
        let p = SyndicationPerson::new(str_in_or_empty(name, "name")?);
        out.write(handle::issue_new(person_value(&p))?);
        Ok(())
    })
}

/// `SyndicationPerson(name, email, uri)` (ABI name CreateSyndicationPersonEx): NULL strings
/// are ""; `uri` a Uri handle, or 0.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_person_create_syndication_person_ex(
    name: *const c_char,
    email: *const c_char,
    uri: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_person_create_syndication_person_ex", {
        let out = Out::new(out, "out")?;
        let p = SyndicationPerson::with_details(
            str_in_or_empty(name, "name")?,
            str_in_or_empty(email, "email")?,
            uri_opt(uri)?,
        );
        out.write(handle::issue_new(person_value(&p))?);
        Ok(())
    })
}

/// `SyndicationPerson.Name` (get). String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL)
/// always set; too small → `0x8007007A`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_person_get_name(
    person: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_syndication_person_get_name", {
        str_out(&read(&get!(person, SyndicationPerson), |v| v.name.clone()), buf, len, needed)
    })
}

/// `SyndicationPerson.Name` (set; NULL is "").
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_person_set_name(
    person: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_syndication_person_set_name", {
        let value = str_in_or_empty(value, "value")?.to_owned();
        write(&get!(person, SyndicationPerson), |v| v.name = value);
        Ok(())
    })
}

/// `SyndicationPerson.Email` (get). String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL)
/// always set; too small → `0x8007007A`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_person_get_email(
    person: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_syndication_person_get_email", {
        str_out(&read(&get!(person, SyndicationPerson), |v| v.email.clone()), buf, len, needed)
    })
}

/// `SyndicationPerson.Email` (set; NULL is "").
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_person_set_email(
    person: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_syndication_person_set_email", {
        let value = str_in_or_empty(value, "value")?.to_owned();
        write(&get!(person, SyndicationPerson), |v| v.email = value);
        Ok(())
    })
}

/// `SyndicationPerson.Uri` (get): a new Uri handle, or 0. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_person_get_uri(
    person: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_person_get_uri", {
        uri_out(read(&get!(person, SyndicationPerson), |v| v.uri.clone()), out)
    })
}

/// `SyndicationPerson.Uri` (set): a Uri handle, or 0.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_person_set_uri(
    person: netrt_handle,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_person_set_uri", {
        let value = uri_opt(value)?;
        write(&get!(person, SyndicationPerson), |v| v.uri = value);
        Ok(())
    })
}

/// `SyndicationCategory()`: every field empty. `out` (not NULL) receives a new reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_category_create(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_syndication_category_create", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(category_value(&SyndicationCategory::default()))?);
        Ok(())
    })
}

/// `SyndicationCategory(term)` (ABI name CreateSyndicationCategory): NULL is "".
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_category_create_syndication_category(
    term: *const c_char,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_category_create_syndication_category", {
        let out = Out::new(out, "out")?;
        let c = SyndicationCategory::new(str_in_or_empty(term, "term")?);
        out.write(handle::issue_new(category_value(&c))?);
        Ok(())
    })
}

/// `SyndicationCategory(term, scheme, label)` (ABI name CreateSyndicationCategoryEx): NULL
/// strings are "".
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_category_create_syndication_category_ex(
    term: *const c_char,
    scheme: *const c_char,
    label: *const c_char,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_category_create_syndication_category_ex", {
        let out = Out::new(out, "out")?;
        let c = SyndicationCategory::with_details(
            str_in_or_empty(term, "term")?,
            str_in_or_empty(scheme, "scheme")?,
            str_in_or_empty(label, "label")?,
        );
        out.write(handle::issue_new(category_value(&c))?);
        Ok(())
    })
}

/// `SyndicationCategory.Term` (get). String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL)
/// always set; too small → `0x8007007A`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_category_get_term(
    category: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_syndication_category_get_term", {
        str_out(&read(&get!(category, SyndicationCategory), |v| v.term.clone()), buf, len, needed)
    })
}

/// `SyndicationCategory.Term` (set; NULL is "").
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_category_set_term(
    category: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_syndication_category_set_term", {
        let value = str_in_or_empty(value, "value")?.to_owned();
        write(&get!(category, SyndicationCategory), |v| v.term = value);
        Ok(())
    })
}

/// `SyndicationCategory.Scheme` (get). String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL)
/// always set; too small → `0x8007007A`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_category_get_scheme(
    category: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_syndication_category_get_scheme", {
        str_out(&read(&get!(category, SyndicationCategory), |v| v.scheme.clone()), buf, len, needed)
    })
}

/// `SyndicationCategory.Scheme` (set; NULL is "").
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_category_set_scheme(
    category: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_syndication_category_set_scheme", {
        let value = str_in_or_empty(value, "value")?.to_owned();
        write(&get!(category, SyndicationCategory), |v| v.scheme = value);
        Ok(())
    })
}

/// `SyndicationCategory.Label` (get). String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL)
/// always set; too small → `0x8007007A`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_category_get_label(
    category: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_syndication_category_get_label", {
        str_out(&read(&get!(category, SyndicationCategory), |v| v.label.clone()), buf, len, needed)
    })
}

/// `SyndicationCategory.Label` (set; NULL is "").
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_category_set_label(
    category: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_syndication_category_set_label", {
        let value = str_in_or_empty(value, "value")?.to_owned();
        write(&get!(category, SyndicationCategory), |v| v.label = value);
        Ok(())
    })
}
