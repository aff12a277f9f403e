//! Address classification: which network scope a resolved address belongs to.
//!
//! The scopes are the ones app capabilities are written for: loopback (this host), private
//! (the user's own networks) and internet (everything else). Classification is by address,
//! never by name, so `localhost` or a public name that resolves to a private address is judged
//! by where the traffic actually goes.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The network scope of an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressClass {
    /// This host: 127.0.0.0/8, ::1, and the unspecified addresses (a connect to 0.0.0.0 or
    /// :: reaches this host on Linux).
    Loopback,
    /// The user's own networks: RFC 1918 (10/8, 172.16/12, 192.168/16), RFC 4193 unique
    /// local (fc00::/7), link-local (169.254/16, fe80::/10), the limited broadcast address and
    /// link-local multicast (224.0.0.0/24, ff02::/16).
    Private,
    /// Everything else, including carrier-grade NAT space (100.64/10: the ISP's network, not
    /// the user's), documentation ranges and global multicast.
    Internet,
}

impl AddressClass {
    /// A short name for messages: "loopback", "private network", "internet".
    pub fn describe(self) -> &'static str {
        match self {
            AddressClass::Loopback => "loopback",
            AddressClass::Private => "private network",
            AddressClass::Internet => "internet",
        }
    }
}

/// Classifies `ip` (IPv4-mapped IPv6 addresses are classified as their IPv4 address).
pub fn classify(ip: IpAddr) -> AddressClass {
    match unmap(ip) {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

/// An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, how a dual-stack socket reports IPv4 peers)
/// as the IPv4 address it is; any other address unchanged.
pub fn unmap(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    let [a, b, c, _] = ip.octets();
    if ip.is_loopback() || ip.is_unspecified() {
        AddressClass::Loopback
    } else if ip.is_private() || ip.is_link_local() || ip.is_broadcast() || (a == 224 && b == 0 && c == 0) {
        AddressClass::Private
    } else {
        AddressClass::Internet
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    let first = ip.segments()[0];
    if ip.is_loopback() || ip.is_unspecified() {
        AddressClass::Loopback
    } else if (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80 || (first & 0xff0f) == 0xff02 {
        AddressClass::Private
    } else {
        AddressClass::Internet
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(s: &str) -> AddressClass {
        classify(s.parse().unwrap())
    }

    #[test]
    fn loopback_addresses() {
        for a in ["127.0.0.1", "127.255.0.9", "::1", "0.0.0.0", "::", "::ffff:127.0.0.1"] {
            assert_eq!(class(a), AddressClass::Loopback, "{a}");
        }
    }

    #[test]
    fn private_addresses() {
        for a in [
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.254",
            "192.168.1.1",
            "169.254.3.4",
            "fd12:3456::1",
            "fc00::1",
            "fe80::1",
            "febf::1",
            "255.255.255.255",
            "224.0.0.251",
            "ff02::fb",
            "::ffff:192.168.0.1",
        ] {
            assert_eq!(class(a), AddressClass::Private, "{a}");
        }
    }

    #[test]
    fn internet_addresses() {
        for a in [
            "8.8.8.8",
            "172.15.255.255",
            "172.32.0.0",
            "100.64.0.1",
            "11.0.0.1",
            "192.169.0.1",
            "2001:db8::1",
            "2606:4700::1111",
            "fec0::1",
            "239.1.2.3",
            "ff0e::1",
            "::ffff:8.8.8.8",
        ] {
            assert_eq!(class(a), AddressClass::Internet, "{a}");
        }
    }
}
