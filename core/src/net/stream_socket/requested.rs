//! What `Information` reports about the connect request, kept compactly: the common cases —
//! an address literal and a port number — cost no allocation on an idle connection (a
//! `HostName` is ~110 bytes and a `String` a heap block of its own).

use std::net::IpAddr;

use crate::net::enums::SocketProtectionLevel;
use crate::net::hostname::HostName;

/// The remote host, service and level a connect (or an accept) was made with.
#[derive(Default)]
pub(super) struct Requested {
    host: Option<Host>,
    service: Service,
    pub(super) protection_level: SocketProtectionLevel,
}

/// A host name as given: an address literal that `HostName::from_ip` rebuilds exactly is kept
/// as the address.
enum Host {
    Address(IpAddr),
    Name(HostName),
}

/// A service name as given: the decimal form of a port is kept as the number.
enum Service {
    Port(u16),
    Text(Box<str>),
}

impl Default for Service {
    fn default() -> Self {
        Self::Text(Box::default())
    }
}

impl Requested {
    pub(super) fn new(host: HostName, service: &str, protection_level: SocketProtectionLevel) -> Self {
        let host = match host.ip_address() {
            // Only when every property (raw name, zone, ...) survives the round trip.
            Some(ip) if HostName::from_ip(ip) == host => Host::Address(ip),
            _ => Host::Name(host),
        };
        let service = match service.parse::<u16>() {
            Ok(port) if port.to_string() == service => Service::Port(port),
            _ => Service::Text(service.into()),
        };
        Self { host: Some(host), service, protection_level }
    }

    /// `RemoteHostName` (a value equal to the one given).
    pub(super) fn remote_host_name(&self) -> Option<HostName> {
        self.host.as_ref().map(|host| match host {
            Host::Address(ip) => HostName::from_ip(*ip),
            Host::Name(name) => name.clone(),
        })
    }

    /// `RemoteServiceName`, as given.
    pub(super) fn remote_service_name(&self) -> String {
        match &self.service {
            Service::Port(port) => port.to_string(),
            Service::Text(text) => text.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(host: &str, service: &str) {
        let given = HostName::new(host).unwrap();
        let kept = Requested::new(given.clone(), service, SocketProtectionLevel::Tls13);
        let back = kept.remote_host_name().unwrap();
        assert_eq!(back, given, "{host}");
        assert_eq!(back.raw_name(), given.raw_name(), "{host}");
        assert_eq!(kept.remote_service_name(), service);
        assert_eq!(kept.protection_level, SocketProtectionLevel::Tls13);
    }

    #[test]
    fn gives_back_what_it_was_given() {
        for host in ["127.0.0.1", "::1", "[::1]", "::ffff:1.2.3.4", "fe80::1%lo", " 10.0.0.1", "example.com"]
        {
            for service in ["443", "0443", "http", "", "65535", "65536"] {
                round_trip(host, service);
            }
        }
    }

    #[test]
    fn keeps_address_literals_and_ports_without_allocating() {
        let kept = Requested::new(HostName::new("127.0.0.1").unwrap(), "443", SocketProtectionLevel::Tls13);
        assert!(matches!(kept.host, Some(Host::Address(_))));
        assert!(matches!(kept.service, Service::Port(443)));
        let named = Requested::new(HostName::new("[::1]").unwrap(), "0443", SocketProtectionLevel::Tls13);
        assert!(matches!(named.host, Some(Host::Name(_))));
        assert!(matches!(named.service, Service::Text(_)));
    }
}
