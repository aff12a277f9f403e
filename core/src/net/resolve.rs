//! Name and service resolution with the system resolver (getaddrinfo: /etc/hosts, nsswitch,
//! /etc/services), keeping the `EAI_*` code so failures map to the right HRESULT.

use std::ffi::CString;
use std::net::{IpAddr, SocketAddr};

use crate::error::{Error, Result, hresult};
use crate::net::hostname::HostName;

/// glibc's `EAI_ADDRFAMILY` (a GNU extension the libc crate does not export).
const EAI_ADDRFAMILY: libc::c_int = -9;

/// Which transport a service name is looked up for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// TCP (`SOCK_STREAM`).
    Tcp,
    /// UDP (`SOCK_DGRAM`).
    Udp,
}

impl Transport {
    fn socktype(self) -> libc::c_int {
        match self {
            Transport::Tcp => libc::SOCK_STREAM,
            Transport::Udp => libc::SOCK_DGRAM,
        }
    }
}

/// Resolves a service name to a port: a decimal number, or a name from the services database
/// (`http`, `https`, `imap`, ...). `""` is port 0 (ephemeral) when `allow_empty`. An unknown
/// name fails with WSATYPE_NOT_FOUND.
pub fn resolve_service(service: &str, transport: Transport, allow_empty: bool) -> Result<u16> {
    let service = service.trim();
    if service.is_empty() {
        return if allow_empty {
            Ok(0)
        } else {
            Err(Error::invalid_arg("a remote service name (port or service) is required"))
        };
    }
    if service.bytes().all(|b| b.is_ascii_digit()) {
        return service
            .parse::<u16>()
            .map_err(|_| Error::invalid_arg(format!("port {service} is out of range (0-65535)")));
    }
    // getaddrinfo with a NULL node resolves only the service: thread-safe, unlike getservbyname.
    let addrs = getaddrinfo(None, Some(service), transport, libc::AI_PASSIVE)
        .map_err(|e| e.context(format!("resolve service '{service}'")))?;
    addrs.first().map(|a| a.port()).ok_or_else(|| {
        Error::new(
            hresult::WSATYPE_NOT_FOUND_HR,
            format!("service '{service}' is not in the services database"),
        )
    })
}

/// Resolves `host` to socket addresses with `port`, in the resolver's preference order
/// (RFC 6724 as sorted by the system). Literals skip the resolver. Blocking: call it from
/// `spawn_blocking` (see [`resolve_host_async`]).
pub fn resolve_host(host: &HostName, port: u16, transport: Transport) -> Result<Vec<SocketAddr>> {
    if let Some(ip) = host.ip_address() {
        return Ok(vec![with_scope(SocketAddr::new(ip, port), host.scope_id())]);
    }
    let name = host.canonical_name();
    let mut addrs = getaddrinfo(Some(name), None, transport, libc::AI_ADDRCONFIG)
        .or_else(|e| {
            // AI_ADDRCONFIG hides every address on a host whose only interface is loopback
            // (containers, network namespaces): retry without it before giving up.
            if e.cause() == Some(&crate::error::NativeCause::Eai(libc::EAI_NONAME))
                || e.cause() == Some(&crate::error::NativeCause::Eai(EAI_ADDRFAMILY))
            {
                getaddrinfo(Some(name), None, transport, 0)
            } else {
                Err(e)
            }
        })
        .map_err(|e| e.context(format!("resolve '{}'", host.display_name())))?;
    let mut seen = Vec::with_capacity(addrs.len());
    addrs.retain(|a| {
        let fresh = !seen.contains(a);
        seen.push(*a);
        fresh
    });
    for a in &mut addrs {
        a.set_port(port);
    }
    if addrs.is_empty() {
        return Err(Error::new(
            hresult::hresult_from_win32(hresult::wsa::WSANO_DATA),
            format!("'{}' has no address records", host.display_name()),
        ));
    }
    Ok(addrs)
}

/// [`resolve_host`] on the runtime's blocking pool.
pub async fn resolve_host_async(host: &HostName, port: u16, transport: Transport) -> Result<Vec<SocketAddr>> {
    if host.ip_address().is_some() {
        return resolve_host(host, port, transport);
    }
    let host = host.clone();
    match crate::runtime::handle().spawn_blocking(move || resolve_host(&host, port, transport)).await {
        Ok(r) => r,
        Err(e) => Err(Error::new(hresult::E_UNEXPECTED, format!("name resolution task failed: {e}"))),
    }
}

fn with_scope(mut addr: SocketAddr, scope: Option<&str>) -> SocketAddr {
    if let (SocketAddr::V6(v6), Some(zone)) = (&mut addr, scope) {
        let id = zone.parse::<u32>().ok().or_else(|| {
            let c = CString::new(zone).ok()?;
            // SAFETY: c is a valid NUL-terminated string.
            let idx = unsafe { libc::if_nametoindex(c.as_ptr()) };
            (idx != 0).then_some(idx)
        });
        if let Some(id) = id {
            v6.set_scope_id(id);
        }
    }
    addr
}

