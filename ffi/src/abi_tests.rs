//! Rust-side checks of the C ABI that the C suite cannot make on its own.

use crate::object_api::{netrt_duplicate, netrt_release};

const E_POINTER: i32 = 0x8000_4003_u32 as i32;
const E_HANDLE: i32 = 0x8007_0006_u32 as i32;
const RO_E_CLOSED: i32 = 0x8000_0013_u32 as i32;
const E_INVALIDARG: i32 = 0x8007_0057_u32 as i32;

/// The version macros in the committed header (cbindgen.toml's `after_includes`) must follow
/// the crate version; bumping one without the other fails here.
#[test]
fn header_version_macros_match_the_crate() {
    let header = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../include/netrt.h"))
        .expect("include/netrt.h (generate it with cbindgen)");
    for (name, value) in [
        ("NETRT_VERSION_MAJOR", env!("CARGO_PKG_VERSION_MAJOR")),
        ("NETRT_VERSION_MINOR", env!("CARGO_PKG_VERSION_MINOR")),
        ("NETRT_VERSION_PATCH", env!("CARGO_PKG_VERSION_PATCH")),
    ] {
        assert!(header.contains(&format!("#define {name} {value}\n")), "{name} != {value}");
    }
    assert!(header.contains(&format!("#define NETRT_VERSION_STRING \"{}\"", env!("CARGO_PKG_VERSION"))));
}

#[test]
fn handle_checks_follow_the_design_order() {
    let mut host = 0u64;
    let name = c"127.0.0.1";
    assert_eq!(crate::host_name::netrt_host_name_create(name.as_ptr(), &mut host), 0);
    let mut dup = 0u64;
    assert_eq!(netrt_duplicate(host, &mut dup), 0);
    assert_ne!(host, dup);
    assert_eq!(netrt_release(0), E_POINTER);
    assert_eq!(netrt_release(host + (1 << 32)), E_HANDLE);
    assert_eq!(netrt_release(host), 0);
    assert_eq!(netrt_release(host), RO_E_CLOSED);
    let mut control = 0u64;
    assert_eq!(crate::stream_socket::netrt_stream_socket_get_control(dup, &mut control), E_INVALIDARG);
    assert_eq!(control, 0, "out-params are written only on success");
    assert_eq!(netrt_release(dup), 0);
}
