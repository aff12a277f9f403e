//! `Windows.Networking.HostName` and `EndpointPair`.

use std::cmp::Ordering;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};

winrt_enum! {
    /// `Windows.Networking.HostNameType`: what kind of name a `HostName` holds.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum HostNameType {
        /// A DNS name.
        DomainName = 0,
        /// An IPv4 address.
        Ipv4 = 1,
        /// An IPv6 address.
        Ipv6 = 2,
        /// A Bluetooth MAC address (Windows-only; netrt never produces it).
        Bluetooth = 3,
    }
}

winrt_enum! {
    /// `Windows.Networking.HostNameSortOptions` (flags): how endpoint pairs are sorted.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum HostNameSortOptions: u32 {
        /// Default sort.
        #[default]
        None = 0,
        /// Prefer addresses suited to long-lived connections.
        OptimizeForLongConnections = 2,
    }
}

/// `HostName`: a DNS name or an IP address literal. Immutable; clones share one allocation
/// (every socket's Information and requested endpoints hold one).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HostName {
    name: Arc<Name>,
}

/// The raw and display forms are kept only when they differ from the canonical one (for an
/// address, all three are usually the same string).
#[derive(Debug, PartialEq, Eq, Hash)]
struct Name {
    canonical: Box<str>,
    raw: Option<Box<str>>,
    display: Option<Box<str>>,
    kind: HostNameType,
    ip: Option<IpAddr>,
    scope: Option<Box<str>>,
}

impl Name {
    fn new(raw: &str, kind: HostNameType, canonical: String, display: String) -> Self {
        let unless_canonical = |s: &str| (s != canonical).then(|| Box::from(s));
        Self {
            raw: unless_canonical(raw),
            display: unless_canonical(&display),
            canonical: canonical.into_boxed_str(),
            kind,
            ip: None,
            scope: None,
        }
    }
}

impl HostName {
    /// `HostName(String)`: accepts a host name or an IPv4/IPv6 literal (IPv6 may carry
    /// brackets and a `%zone`). A name whose IDNA form is an IPv4 literal (`1.0.0.0.` with its
    /// root dot, full-width digits) is that address. An empty or malformed name fails with
    /// `E_INVALIDARG`.
    pub fn new(name: &str) -> Result<Self> {
        let trimmed = name.trim();
        if trimmed.is_empty() {
            return Err(Error::invalid_arg("a HostName cannot be empty"));
        }
        if trimmed.contains('\0') {
            return Err(Error::invalid_arg("a HostName cannot contain NUL characters"));
        }
        if let Ok(v4) = trimmed.parse::<Ipv4Addr>() {
            let text = v4.to_string();
            return Ok(Self::ip_name(name, IpAddr::V4(v4), None, text));
        }
        let unbracketed = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')).unwrap_or(trimmed);
        let (addr_part, scope) = match unbracketed.split_once('%') {
            Some((a, z)) if !z.is_empty() => (a, Some(z.to_string())),
            _ => (unbracketed, None),
        };
        if let Ok(v6) = addr_part.parse::<Ipv6Addr>() {
            if let Some(z) = scope.as_deref().filter(|z| !valid_zone(z)) {
                return Err(Error::invalid_arg(format!(
                    "'{z}' is not a valid IPv6 zone: an interface name (at most 15 characters, no \
                     spaces, '/', ':', '%' or brackets) or an index"
                )));
            }
            let mut text = v6.to_string();
            if let Some(z) = &scope {
                text = format!("{text}%{z}");
            }
            return Ok(Self::ip_name(name, IpAddr::V6(v6), scope, text));
        }
        let ascii = idna::domain_to_ascii(trimmed.trim_end_matches('.'))
            .map_err(|_| Error::invalid_arg(format!("'{name}' is not a valid host name")))?;
        // Letters, digits, '-' and '_' (seen in real names such as SRV targets) only.
        let valid_label = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if ascii.is_empty() || ascii.len() > 253 || !ascii.split('.').all(valid_label) {
            return Err(Error::invalid_arg(format!("'{name}' is not a valid host name")));
        }
        // "1.0.0.0." (a trailing root dot) or "１.０.０.０" (full-width digits, mapped by IDNA)
        // is the address, not a name whose canonical form merely looks like it: the host type
        // must survive a round trip through CanonicalName (found by fuzzing, docs/fuzzing.md).
        if let Ok(v4) = ascii.parse::<Ipv4Addr>() {
            let text = v4.to_string();
            return Ok(Self::ip_name(name, IpAddr::V4(v4), None, text));
        }
        let (display, _) = idna::domain_to_unicode(&ascii);
        Ok(Self { name: Arc::new(Name::new(name, HostNameType::DomainName, ascii, display)) })
    }

