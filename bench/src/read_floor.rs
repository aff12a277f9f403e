//! `make bench-read-floor`: how fast can a read be that another thread can still cancel?
//! 64-byte ping-pong over loopback TCP with the two ends on two CPUs (the "split" topology of
//! `make bench-c`), no netrt involved. Each connection's reads are made one of four ways:
//!
//! - **blocking**: `recv(2)` that sleeps in the kernel (the C bench's baseline); another thread
//!   can end it only by a signal or by shutting the socket down;
//! - **poll-first**: `recv(MSG_DONTWAIT)`, then `poll(2)` on the socket and an eventfd another
//!   thread can write to cancel, then `recv` again (what netrt's one-call forms do);
//! - **io_uring**: a `Recv` submitted to a per-thread ring (`SINGLE_ISSUER | DEFER_TASKRUN`)
//!   and waited for with `io_uring_enter`, with a multishot poll on the cancel eventfd armed
//!   once beside it: one syscall per read, cancellable;
//! - **blocking again**: blocking `recv` once more, at the other end of the order: the baseline
//!   against itself, i.e. what a ratio of one run shows when nothing differs.
//!
//! Pairs are interleaved (the order reversed every other pair); each run's figure is the p50
//! round trip. Prints each pair and the median (min–max) of the per-pair ratios to blocking.
//!
//!   read-floor [pairs]   (default 7)

// Shared with the main bench, which uses all of it.
#[allow(dead_code)]
mod stats;

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::Instant;

use io_uring::{IoUring, opcode, types};

const MSG: usize = 64;
const ROUNDS: usize = 20_000;
const WARM_UP: usize = 1_000;
const RECV: u64 = 1;
const CANCEL_POLL: u64 = 2;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Way {
    Blocking,
    PollFirst,
    Uring,
    BlockingAgain,
}

const WAYS: [Way; 4] = [Way::Blocking, Way::PollFirst, Way::Uring, Way::BlockingAgain];

fn pin_to_cpu(cpu: usize) {
    // SAFETY: a zeroed cpu_set_t is a valid empty set; the call reads `set` only.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of_val(&set), &set);
    }
}

/// One end's reads, made one way. The eventfd is what a canceller would write to.
struct Reader {
    way: Way,
    cancel: OwnedFd,
    ring: Option<IoUring>,
}

impl Reader {
    fn new(way: Way) -> Reader {
        // SAFETY: eventfd returns a new descriptor we own, or -1 (checked).
        let cancel = unsafe {
            let fd = libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC);
            assert!(fd >= 0, "eventfd: {}", std::io::Error::last_os_error());
            OwnedFd::from_raw_fd(fd)
        };
        let ring = (way == Way::Uring).then(|| {
            let mut ring = IoUring::builder()
                .setup_single_issuer()
                .setup_defer_taskrun()
                .build(8)
                .expect("io_uring_setup (io_uring disabled on this machine?)");
            let poll = opcode::PollAdd::new(types::Fd(cancel.as_raw_fd()), libc::POLLIN as u32)
                .multi(true)
                .build()
                .user_data(CANCEL_POLL);
            // SAFETY: the poll refers only to the eventfd, which outlives the ring (field order).
            unsafe { ring.submission().push(&poll).expect("submission queue full") };
            ring.submit().expect("io_uring_enter");
            ring
        });
        Reader { way, cancel, ring }
    }

    fn read(&mut self, fd: RawFd, buf: &mut [u8]) -> usize {
        let n = match self.way {
            Way::Blocking | Way::BlockingAgain => {
                // SAFETY: `buf` is valid for writes of its length.
                unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), 0) }
            }
            Way::PollFirst => self.read_poll_first(fd, buf),
            Way::Uring => self.read_uring(fd, buf),
        };
        assert!(n > 0, "read: {} ({})", n, std::io::Error::last_os_error());
        n as usize
    }

    fn read_poll_first(&self, fd: RawFd, buf: &mut [u8]) -> isize {
        // SAFETY: `buf` is valid for writes of its length; `fds` lives across the poll.
        unsafe {
            let n = libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), libc::MSG_DONTWAIT);
            if n > 0 {
                return n;
            }
            let mut fds = [
                libc::pollfd { fd, events: libc::POLLIN, revents: 0 },
                libc::pollfd { fd: self.cancel.as_raw_fd(), events: libc::POLLIN, revents: 0 },
            ];
            libc::poll(fds.as_mut_ptr(), 2, -1);
            libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), libc::MSG_DONTWAIT)
        }
    }

    fn read_uring(&mut self, fd: RawFd, buf: &mut [u8]) -> isize {
        let ring = self.ring.as_mut().expect("ring made for Way::Uring");
        let recv =
            opcode::Recv::new(types::Fd(fd), buf.as_mut_ptr(), buf.len() as u32).build().user_data(RECV);
        // SAFETY: `buf` stays borrowed until the Recv's completion is reaped below.
        unsafe { ring.submission().push(&recv).expect("submission queue full") };
        loop {
            ring.submit_and_wait(1).expect("io_uring_enter");
            if let Some(done) = ring.completion().find(|c| c.user_data() == RECV) {
                return done.result() as isize;
            }
        }
    }
}

