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
    use netrt_core::ws::{MessageWebSocketReceiveMode, SocketMessageType};
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
    check!(netrt_syndication_error_status, netrt_core::web::syndication::SyndicationErrorStatus);
    check!(netrt_syndication_format, netrt_core::web::syndication::SyndicationFormat);
    check!(netrt_syndication_text_type, netrt_core::web::syndication::SyndicationTextType);
    check!(netrt_socket_protection_level, SocketProtectionLevel);
    check!(netrt_host_name_type, HostNameType);
    check!(netrt_byte_order, ByteOrder);
    check!(netrt_unicode_encoding, UnicodeEncoding);
    check!(netrt_socket_quality_of_service, SocketQualityOfService);
    check!(netrt_chain_validation_result, ChainValidationResult);
    check!(netrt_socket_ssl_error_severity, SocketSslErrorSeverity);
    check!(netrt_client_certificate_mode, ClientCertificateMode);
    check!(netrt_socket_message_type, SocketMessageType);
    check!(netrt_message_web_socket_receive_mode, MessageWebSocketReceiveMode);
    check!(netrt_creation_collision_option, netrt_core::storage::CreationCollisionOption);
    check!(netrt_background_transfer_status, netrt_core::background_transfer::BackgroundTransferStatus);
    check!(
        netrt_background_transfer_cost_policy,
        netrt_core::background_transfer::BackgroundTransferCostPolicy
    );
    check!(netrt_background_transfer_priority, netrt_core::background_transfer::BackgroundTransferPriority);
    check!(netrt_background_transfer_behavior, netrt_core::background_transfer::BackgroundTransferBehavior);
}

/// Every object is as large as the largest `Value`: keep that bounded (operations are not
/// objects: their handles hold core's operation directly).
#[test]
fn objects_stay_small() {
    let size = std::mem::size_of::<crate::object::Object>();
    assert!(size <= 256, "Object is {size} bytes");
}

/// A netrt socket connected to a std peer, on loopback, with this thread's operations kept
/// parked for an hour (so only what a test exercises can move them): (socket, its HostName, the
/// peer). `parked_ops_end` restores the grace period.
pub(crate) fn connected_with_parked_ops() -> (u64, u64, std::net::TcpStream) {
    use crate::async_op::*;
    use crate::host_name::netrt_host_name_create;
    use crate::stream_socket::*;

    netrt_core::foundation::async_op::set_park_grace_for_this_thread(Some(std::time::Duration::from_secs(
        3600,
    )));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = std::ffi::CString::new(listener.local_addr().unwrap().port().to_string()).unwrap();
    let (mut sock, mut host, mut op) = (0, 0, 0);
    assert_eq!(netrt_stream_socket_create(&mut sock), 0);
    assert_eq!(netrt_host_name_create(c"127.0.0.1".as_ptr(), &mut host), 0);
    assert_eq!(netrt_stream_socket_connect_async(sock, host, port.as_ptr(), &mut op), 0);
    assert_eq!(netrt_async_wait(op, NETRT_INFINITE), 0);
    assert_eq!(netrt_async_get_results(op), 0);
    assert_eq!(netrt_release(op), 0);
    let (peer, _) = listener.accept().unwrap();
    (sock, host, peer)
}

/// `sock`'s input and output streams, a 64-byte buffer, and a write of that buffer started on
/// the output (an operation handle to pass where an object is expected): (input, output,
/// buffer, op).
pub(crate) fn streams_buffer_and_write(sock: u64) -> (u64, u64, u64, u64) {
    use crate::buffer::netrt_buffer_create;
    use crate::stream_socket::{netrt_stream_socket_get_input_stream, netrt_stream_socket_get_output_stream};
    use crate::streams::netrt_output_stream_write_async;

    let (mut input, mut output, mut buffer, mut op) = (0, 0, 0, 0);
    assert_eq!(netrt_stream_socket_get_input_stream(sock, &mut input), 0);
    assert_eq!(netrt_stream_socket_get_output_stream(sock, &mut output), 0);
    assert_eq!(netrt_buffer_create(64, &mut buffer), 0);
    assert_eq!(netrt_output_stream_write_async(output, buffer, &mut op), 0);
    (input, output, buffer, op)
}

/// `sock`'s output stream and a buffer of `len` bytes, every one of them valid (a write sends
/// them all): (output, buffer).
pub(crate) fn output_and_full_buffer(sock: u64, len: u32) -> (u64, u64) {
    use crate::buffer::{netrt_buffer_create, netrt_buffer_set_length};
    use crate::stream_socket::netrt_stream_socket_get_output_stream;

    let (mut output, mut buffer) = (0, 0);
    assert_eq!(netrt_stream_socket_get_output_stream(sock, &mut output), 0);
    assert_eq!(netrt_buffer_create(len, &mut buffer), 0);
    assert_eq!(netrt_buffer_set_length(buffer, len), 0);
    (output, buffer)
}

pub(crate) fn parked_ops_end() {
    netrt_core::foundation::async_op::set_park_grace_for_this_thread(None);
}

