//! A completion queue driving reads on real loopback sockets: a socket stays registered with
//! the queue across its reads, and a socket that closes is forgotten, so that another socket
//! given the same fd number is watched anew (and an event of the old one never reaches it).

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::{Mutex, MutexGuard, mpsc};
use std::time::{Duration, Instant};

use netrt::foundation::async_op::Readiness;
use netrt::foundation::{AsyncOperation, AsyncStatus, CompletedDelivery, CompletionQueue};
use netrt::io::InputStreamOptions;
use netrt::net::StreamSocket;

mod util;
use util::{connect_blocking as connect, dispatch_until};

const LIMIT: Duration = Duration::from_secs(10);

/// Taken by every test here: the fd-reuse test needs the kernel's next fd number to be the one
/// it freed, which another test opening sockets in parallel could take and keep.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn one_at_a_time() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Starts a read of up to 16 bytes as the C and Python projections do (caller-driven, bound
/// to this thread's current queue); its handler reports the status and where it ran.
fn start_read(
    sock: &StreamSocket,
) -> (AsyncOperation<Vec<u8>>, mpsc::Receiver<(AsyncStatus, CompletedDelivery)>) {
    let input = sock.input_stream();
    let ready = input.readiness_fd().map(Readiness::readable);
    let ticket = input.ticket();
    let op = AsyncOperation::start_caller_driven(
        async move {
            let mut buf = vec![0u8; 16];
            let n = input.read_into_slice_with(ticket, &mut buf, InputStreamOptions::Partial, None).await?;
            buf.truncate(n);
            Ok(buf)
        },
        move || ready,
    )
    .unwrap();
    let (tx, rx) = mpsc::channel();
    op.set_completed(Box::new(move |status, delivery| tx.send((status, delivery)).unwrap())).unwrap();
    (op, rx)
}

fn fd_of(sock: &StreamSocket) -> RawFd {
    sock.input_stream().readiness_fd().expect("a connected plain socket has an fd")
}

/// One read the queue drives to completion: nothing there when it starts, `data` sent after.
fn driven_read(q: &CompletionQueue, sock: &StreamSocket, peer: &mut TcpStream, data: &[u8]) {
    let (op, rx) = start_read(sock);
    assert_eq!(op.status(), AsyncStatus::Started, "nothing to read yet");
    peer.write_all(data).unwrap();
    assert_eq!(dispatch_until(q, &rx), AsyncStatus::Completed);
    assert_eq!(op.results().unwrap(), data);
}

