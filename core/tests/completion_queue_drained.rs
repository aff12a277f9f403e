//! A read starting on a thread with a current completion queue skips its first `recv` while
//! its socket is known to have been empty since its last `recv` (the queue's edge-triggered
//! watch reports whatever comes after). Whatever the timing, nothing may be lost or left
//! unannounced: data there before the read starts, data between reads, data after it parks,
//! more data than a read takes, the end of the stream, and an edge a cancelled read consumed.
//! A wrong skip shows as a read whose handler never runs (10 s limit, then the test fails).

use std::future::Future;
use std::io::Write;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::fd::RawFd;
use std::pin::Pin;
use std::sync::mpsc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use netrt::foundation::async_op::{Armable, Readiness};
use netrt::foundation::{AsyncOperation, AsyncStatus, CompletionQueue};
use netrt::io::DirectRead;
use netrt::net::StreamSocket;

mod util;
use util::{connect_blocking as connect, dispatch_until};

const LIMIT: Duration = Duration::from_secs(10);

use util::Handled;

/// How a read started.
enum Started {
    /// Its first attempt found bytes (or the end of the stream).
    Done(Vec<u8>),
    /// Its first attempt found nothing (or was skipped): an operation the queue drives.
    Waiting(AsyncOperation<Vec<u8>>, Handled),
}

/// A read of up to `len` bytes started as the C projection's ReadAsync starts one: a direct
/// read, one attempt on this thread first, then an operation that parks armed, without a
/// first poll (the attempt just found nothing), bound to this thread's current queue.
fn start_read(sock: &StreamSocket, len: usize) -> Started {
    let input = sock.input_stream();
    let ready = input.readiness_fd().map(Readiness::readable);
    let reader = input.direct_read(input.ticket()).unwrap().expect("plain TCP reads directly");
    let mut buf = vec![0u8; len];
    if let Poll::Ready(got) = reader.try_read(&mut buf) {
        buf.truncate(got.unwrap());
        return Started::Done(buf);
    }
    let read = ArmedRead { reader: Some(reader), buf, after_attempt: true };
    let op = AsyncOperation::start_caller_driven_cancellable_on(move |_cancel| read, ready).unwrap();
    let (tx, rx) = mpsc::channel();
    op.set_completed(Box::new(move |status, delivery| tx.send((status, delivery)).unwrap())).unwrap();
    Started::Waiting(op, rx)
}

/// The C projection's read in small: a direct read whose operation parks armed, without a
/// first poll, after the attempt that found nothing (as `ReadInto` does).
struct ArmedRead {
    reader: Option<DirectRead>,
    buf: Vec<u8>,
    after_attempt: bool,
}

impl Future for ArmedRead {
    type Output = netrt::Result<Vec<u8>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let reader = this.reader.as_ref().expect("polled after it ended");
        let n =
            std::task::ready!(reader.poll_read(cx, &mut this.buf, std::mem::take(&mut this.after_attempt)))?;
        this.reader = None;
        let mut buf = std::mem::take(&mut this.buf);
        buf.truncate(n);
        Poll::Ready(Ok(buf))
    }
}

impl Armable for ArmedRead {
    fn arm(&mut self, waker: &Waker) -> bool {
        let armed = self.after_attempt && self.reader.as_ref().is_some_and(|r| r.arm(waker));
        if armed {
            self.after_attempt = false;
        }
        armed
    }
}

/// What a read started now gets, however it gets it.
fn read(q: &CompletionQueue, sock: &StreamSocket, len: usize) -> Vec<u8> {
    match start_read(sock, len) {
        Started::Done(bytes) => bytes,
        Started::Waiting(op, rx) => {
            assert_eq!(dispatch_until(q, &rx), AsyncStatus::Completed);
            op.results().unwrap()
        }
    }
}

fn fd_of(sock: &StreamSocket) -> RawFd {
    sock.input_stream().readiness_fd().expect("a connected plain socket has an fd")
}

/// Waits until the kernel has bytes (or the end of the stream) for `sock`, without reading.
fn until_arrived(sock: &StreamSocket) {
    let mut pfd = libc::pollfd { fd: fd_of(sock), events: libc::POLLIN, revents: 0 };
    // SAFETY: one valid pollfd.
    assert_eq!(unsafe { libc::poll(&mut pfd, 1, LIMIT.as_millis() as i32) }, 1);
}

/// A read left waiting that its peer then answers, driven by the queue (which drains the
/// socket: the next read starts with its socket known empty).
fn answered_read(q: &CompletionQueue, sock: &StreamSocket, peer: &mut TcpStream, data: &[u8]) {
    let Started::Waiting(op, rx) = start_read(sock, 64) else { panic!("nothing was sent yet") };
    peer.write_all(data).unwrap();
    assert_eq!(dispatch_until(q, &rx), AsyncStatus::Completed);
    assert_eq!(op.results().unwrap(), data);
}

struct Current(Option<CompletionQueue>);

impl Current {
    fn set(q: &CompletionQueue) -> Self {
        Self(CompletionQueue::make_current(Some(q)))
    }
}

impl Drop for Current {
    fn drop(&mut self) {
        CompletionQueue::make_current(self.0.as_ref());
    }
}

