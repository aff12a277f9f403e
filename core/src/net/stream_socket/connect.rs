//! Establishing the TCP connection: every resolved address, raced Happy-Eyeballs style
//! (RFC 8305: families interleaved, a new attempt every 250 ms or as soon as one fails) or
//! one at a time when `SerializeConnectionAttempts` is set.

use std::net::SocketAddr;
use std::time::Duration;

use socket2::{Domain, Protocol, SockRef, Socket, Type};
use tokio::net::{TcpSocket, TcpStream};
use tokio::task::JoinSet;

use crate::error::{Error, Result, hresult};
use crate::net::control::StreamSettings;

/// RFC 8305's recommended "Connection Attempt Delay".
const ATTEMPT_DELAY: Duration = Duration::from_millis(250);

/// Orders addresses RFC 8305 style: keep the resolver's first choice, then alternate families.
pub(crate) fn interleave_families(addrs: Vec<SocketAddr>) -> Vec<SocketAddr> {
    let Some(first) = addrs.first().copied() else { return addrs };
    let (mut same, mut other): (Vec<_>, Vec<_>) =
        addrs.into_iter().partition(|a| a.is_ipv6() == first.is_ipv6());
    same.reverse();
    other.reverse();
    let mut out = Vec::with_capacity(same.len() + other.len());
    while !same.is_empty() || !other.is_empty() {
        out.extend(same.pop());
        out.extend(other.pop());
    }
    out
}

/// A connected stream and the address it connected to (what `getpeername` would say, known
/// without asking).
pub(crate) type Connected = (TcpStream, SocketAddr);

/// Connects to one of `addrs`, returning the first stream that connects.
pub(crate) async fn connect_any(
    addrs: Vec<SocketAddr>,
    local: Option<SocketAddr>,
    settings: StreamSettings,
) -> Result<Connected> {
    let addrs = interleave_families(addrs);
    if settings.serialize_connection_attempts || addrs.len() == 1 {
        connect_serially(&addrs, local, &settings).await
    } else {
        connect_racing(addrs, local, settings).await
    }
}

/// [`connect_any`] bounded by `ConnectTimeout` (0 = the kernel's own limit).
pub(crate) async fn connect_with_timeout(
    addrs: Vec<SocketAddr>,
    local: Option<SocketAddr>,
    settings: StreamSettings,
) -> Result<Connected> {
    let limit = settings.connect_timeout.to_duration().filter(|d| !d.is_zero());
    let what = describe(&addrs);
    match limit {
        None => connect_any(addrs, local, settings).await,
        Some(limit) => match tokio::time::timeout(limit, connect_any(addrs, local, settings)).await {
            Ok(r) => r,
            Err(_) => Err(Error::new(
                hresult::WSAETIMEDOUT_HR,
                format!("connect to {what} timed out after {} ms (ConnectTimeout)", limit.as_millis()),
            )),
        },
    }
}

fn describe(addrs: &[SocketAddr]) -> String {
    match addrs {
        [one] => one.to_string(),
        many => format!(
            "{} addresses ({})",
            many.len(),
            many.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ")
        ),
    }
}

async fn connect_serially(
    addrs: &[SocketAddr],
    local: Option<SocketAddr>,
    settings: &StreamSettings,
) -> Result<Connected> {
    let mut first_err = None;
    for addr in addrs {
        match connect_one(*addr, local, settings).await {
            Ok(s) => return Ok(s),
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    Err(first_err.unwrap_or_else(|| Error::invalid_arg("no address to connect to")))
}

async fn connect_racing(
    addrs: Vec<SocketAddr>,
    local: Option<SocketAddr>,
    settings: StreamSettings,
) -> Result<Connected> {
    let mut pending = addrs.into_iter();
    let mut running = JoinSet::new();
    let mut first_err: Option<Error> = None;
    let spawn_next = |running: &mut JoinSet<Result<Connected>>,
                      pending: &mut std::vec::IntoIter<SocketAddr>| {
        if let Some(addr) = pending.next() {
            let settings = settings.clone();
            running.spawn(async move { connect_one(addr, local, &settings).await });
            true
        } else {
            false
        }
    };
    spawn_next(&mut running, &mut pending);
    loop {
        let delay = tokio::time::sleep(ATTEMPT_DELAY);
        tokio::select! {
            joined = running.join_next() => match joined {
                Some(Ok(Ok(stream))) => return Ok(stream),
                Some(Ok(Err(e))) => {
                    first_err.get_or_insert(e);
                    if !spawn_next(&mut running, &mut pending) && running.is_empty() {
                        break;
                    }
                }
                Some(Err(join_err)) => {
                    first_err.get_or_insert(Error::new(hresult::E_UNEXPECTED, format!("connect attempt failed: {join_err}")));
                    if !spawn_next(&mut running, &mut pending) && running.is_empty() {
                        break;
                    }
                }
                None => break,
            },
            _ = delay => {
                spawn_next(&mut running, &mut pending);
            }
        }
    }
    Err(first_err.unwrap_or_else(|| Error::invalid_arg("no address to connect to")))
}

/// One connection attempt with the control's options applied before the SYN.
pub(crate) async fn connect_one(
    addr: SocketAddr,
    local: Option<SocketAddr>,
    settings: &StreamSettings,
) -> Result<Connected> {
    let sock = new_tcp_socket(addr).map_err(|e| Error::from_io(&e, format!("create a socket for {addr}")))?;
    settings
        .tcp
        .apply_to_new(SockRef::from(&sock), addr.is_ipv6())
        .map_err(|e| Error::from_io(&e, "apply StreamSocketControl options"))?;
    if let Some(local) = local {
        sock.set_reuse_address(true).map_err(|e| Error::from_io(&e, "set SO_REUSEADDR"))?;
        sock.bind(&local.into()).map_err(|e| Error::from_io(&e, format!("bind to {local}")))?;
    }
    let std_stream: std::net::TcpStream = sock.into();
    let tcp = crate::runtime::within(|| TcpSocket::from_std_stream(std_stream));
    let stream = tcp.connect(addr).await.map_err(|e| Error::from_io(&e, format!("connect to {addr}")))?;
    Ok((stream, addr))
}

/// Non-blocking from the start (`SOCK_NONBLOCK`): no `fcntl` pair per connect.
fn new_tcp_socket(addr: SocketAddr) -> std::io::Result<Socket> {
    Socket::new(Domain::for_address(addr), Type::STREAM.cloexec().nonblocking(), Some(Protocol::TCP))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleaves_families_starting_with_the_first() {
        let a: Vec<SocketAddr> = ["[::1]:1", "[::2]:1", "1.1.1.1:1", "[::3]:1", "2.2.2.2:1"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let got: Vec<String> = interleave_families(a).iter().map(|s| s.to_string()).collect();
        assert_eq!(got, ["[::1]:1", "1.1.1.1:1", "[::2]:1", "2.2.2.2:1", "[::3]:1"]);
    }
}