fn status_of(op: u64) -> netrt_async_status {
    let mut status = netrt_async_status::Canceled;
    assert_eq!(crate::async_op::netrt_async_get_status(op, &mut status), 0);
    status
}

/// A caller that polls `netrt_async_get_status` instead of waiting sees a pending read complete
/// once its data is there: the status check itself makes the attempt. The operations of this
/// thread stay parked for an hour, so without that attempt the status would never change.
#[test]
fn a_status_poll_completes_a_parked_read() {
    use crate::buffer::*;
    use crate::stream_socket::*;
    use crate::streams::netrt_input_stream_read_async;
    use std::io::Write;
    use std::time::{Duration, Instant};

    let (sock, host, mut peer) = connected_with_parked_ops();
    let (mut input, mut buffer, mut read) = (0, 0, 0);
    assert_eq!(netrt_stream_socket_get_input_stream(sock, &mut input), 0);
    assert_eq!(netrt_buffer_create(16, &mut buffer), 0);
    let partial = netrt_input_stream_options::Partial as u32;
    assert_eq!(netrt_input_stream_read_async(input, buffer, 16, partial, &mut read), 0);
    assert_eq!(status_of(read), netrt_async_status::Started, "nothing was sent yet");

    peer.write_all(b"hello").unwrap();
    let give_up = Instant::now() + Duration::from_secs(20);
    let mut status = netrt_async_status::Started;
    while status == netrt_async_status::Started {
        assert!(Instant::now() < give_up, "the read never completed for a status poller");
        std::thread::sleep(Duration::from_millis(1));
        status = status_of(read);
    }
    assert_eq!(status, netrt_async_status::Completed);
    let mut length = 0;
    assert_eq!(netrt_buffer_get_length(buffer, &mut length), 0);
    assert_eq!(length, 5);
    for h in [read, buffer, input, host, sock] {
        assert_eq!(netrt_release(h), 0);
    }
    parked_ops_end();
}

/// Releasing the last handle of a pending write that nobody waits for hands it to the runtime
/// at once: the rest of the data goes out while the caller does something else. Operations stay
/// parked for an hour here, so without that hand-off the peer would never get the rest.
#[test]
fn releasing_a_parked_write_lets_the_rest_go_out() {
    use crate::buffer::*;
    use crate::streams::netrt_output_stream_write_async;
    use std::io::Read;
    use std::time::Duration;

    const SIZE: u32 = 32 << 20; // far more than loopback's socket buffers take at once
    let (sock, host, mut peer) = connected_with_parked_ops();
    let (output, buffer) = output_and_full_buffer(sock, SIZE);
    let mut write = 0;
    let mut data = std::ptr::null_mut();
    assert_eq!(netrt_buffer_get_data(buffer, &mut data), 0);
    // SAFETY: the buffer owns SIZE bytes at `data`, and no operation uses it yet.
    let bytes = unsafe { std::slice::from_raw_parts_mut(data, SIZE as usize) };
    bytes.iter_mut().enumerate().for_each(|(i, b)| *b = (i % 251) as u8);
    assert_eq!(netrt_output_stream_write_async(output, buffer, &mut write), 0);
    assert_eq!(status_of(write), netrt_async_status::Started, "the peer has not read yet");
    assert_eq!(netrt_release(write), 0);

    peer.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut received = vec![0u8; SIZE as usize];
    peer.read_exact(&mut received).expect("the rest of a released write never arrived");
    assert!(received.iter().enumerate().all(|(i, b)| *b == (i % 251) as u8), "the bytes arrived intact");
    for h in [buffer, output, host, sock] {
        assert_eq!(netrt_release(h), 0);
    }
    parked_ops_end();
}

/// The same for a pending read: once its last handle is released, the read still completes
/// (into the buffer, which the caller may hold on to) when the data comes.
#[test]
fn releasing_a_parked_read_still_fills_the_buffer() {
    use crate::buffer::*;
    use crate::stream_socket::*;
    use crate::streams::netrt_input_stream_read_async;
    use std::io::Write;
    use std::time::{Duration, Instant};

    let (sock, host, mut peer) = connected_with_parked_ops();
    let (mut input, mut buffer, mut read) = (0, 0, 0);
    assert_eq!(netrt_stream_socket_get_input_stream(sock, &mut input), 0);
    assert_eq!(netrt_buffer_create(16, &mut buffer), 0);
    let none = netrt_input_stream_options::None as u32;
    assert_eq!(netrt_input_stream_read_async(input, buffer, 5, none, &mut read), 0);
    assert_eq!(status_of(read), netrt_async_status::Started, "nothing was sent yet");
    assert_eq!(netrt_release(read), 0);

    peer.write_all(b"hello").unwrap();
    let give_up = Instant::now() + Duration::from_secs(20);
    let mut length = 0;
    while length == 0 {
        assert!(Instant::now() < give_up, "a released read never completed");
        std::thread::sleep(Duration::from_millis(1));
        assert_eq!(netrt_buffer_get_length(buffer, &mut length), 0);
    }
    assert_eq!(length, 5);
    for h in [buffer, input, host, sock] {
        assert_eq!(netrt_release(h), 0);
    }
    parked_ops_end();
}
