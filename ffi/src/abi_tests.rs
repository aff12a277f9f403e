//! Rust-side checks of the C ABI that the C suite cannot make on its own.

use netrt_core::error::hresult::{E_HANDLE, E_INVALIDARG, E_POINTER, RO_E_CLOSED};

use crate::enums::*;
use crate::object_api::{netrt_duplicate, netrt_release};

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

/// The C enums restate core's members for cbindgen, and each `From<core>` maps them by value
/// (unmapped values fall back silently). Every core member must arrive with its own value.
#[test]
fn every_core_enum_member_maps_to_the_c_member_with_the_same_value() {
    use netrt_core::error::{SocketErrorStatus, WebErrorStatus};
    use netrt_core::io::{ByteOrder, UnicodeEncoding};
    use netrt_core::net::{HostNameType, SocketProtectionLevel, SocketQualityOfService};
    use netrt_core::tls::{ChainValidationResult, ClientCertificateMode, SocketSslErrorSeverity};
    macro_rules! check {
        ($c:ty, $core:ty) => {
            for member in <$core>::ALL {
                let c: $c = (*member).into();
                assert_eq!(c as i32, *member as i32, "{member:?} became {c:?}");
            }
        };
    }
    check!(netrt_socket_error_status, SocketErrorStatus);
    check!(netrt_web_error_status, WebErrorStatus);
    check!(netrt_socket_protection_level, SocketProtectionLevel);
    check!(netrt_host_name_type, HostNameType);
    check!(netrt_byte_order, ByteOrder);
    check!(netrt_unicode_encoding, UnicodeEncoding);
    check!(netrt_socket_quality_of_service, SocketQualityOfService);
    check!(netrt_chain_validation_result, ChainValidationResult);
    check!(netrt_socket_ssl_error_severity, SocketSslErrorSeverity);
    check!(netrt_client_certificate_mode, ClientCertificateMode);
}

/// An operation lives inline in its handle object (one allocation per operation), which makes
/// every object as large as an operation: keep that bounded.
#[test]
fn objects_stay_small_with_operations_inline() {
    let size = std::mem::size_of::<crate::object::Object>();
    assert!(size <= 256, "Object is {size} bytes");
}

/// A caller that polls `netrt_async_get_status` instead of waiting sees a pending read complete
/// once its data is there: the status check itself makes the attempt. The operations of this
/// thread stay parked for an hour, so without that attempt the status would never change.
#[test]
fn a_status_poll_completes_a_parked_read() {
    use crate::async_op::*;
    use crate::buffer::*;
    use crate::host_name::netrt_host_name_create;
    use crate::stream_socket::*;
    use crate::streams::netrt_input_stream_read_async;
    use std::io::Write;
    use std::time::{Duration, Instant};

    PARK_GRACE_HERE.with(|g| g.set(Some(Duration::from_secs(3600))));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = std::ffi::CString::new(listener.local_addr().unwrap().port().to_string()).unwrap();
    let (mut sock, mut host, mut op) = (0, 0, 0);
    assert_eq!(netrt_stream_socket_create(&mut sock), 0);
    assert_eq!(netrt_host_name_create(c"127.0.0.1".as_ptr(), &mut host), 0);
    assert_eq!(netrt_stream_socket_connect_async(sock, host, port.as_ptr(), &mut op), 0);
    assert_eq!(netrt_async_wait(op, NETRT_INFINITE), 0);
    assert_eq!(netrt_async_get_results(op), 0);
    let (mut peer, _) = listener.accept().unwrap();
    let (mut input, mut buffer, mut read) = (0, 0, 0);
    assert_eq!(netrt_stream_socket_get_input_stream(sock, &mut input), 0);
    assert_eq!(netrt_buffer_create(16, &mut buffer), 0);
    let partial = netrt_input_stream_options::Partial as u32;
    assert_eq!(netrt_input_stream_read_async(input, buffer, 16, partial, &mut read), 0);
    let mut status = netrt_async_status::Canceled;
    assert_eq!(netrt_async_get_status(read, &mut status), 0);
    assert_eq!(status, netrt_async_status::Started, "nothing was sent yet");

    peer.write_all(b"hello").unwrap();
    let give_up = Instant::now() + Duration::from_secs(20);
    while status == netrt_async_status::Started {
        assert!(Instant::now() < give_up, "the read never completed for a status poller");
        std::thread::sleep(Duration::from_millis(1));
        assert_eq!(netrt_async_get_status(read, &mut status), 0);
    }
    assert_eq!(status, netrt_async_status::Completed);
    let mut length = 0;
    assert_eq!(netrt_buffer_get_length(buffer, &mut length), 0);
    assert_eq!(length, 5);
    for h in [read, buffer, input, op, host, sock] {
        assert_eq!(netrt_release(h), 0);
    }
    PARK_GRACE_HERE.with(|g| g.set(None));
}