    fn ip_name(raw: &str, ip: IpAddr, scope: Option<String>, text: String) -> Self {
        let kind = if ip.is_ipv4() { HostNameType::Ipv4 } else { HostNameType::Ipv6 };
        let scope = scope.map(String::into_boxed_str);
        Self { name: Arc::new(Name { ip: Some(ip), scope, ..Name::new(raw, kind, text.clone(), text) }) }
    }

    /// A HostName for an IP address (as netrt reports local/remote addresses).
    pub fn from_ip(ip: IpAddr) -> Self {
        // An IPv4-mapped IPv6 address (from a dual-stack listener) is reported as IPv4.
        let ip = crate::capability::unmap(ip);
        let text = ip.to_string();
        Self::ip_name(&text, ip, None, text.clone())
    }

    /// `Type`.
    pub fn host_type(&self) -> HostNameType {
        self.name.kind
    }

    /// `RawName`: the exact string given to the constructor.
    pub fn raw_name(&self) -> &str {
        self.name.raw.as_deref().unwrap_or(&self.name.canonical)
    }

    /// `CanonicalName`: lowercase ASCII (IDNA) for names, the normalized literal for addresses.
    pub fn canonical_name(&self) -> &str {
        &self.name.canonical
    }

    /// `DisplayName`: Unicode form for names, the normalized literal for addresses.
    pub fn display_name(&self) -> &str {
        self.name.display.as_deref().unwrap_or(&self.name.canonical)
    }

    /// The IP address, for address literals.
    pub fn ip_address(&self) -> Option<IpAddr> {
        self.name.ip
    }

    /// `IPInformation`: for an address assigned to a local interface, its prefix length (and a
    /// null `NetworkAdapter`); `None` for every other host name, names included (see
    /// [`super::ip_information`]). Reads the interface list on each call.
    pub fn ip_information(&self) -> Option<super::IpInformation> {
        self.name.ip.and_then(super::IpInformation::for_local_address)
    }

    /// The IPv6 zone (`%eth0`), if one was given.
    pub fn scope_id(&self) -> Option<&str> {
        self.name.scope.as_deref()
    }

    /// `IsEqual`: equal canonical names.
    pub fn is_equal(&self, other: &HostName) -> bool {
        self.name.canonical == other.name.canonical
    }

    /// `Compare(a, b)`: orders two host name strings by their canonical forms (-1, 0, 1).
    pub fn compare(value1: &str, value2: &str) -> Result<i32> {
        let a = HostName::new(value1)?;
        let b = HostName::new(value2)?;
        Ok(match a.name.canonical.cmp(&b.name.canonical) {
            Ordering::Less => -1,
            Ordering::Equal => 0,
            Ordering::Greater => 1,
        })
    }
}

impl std::fmt::Display for HostName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.display_name())
    }
}

impl std::str::FromStr for HostName {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        HostName::new(s)
    }
}

/// The four values of an [`EndpointPair`], as one snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Endpoints {
    /// Local host (None: the system chooses).
    pub local_host_name: Option<HostName>,
    /// Local service ("" : ephemeral port).
    pub local_service_name: String,
    /// Remote host.
    pub remote_host_name: Option<HostName>,
    /// Remote service.
    pub remote_service_name: String,
}

/// `EndpointPair`: local and remote host and service, all four read/write. A runtime class:
/// clones are references to the same pair, so a change through one is seen through all (as
/// every projection shows it).
#[derive(Clone, Default)]
pub struct EndpointPair {
    inner: Arc<Mutex<Endpoints>>,
}

impl EndpointPair {
    /// `EndpointPair(localHostName, localServiceName, remoteHostName, remoteServiceName)`.
    pub fn new(
        local_host_name: Option<HostName>,
        local_service_name: &str,
        remote_host_name: Option<HostName>,
        remote_service_name: &str,
    ) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Endpoints {
                local_host_name,
                local_service_name: local_service_name.to_string(),
                remote_host_name,
                remote_service_name: remote_service_name.to_string(),
            })),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Endpoints> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The four values as they are now.
    pub fn snapshot(&self) -> Endpoints {
        self.lock().clone()
    }

    /// `LocalHostName`.
    pub fn local_host_name(&self) -> Option<HostName> {
        self.lock().local_host_name.clone()
    }

    /// Sets `LocalHostName`.
    pub fn set_local_host_name(&self, value: Option<HostName>) {
        self.lock().local_host_name = value;
    }

    /// `LocalServiceName`.
    pub fn local_service_name(&self) -> String {
        self.lock().local_service_name.clone()
    }

    /// Sets `LocalServiceName`.
    pub fn set_local_service_name(&self, value: &str) {
        self.lock().local_service_name = value.to_string();
    }

    /// `RemoteHostName`.
    pub fn remote_host_name(&self) -> Option<HostName> {
        self.lock().remote_host_name.clone()
    }

    /// Sets `RemoteHostName`.
    pub fn set_remote_host_name(&self, value: Option<HostName>) {
        self.lock().remote_host_name = value;
    }

    /// `RemoteServiceName`.
    pub fn remote_service_name(&self) -> String {
        self.lock().remote_service_name.clone()
    }

    /// Sets `RemoteServiceName`.
    pub fn set_remote_service_name(&self, value: &str) {
        self.lock().remote_service_name = value.to_string();
    }

    /// Whether two values are the same pair (reference identity).
    pub fn ptr_eq(&self, other: &EndpointPair) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl PartialEq for EndpointPair {
    /// Equal values (not identity; see [`EndpointPair::ptr_eq`]).
    fn eq(&self, other: &Self) -> bool {
        self.ptr_eq(other) || self.snapshot() == other.snapshot()
    }
}