fn read_message(reader: &mut Reader, socket: &TcpStream, buf: &mut [u8; MSG]) {
    let mut got = 0;
    while got < MSG {
        got += reader.read(socket.as_raw_fd(), &mut buf[got..]);
    }
}

/// One run: a fresh connection, the echo end on CPU 1 and the timing end on CPU 0. p50 in µs.
fn run(way: Way) -> f64 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("local_addr");
    let echo = std::thread::spawn(move || {
        pin_to_cpu(1);
        let (socket, _) = listener.accept().expect("accept");
        socket.set_nodelay(true).expect("TCP_NODELAY");
        let mut reader = Reader::new(way);
        let mut buf = [0u8; MSG];
        for _ in 0..WARM_UP + ROUNDS {
            read_message(&mut reader, &socket, &mut buf);
            (&socket).write_all(&buf).expect("echo write");
        }
    });
    pin_to_cpu(0);
    let socket = TcpStream::connect(addr).expect("connect");
    socket.set_nodelay(true).expect("TCP_NODELAY");
    let mut reader = Reader::new(way);
    let mut buf = [7u8; MSG];
    let mut rtt_ns = Vec::with_capacity(ROUNDS);
    for round in 0..WARM_UP + ROUNDS {
        let start = Instant::now();
        (&socket).write_all(&buf).expect("write");
        read_message(&mut reader, &socket, &mut buf);
        if round >= WARM_UP {
            rtt_ns.push(start.elapsed().as_nanos() as u64);
        }
    }
    echo.join().expect("echo thread");
    stats::quantile(&mut rtt_ns, 0.5) as f64 / 1000.0
}

fn main() {
    let pairs: usize = std::env::args().nth(1).map(|a| a.parse().expect("pairs: a number")).unwrap_or(7);
    let mut ratios: [Vec<f64>; 3] = Default::default();
    for pair in 0..pairs {
        let mut order = WAYS;
        if pair % 2 == 1 {
            order.reverse();
        }
        let mut p50 = [0.0; 4];
        for way in order {
            p50[way as usize] = run(way);
        }
        println!(
            "pair {}: blocking {:.2} µs, poll-first {:.2}, io_uring {:.2}, blocking again {:.2}",
            pair + 1,
            p50[0],
            p50[1],
            p50[2],
            p50[3]
        );
        for (i, ratio) in ratios.iter_mut().enumerate() {
            ratio.push(p50[i + 1] / p50[0]);
        }
    }
    println!(
        "\n| reads, split, 64 B RTT p50 vs blocking recv | median (min–max) of {pairs} pairs |\n|---|---|"
    );
    for (name, ratio) in ["poll-first", "io_uring", "blocking again (A/A)"].iter().zip(&ratios) {
        let s = stats::summarize(ratio);
        println!("| {name} | {:.3} ({:.3}–{:.3}) |", s.median, s.min, s.max);
    }
}
