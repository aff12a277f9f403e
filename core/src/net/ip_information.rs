//! `Windows.Networking.Connectivity.IPInformation`, as `HostName.IPInformation` returns it.
//!
//! Decisions (Windows-only parts):
//! - On Windows only host names that describe the machine's own addresses (those from
//!   `NetworkInformation.GetHostNames`) carry an `IPInformation`. netrt gives one to every
//!   `HostName` whose address is assigned to a local interface right now (looked up with
//!   `getifaddrs` when the property is read), and none (null) to every other host name.
//! - `NetworkAdapter` is null: netrt has no `NetworkAdapter` (Windows-only; docs/projections.md).
//! - `PrefixLength` is the interface address's prefix (from its netmask).

use std::net::IpAddr;

/// `IPInformation`: what netrt knows about a local address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IpInformation {
    prefix_length: Option<u8>,
}

impl IpInformation {
    /// `PrefixLength` (`IReference<UInt8>`): the prefix length of the interface address, or
    /// `None` when the interface reports no netmask.
    pub fn prefix_length(&self) -> Option<u8> {
        self.prefix_length
    }

    /// The local interface address equal to `ip`, if any.
    pub(crate) fn for_local_address(ip: IpAddr) -> Option<Self> {
        local_addresses().into_iter().find(|(a, _)| *a == ip).map(|(_, prefix_length)| Self { prefix_length })
    }
}

/// Every address of every local interface, with its prefix length.
fn local_addresses() -> Vec<(IpAddr, Option<u8>)> {
    let mut out = Vec::new();
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs writes a list head we free with freeifaddrs below.
    if unsafe { libc::getifaddrs(&mut head) } != 0 {
        return out;
    }
    let mut cur = head;
    while !cur.is_null() {
        // SAFETY: `cur` is a node of the list getifaddrs returned, alive until freeifaddrs.
        let ifa = unsafe { &*cur };
        // SAFETY: the address pointers are null or point to sockaddrs of their family.
        if let Some(addr) = unsafe { sockaddr_ip(ifa.ifa_addr) } {
            // SAFETY: as above.
            let prefix = unsafe { sockaddr_ip(ifa.ifa_netmask) }.map(|mask| match mask {
                IpAddr::V4(m) => u32::from(m).count_ones() as u8,
                IpAddr::V6(m) => u128::from(m).count_ones() as u8,
            });
            out.push((addr, prefix));
        }
        cur = ifa.ifa_next;
    }
    // SAFETY: `head` came from a successful getifaddrs and is freed once.
    unsafe { libc::freeifaddrs(head) };
    out
}

/// The IP address of an AF_INET/AF_INET6 sockaddr; `None` for null or other families.
///
/// # Safety
/// `sa` must be null or point to a valid sockaddr of the family it names.
unsafe fn sockaddr_ip(sa: *const libc::sockaddr) -> Option<IpAddr> {
    if sa.is_null() {
        return None;
    }
    // SAFETY: non-null and valid per the contract; the family selects the concrete type.
    unsafe {
        match i32::from((*sa).sa_family) {
            libc::AF_INET => {
                let sin = &*(sa as *const libc::sockaddr_in);
                Some(IpAddr::from(u32::from_be(sin.sin_addr.s_addr).to_be_bytes()))
            }
            libc::AF_INET6 => {
                let sin6 = &*(sa as *const libc::sockaddr_in6);
                Some(IpAddr::from(sin6.sin6_addr.s6_addr))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_local_with_its_prefix() {
        let info = IpInformation::for_local_address("127.0.0.1".parse().unwrap()).expect("lo has 127.0.0.1");
        assert_eq!(info.prefix_length(), Some(8));
        assert_eq!(IpInformation::for_local_address("192.0.2.77".parse().unwrap()), None);
    }
}