impl Eq for EndpointPair {}

impl std::fmt::Debug for EndpointPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.snapshot().fmt(f)
    }
}

/// A zone of an IPv6 literal as Linux names interfaces (`dev_valid_name`: at most 15 bytes,
/// no whitespace, '/' or ':'), or an interface index; '%' and brackets would not survive a round
/// trip through `CanonicalName` (a zone of "eth " came back as "eth"; found by the fuzz smoke).
fn valid_zone(zone: &str) -> bool {
    zone.len() <= 15 && zone.bytes().all(|b| b.is_ascii_graphic() && !b"/:%[]".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_literal_with_root_dot_or_full_width_digits_is_ipv4() {
        // Regression (fuzz target `names`, fuzz/corpus/names/ipv4-root-dot): "1.0.0.0." was a
        // DomainName whose CanonicalName "1.0.0.0" parsed back as Ipv4.
        for raw in ["1.0.0.0.", "\u{FF11}.\u{FF10}.\u{FF10}.\u{FF10}"] {
            let h = HostName::new(raw).unwrap();
            assert_eq!(h.host_type(), HostNameType::Ipv4, "{raw}");
            assert_eq!(h.canonical_name(), "1.0.0.0");
            assert_eq!(h.raw_name(), raw);
            assert_eq!(h.ip_address(), Some(IpAddr::from([1, 0, 0, 0])));
            let again = HostName::new(h.canonical_name()).unwrap();
            assert_eq!(again.host_type(), h.host_type());
            assert!(again.is_equal(&h));
        }
    }

    #[test]
    fn classifies_and_normalizes() {
        let h = HostName::new("WWW.Contoso.COM.").unwrap();
        assert_eq!(h.host_type(), HostNameType::DomainName);
        assert_eq!(h.raw_name(), "WWW.Contoso.COM.");
        assert_eq!(h.canonical_name(), "www.contoso.com");
        let v4 = HostName::new("127.0.0.1").unwrap();
        assert_eq!(v4.host_type(), HostNameType::Ipv4);
        let v6 = HostName::new("[0:0::1]").unwrap();
        assert_eq!(v6.host_type(), HostNameType::Ipv6);
        assert_eq!(v6.canonical_name(), "::1");
        let zoned = HostName::new("fe80::1%lo").unwrap();
        assert_eq!(zoned.scope_id(), Some("lo"));
        assert_eq!(zoned.canonical_name(), "fe80::1%lo");
        for bad in ["[fe80::1%eth ]", "fe80::1%a/b", "fe80::1%a%b", "fe80::1%sixteen-letters-"] {
            let e = HostName::new(bad).expect_err(bad);
            assert_eq!(e.hresult(), crate::error::hresult::E_INVALIDARG, "{bad}");
        }
        assert_eq!(HostName::new("[fe80::1%2]").unwrap().scope_id(), Some("2"));
    }

    #[test]
    fn idn_names_have_ascii_canonical_and_unicode_display() {
        let h = HostName::new("Bücher.example").unwrap();
        assert_eq!(h.canonical_name(), "xn--bcher-kva.example");
        assert_eq!(h.display_name(), "bücher.example");
        assert!(h.is_equal(&HostName::new("xn--BCHER-kva.example").unwrap()));
    }

    #[test]
    fn rejects_bad_names() {
        for bad in ["", "  ", "a..b", "exa mple.com", "x\0y", &"a".repeat(64)] {
            let err = HostName::new(bad).unwrap_err();
            assert_eq!(err.hresult(), crate::error::hresult::E_INVALIDARG, "{bad:?}");
        }
    }

    #[test]
    fn compare_orders_canonical_forms() {
        assert_eq!(HostName::compare("A.example", "a.example").unwrap(), 0);
        assert_eq!(HostName::compare("a.example", "b.example").unwrap(), -1);
        assert_eq!(HostName::compare("b.example", "a.example").unwrap(), 1);
    }

    #[test]
    fn mapped_v4_is_reported_as_v4() {
        let h = HostName::from_ip("::ffff:10.1.2.3".parse().unwrap());
        assert_eq!(h.host_type(), HostNameType::Ipv4);
        assert_eq!(h.canonical_name(), "10.1.2.3");
    }
}