fn getaddrinfo(
    node: Option<&str>,
    service: Option<&str>,
    transport: Transport,
    flags: libc::c_int,
) -> Result<Vec<SocketAddr>> {
    let node_c = node.map(CString::new).transpose().map_err(|_| Error::invalid_arg("name contains NUL"))?;
    let service_c =
        service.map(CString::new).transpose().map_err(|_| Error::invalid_arg("service contains NUL"))?;
    // SAFETY: addrinfo is plain old data; all-zero is the documented "no hints" value.
    let mut hints: libc::addrinfo = unsafe { std::mem::zeroed() };
    hints.ai_family = libc::AF_UNSPEC;
    hints.ai_socktype = transport.socktype();
    hints.ai_flags = flags;
    let mut res: *mut libc::addrinfo = std::ptr::null_mut();
    // Clear errno so an EAI_SYSTEM failure reports the errno of this call.
    // SAFETY: __errno_location returns this thread's errno slot.
    unsafe { *libc::__errno_location() = 0 };
    // SAFETY: pointers are valid NUL-terminated strings or null; res receives an owned list.
    let rc = unsafe {
        libc::getaddrinfo(
            node_c.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()),
            service_c.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()),
            &hints,
            &mut res,
        )
    };
    if rc != 0 {
        let sys = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
        return Err(Error::from_eai(rc, sys, "getaddrinfo"));
    }
    let mut out = Vec::new();
    let mut cur = res;
    while !cur.is_null() {
        // SAFETY: cur walks the list getaddrinfo returned, freed below.
        let ai = unsafe { &*cur };
        if let Some(addr) = sockaddr_to_std(ai.ai_addr, ai.ai_addrlen) {
            out.push(addr);
        }
        cur = ai.ai_next;
    }
    // SAFETY: res came from a successful getaddrinfo.
    unsafe { libc::freeaddrinfo(res) };
    Ok(out)
}

fn sockaddr_to_std(sa: *const libc::sockaddr, len: libc::socklen_t) -> Option<SocketAddr> {
    if sa.is_null() {
        return None;
    }
    // SAFETY: sa points to len bytes of a sockaddr from getaddrinfo.
    unsafe {
        match (*sa).sa_family as libc::c_int {
            libc::AF_INET if len as usize >= std::mem::size_of::<libc::sockaddr_in>() => {
                let sin = &*(sa as *const libc::sockaddr_in);
                let ip = std::net::Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr));
                Some(SocketAddr::new(IpAddr::V4(ip), u16::from_be(sin.sin_port)))
            }
            libc::AF_INET6 if len as usize >= std::mem::size_of::<libc::sockaddr_in6>() => {
                let sin6 = &*(sa as *const libc::sockaddr_in6);
                let ip = std::net::Ipv6Addr::from(sin6.sin6_addr.s6_addr);
                Some(SocketAddr::V6(std::net::SocketAddrV6::new(
                    ip,
                    u16::from_be(sin6.sin6_port),
                    sin6.sin6_flowinfo,
                    sin6.sin6_scope_id,
                )))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_and_named_services() {
        assert_eq!(resolve_service("8080", Transport::Tcp, false).unwrap(), 8080);
        assert_eq!(resolve_service("http", Transport::Tcp, false).unwrap(), 80);
        assert_eq!(resolve_service("https", Transport::Tcp, false).unwrap(), 443);
        assert_eq!(resolve_service("", Transport::Tcp, true).unwrap(), 0);
        assert_eq!(resolve_service("", Transport::Tcp, false).unwrap_err().hresult(), hresult::E_INVALIDARG);
        assert_eq!(
            resolve_service("70000", Transport::Tcp, false).unwrap_err().hresult(),
            hresult::E_INVALIDARG
        );
    }

    #[test]
    fn unknown_service_is_wsatype_not_found() {
        let err = resolve_service("no-such-service-netrt", Transport::Tcp, false).unwrap_err();
        assert_eq!(err.hresult(), hresult::WSATYPE_NOT_FOUND_HR, "{err}");
    }

    #[test]
    fn invalid_tld_is_host_not_found() {
        let err = resolve_host(&HostName::new("nothing.invalid").unwrap(), 80, Transport::Tcp).unwrap_err();
        assert_eq!(err.hresult(), hresult::WSAHOST_NOT_FOUND_HR, "{err}");
        assert!(matches!(err.cause(), Some(crate::error::NativeCause::Eai(_))));
    }

    #[test]
    fn localhost_resolves_to_loopback() {
        let addrs = resolve_host(&HostName::new("localhost").unwrap(), 7, Transport::Tcp).unwrap();
        assert!(!addrs.is_empty());
        assert!(addrs.iter().all(|a| a.ip().is_loopback() && a.port() == 7));
    }
}