#[test]
fn reads_reuse_the_registration_and_a_reused_fd_number_is_watched_anew() {
    let _serial = one_at_a_time();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let q = CompletionQueue::new().unwrap();
    let previous = CompletionQueue::make_current(Some(&q));

    let (first, mut first_peer) = connect(&listener);
    for round in 0..3u8 {
        driven_read(&q, &first, &mut first_peer, &[b'a' + round; 5]);
    }
    // Data arriving while no read waits: the queue's fd reports the socket's edge, a dispatch
    // takes it with nothing to drive, and the next read finds the data at once.
    first_peer.write_all(b"early").unwrap();
    let mut pfd = libc::pollfd { fd: q.fd(), events: libc::POLLIN, revents: 0 };
    // SAFETY: one valid pollfd.
    assert_eq!(unsafe { libc::poll(&mut pfd, 1, LIMIT.as_millis() as i32) }, 1, "the edge of an idle socket");
    assert_eq!(q.dispatch(64).unwrap(), 0);
    let (op, _rx) = start_read(&first);
    assert_eq!(op.status(), AsyncStatus::Completed);
    assert_eq!(op.results().unwrap(), b"early");

    // Closed with a read pending on its registration: the next socket that gets the same fd
    // number must be watched, not taken for the old one.
    let old_fd = fd_of(&first);
    let (pending, pending_rx) = start_read(&first);
    first.close();
    assert_eq!(dispatch_until(&q, &pending_rx), AsyncStatus::Error);
    drop(pending);
    drop(first);
    // Sockets (and peers) that took other numbers are kept open, so that the lowest free
    // number, which the kernel hands out next, eventually is the old one.
    let mut kept = Vec::new();
    let (second, mut second_peer) = loop {
        assert!(kept.len() < 128, "fd {old_fd} was never reused");
        let (sock, peer) = connect(&listener);
        if fd_of(&sock) == old_fd {
            break (sock, peer);
        }
        // The old socket's fd closes on a runtime thread (its pending read went there); when it
        // closed between the client's socket and the accept, the peer took the number: give it
        // back (the client keeps the lower number it took).
        if peer.as_raw_fd() == old_fd {
            drop(peer);
            kept.push(Box::new(sock) as Box<dyn std::any::Any>);
            continue;
        }
        kept.push(Box::new((sock, peer)));
    };
    for round in 0..2u8 {
        driven_read(&q, &second, &mut second_peer, &[b'x' + round; 3]);
    }
    // The old socket's peer writing and closing reaches nothing of the new socket.
    drop(first_peer);
    let (op, rx) = start_read(&second);
    std::thread::sleep(Duration::from_millis(50));
    let mut pfd = libc::pollfd { fd: q.fd(), events: libc::POLLIN, revents: 0 };
    // SAFETY: one valid pollfd.
    if unsafe { libc::poll(&mut pfd, 1, 0) } == 1 {
        q.dispatch(64).unwrap();
    }
    assert_eq!(op.status(), AsyncStatus::Started, "no data for the new socket yet");
    second_peer.write_all(b"late").unwrap();
    assert_eq!(dispatch_until(&q, &rx), AsyncStatus::Completed);
    assert_eq!(op.results().unwrap(), b"late");

    CompletionQueue::make_current(previous.as_ref());
    q.close();
}

#[test]
fn a_read_and_a_write_pending_on_one_socket_are_both_driven() {
    let _serial = one_at_a_time();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let q = CompletionQueue::new().unwrap();
    let previous = CompletionQueue::make_current(Some(&q));
    let (sock, mut peer) = connect(&listener);
    let (read, read_rx) = start_read(&sock);
    // A write larger than the socket buffers stays pending until the peer drains it.
    let output = sock.output_stream();
    let big = vec![7u8; 8 << 20];
    let ready = output.readiness_fd().map(Readiness::writable);
    let ticket = output.ticket();
    let write = AsyncOperation::start_caller_driven(
        async move { output.write_with(ticket, &big).await },
        move || ready,
    )
    .unwrap();
    let (tx, write_rx) = mpsc::channel();
    write.set_completed(Box::new(move |status, delivery| tx.send((status, delivery)).unwrap())).unwrap();
    assert_eq!(write.status(), AsyncStatus::Started);
    let drain = std::thread::spawn(move || {
        let mut got = 0usize;
        let mut buf = vec![0u8; 1 << 16];
        while got < 8 << 20 {
            got += std::io::Read::read(&mut peer, &mut buf).unwrap();
        }
        peer.write_all(b"done").unwrap();
        peer
    });
    assert_eq!(dispatch_until(&q, &write_rx), AsyncStatus::Completed);
    assert_eq!(write.results().unwrap(), 8 << 20);
    assert_eq!(dispatch_until(&q, &read_rx), AsyncStatus::Completed);
    assert_eq!(read.results().unwrap(), b"done");
    drop(drain.join().unwrap());
    CompletionQueue::make_current(previous.as_ref());
    q.close();
}