#[test]
fn data_before_between_and_after_the_reads_is_all_delivered() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let q = CompletionQueue::new().unwrap();
    let _current = Current::set(&q);
    let (sock, mut peer) = connect(&listener);
    for round in 0..20u8 {
        // After the read parks.
        answered_read(&q, &sock, &mut peer, &[b'a' + round; 7]);
        // Between reads: there before the next read starts, its edge not yet taken by the
        // queue. The socket was drained by the last read, so this read skips its `recv` and
        // parks — the edge waiting in the queue's epoll brings the bytes.
        // (Without `TCP_INQ`, before Linux 4.18, a read that takes bytes cannot tell.)
        peer.write_all(&[b'A' + round; 5]).unwrap();
        until_arrived(&sock);
        match start_read(&sock, 64) {
            Started::Waiting(op, rx) => {
                assert_eq!(dispatch_until(&q, &rx), AsyncStatus::Completed);
                assert_eq!(op.results().unwrap(), [b'A' + round; 5]);
            }
            Started::Done(bytes) => {
                assert!(
                    !tcp_inq_available(&peer),
                    "round {round}: a read on a socket known empty made a recv"
                );
                assert_eq!(bytes, [b'A' + round; 5]);
            }
        }
    }
    // Bytes whose edge the queue took while no read waited: the next read polls once more.
    peer.write_all(b"idle edge").unwrap();
    until_arrived(&sock);
    let mut pfd = libc::pollfd { fd: q.fd(), events: libc::POLLIN, revents: 0 };
    // SAFETY: one valid pollfd.
    assert_eq!(unsafe { libc::poll(&mut pfd, 1, LIMIT.as_millis() as i32) }, 1);
    assert_eq!(q.dispatch(64).unwrap(), 0);
    assert_eq!(read(&q, &sock, 64), b"idle edge");
    q.close();
}

#[test]
fn a_read_that_leaves_bytes_behind_does_not_mark_the_socket_empty() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let q = CompletionQueue::new().unwrap();
    let _current = Current::set(&q);
    let (sock, mut peer) = connect(&listener);
    answered_read(&q, &sock, &mut peer, b"drained");
    // 48 bytes, read 16 at a time: no new edge comes for the two thirds left behind.
    let Started::Waiting(op, rx) = start_read(&sock, 16) else { panic!("nothing was sent yet") };
    peer.write_all(&[b'x'; 16]).unwrap();
    peer.write_all(&[b'y'; 16]).unwrap();
    peer.write_all(&[b'z'; 16]).unwrap();
    // All of it there before the queue drives the read.
    let deadline = Instant::now() + LIMIT;
    while unread(&sock) < 48 {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(dispatch_until(&q, &rx), AsyncStatus::Completed);
    assert_eq!(op.results().unwrap(), [b'x'; 16]);
    assert_eq!(read(&q, &sock, 16), [b'y'; 16]);
    assert_eq!(read(&q, &sock, 16), [b'z'; 16]);
    // The end of the stream arriving with the last bytes: the read that takes them leaves
    // the end behind, and the next read sees it.
    answered_read(&q, &sock, &mut peer, b"drained again");
    peer.write_all(b"last").unwrap();
    peer.shutdown(Shutdown::Write).unwrap();
    until_arrived(&sock);
    assert_eq!(read(&q, &sock, 64), b"last");
    assert_eq!(read(&q, &sock, 64), b"", "the end of the stream");
    q.close();
}

#[test]
fn an_edge_a_cancelled_read_took_does_not_leave_the_socket_marked_empty() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let q = CompletionQueue::new().unwrap();
    let _current = Current::set(&q);
    let (sock, mut peer) = connect(&listener);
    answered_read(&q, &sock, &mut peer, b"drained");
    // A read left waiting (the socket known empty), then cancelled; bytes arrive before the
    // queue sees either: the dispatch that ends the cancelled read takes their edge, and the
    // read ends without a recv. The socket is not empty any more, though no recv said so.
    let Started::Waiting(op, rx) = start_read(&sock, 64) else { panic!("nothing was sent yet") };
    let cancelling = sock.clone();
    let cancel_io = AsyncOperation::start(async move { cancelling.cancel_io().await }).unwrap();
    // The cancel wakes the read through the queue (nothing was sent yet).
    let mut pfd = libc::pollfd { fd: q.fd(), events: libc::POLLIN, revents: 0 };
    // SAFETY: one valid pollfd.
    assert_eq!(unsafe { libc::poll(&mut pfd, 1, LIMIT.as_millis() as i32) }, 1);
    peer.write_all(b"after the cancel").unwrap();
    until_arrived(&sock);
    assert_eq!(dispatch_until(&q, &rx), AsyncStatus::Error);
    assert!(cancel_io.wait(Some(Instant::now() + LIMIT)));
    cancel_io.results().unwrap();
    drop(op);
    assert_eq!(read(&q, &sock, 64), b"after the cancel");
    q.close();
}

/// Bytes the kernel holds for `sock`, not yet read.
fn unread(sock: &StreamSocket) -> usize {
    let mut n: libc::c_int = 0;
    // SAFETY: FIONREAD writes one c_int.
    unsafe { libc::ioctl(fd_of(sock), libc::FIONREAD, &mut n) };
    n as usize
}

/// Whether this kernel has `TCP_INQ` (setting it on `socket` changes nothing the test sees).
fn tcp_inq_available(socket: &TcpStream) -> bool {
    use std::os::fd::AsRawFd;
    let on: libc::c_int = 1;
    // SAFETY: a valid socket; `on` is an int of the size given.
    unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::SOL_TCP,
            libc::TCP_INQ,
            (&raw const on).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        ) == 0
    }
}