/// A read as the C projection's ReadAsync makes it: a direct read of the socket (woken by
/// CancelIOAsync through the waker of its last poll), its readiness known before its first
/// poll — so a queue that drives the socket already lends it the socket's own waker.
fn start_direct_read(
    sock: &StreamSocket,
) -> (AsyncOperation<Vec<u8>>, mpsc::Receiver<(AsyncStatus, CompletedDelivery)>) {
    let input = sock.input_stream();
    let ready = input.readiness_fd().map(Readiness::readable);
    let reader = input.direct_read(input.ticket()).unwrap().expect("plain TCP reads directly");
    let op = AsyncOperation::start_caller_driven_cancellable_on(
        move |_cancel| {
            // Unpin, as the C projection's read is.
            Box::pin(async move {
                let mut buf = vec![0u8; 16];
                let n = std::future::poll_fn(|cx| reader.poll_read(cx, &mut buf, false)).await?;
                buf.truncate(n);
                Ok(buf)
            })
        },
        ready,
    )
    .unwrap();
    let (tx, rx) = mpsc::channel();
    op.set_completed(Box::new(move |status, delivery| tx.send((status, delivery)).unwrap())).unwrap();
    (op, rx)
}

#[test]
fn reads_lent_the_socket_waker_see_their_data_and_cancel_io() {
    let _serial = one_at_a_time();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let q = CompletionQueue::new().unwrap();
    let previous = CompletionQueue::make_current(Some(&q));
    let (sock, mut peer) = connect(&listener);
    // The first read registers the socket; the ones after it are lent the socket's waker.
    for round in 0..3u8 {
        let (op, rx) = start_direct_read(&sock);
        assert_eq!(op.status(), AsyncStatus::Started, "nothing to read yet");
        peer.write_all(&[b'a' + round; 4]).unwrap();
        assert_eq!(dispatch_until(&q, &rx), AsyncStatus::Completed);
        assert_eq!(op.results().unwrap(), [b'a' + round; 4]);
    }
    // CancelIOAsync reaches a waiting read through its waker alone (no data, no socket edge):
    // the lent waker must wake the read the queue drives now.
    let (op, rx) = start_direct_read(&sock);
    let cancelling = sock.clone();
    let cancel_io = AsyncOperation::start(async move { cancelling.cancel_io().await }).unwrap();
    assert_eq!(dispatch_until(&q, &rx), AsyncStatus::Error);
    assert!(cancel_io.wait(Some(Instant::now() + LIMIT)));
    cancel_io.results().unwrap();
    drop(op);
    // The socket reads on: the next read gets the next bytes.
    let (op, rx) = start_direct_read(&sock);
    peer.write_all(b"after").unwrap();
    assert_eq!(dispatch_until(&q, &rx), AsyncStatus::Completed);
    assert_eq!(op.results().unwrap(), b"after");
    CompletionQueue::make_current(previous.as_ref());
    q.close();
}

/// A socket's first read is driven with a waker made before the queue knew the operation (the
/// socket was not watched yet, so no socket waker could be lent): CancelIOAsync, from the
/// runtime, reaches the read through that waker alone, and the queue must still find the read
/// it drives — it ends inside dispatch. Then a close does the same for the next first read.
#[test]
fn the_first_driven_read_of_a_socket_is_reached_by_cancel_io_and_close() {
    let _serial = one_at_a_time();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let q = CompletionQueue::new().unwrap();
    let previous = CompletionQueue::make_current(Some(&q));

    let (sock, _peer) = connect(&listener);
    let (op, rx) = start_direct_read(&sock);
    assert_eq!(op.status(), AsyncStatus::Started, "nothing to read yet");
    let cancelling = sock.clone();
    let cancel_io = AsyncOperation::start(async move { cancelling.cancel_io().await }).unwrap();
    assert_eq!(dispatch_until(&q, &rx), AsyncStatus::Error);
    assert!(cancel_io.wait(Some(Instant::now() + LIMIT)));
    cancel_io.results().unwrap();

    let (other, _other_peer) = connect(&listener);
    let (op, rx) = start_direct_read(&other);
    assert_eq!(op.status(), AsyncStatus::Started, "nothing to read yet");
    std::thread::scope(|s| {
        s.spawn(|| other.close());
    });
    assert_eq!(dispatch_until(&q, &rx), AsyncStatus::Error);

    CompletionQueue::make_current(previous.as_ref());
    q.close();
}
