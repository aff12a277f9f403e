//! App capabilities: the network access an app declared in its manifest, enforced at every
//! network entry point (docs/capabilities.md).
//!
//! A process that never loads an [`AppManifest`] is unrestricted. Once one is loaded — with
//! [`AppManifest::load`], or from the file named by `NETRT_MANIFEST` on first network use —
//! it is locked for the life of the process, and every connect, bind, accept, datagram send
//! and receive, proxy and WebSocket connect, and client-certificate use is checked by one
//! function, [`check`], on the resolved address. Denials carry the HRESULT Windows gives:
//! WSAEACCES (0x8007271D) for outbound traffic, `E_ACCESSDENIED` for listening and receiving.

mod classify;
mod global;
pub mod manifest;
mod names;
mod policy;
pub mod rules;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

pub use classify::{AddressClass, classify, unmap};
pub use global::{
    DroppedTraffic, MANIFEST_ENV, check, check_address, check_client_certificate, check_named,
    dropped_traffic,
};
pub(crate) use global::{count_dropped_connection, count_dropped_datagram, permitted};
pub use manifest::NETRT_NAMESPACE;
pub use rules::{Rule, RuleAction, RuleDirection, RuleTarget};

use crate::error::{Error, Result, hresult};

winrt_enum! {
    /// `NetworkDirection` (netrt): what a network operation does, for the app-manifest check
    /// (`AppManifest`'s `CheckAccess`; see docs/capabilities.md).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum NetworkDirection {
        /// Connecting, or sending a datagram (traffic the app starts).
        Outbound = 0,
        /// Binding a listener or a datagram socket (the local address; the unspecified
        /// address means every interface).
        Listen = 1,
        /// Accepting a connection or receiving a datagram (the peer's address).
        Inbound = 2,
    }
}

/// The capabilities netrt enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    /// `internetClient`: outbound to internet addresses.
    InternetClient,
    /// `internetClientServer`: outbound, listening and inbound on internet addresses.
    InternetClientServer,
    /// `privateNetworkClientServer`: outbound, listening and inbound on private networks.
    PrivateNetworkClientServer,
    /// `sharedUserCertificates`: presenting a client certificate.
    SharedUserCertificates,
}

impl Capability {
    /// The name as written in a manifest.
    pub fn name(self) -> &'static str {
        match self {
            Capability::InternetClient => "internetClient",
            Capability::InternetClientServer => "internetClientServer",
            Capability::PrivateNetworkClientServer => "privateNetworkClientServer",
            Capability::SharedUserCertificates => "sharedUserCertificates",
        }
    }
}

/// A parsed app manifest: the declared capabilities, the loopback exemption and the
/// allow/deny rules. [`AppManifest::parse`] and [`AppManifest::from_file`] only read one
/// (to ask what it would allow); [`AppManifest::load`] makes one the process's policy.
#[derive(Debug, Clone)]
pub struct AppManifest {
    source: String,
    parsed: manifest::Parsed,
}

impl AppManifest {
    /// Parses manifest text; `source` names it in messages (a path, say).
    ///
    /// # Errors
    /// `E_INVALIDARG` for malformed XML, a root that is not `<Package>`, an unknown
    /// capability name or a bad netrt rule; the message names `source`, the line and the
    /// problem.
    pub fn parse(text: &str, source: &str) -> Result<Self> {
        manifest::parse(text)
            .map(|parsed| Self { source: source.to_string(), parsed })
            .map_err(|e| Error::invalid_arg(format!("app manifest {source}, line {}: {}", e.line, e.problem)))
    }

    /// Reads and parses a manifest file (at most 1 MiB).
    ///
    /// # Errors
    /// As [`AppManifest::parse`]; `0x80070002` (file not found), `E_ACCESSDENIED` or
    /// `E_FAIL` when the file cannot be read.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let bytes = read_limited(path).map_err(|e| {
            let hr = match e.kind() {
                std::io::ErrorKind::NotFound => hresult::hresult_from_win32(2),
                std::io::ErrorKind::PermissionDenied => hresult::E_ACCESSDENIED,
                _ => hresult::E_FAIL,
            };
            Error::new(hr, format!("cannot read the app manifest {shown}: {e}"))
        })?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::invalid_arg(format!("app manifest {shown}: the file is not UTF-8")))?;
        Self::parse(text.strip_prefix('\u{feff}').unwrap_or(&text), &shown)
    }

    /// Loads the process's manifest from `path` and locks it: from now on every network
    /// operation is checked against it, and it can be neither replaced nor loosened.
    ///
    /// # Errors
    /// As [`AppManifest::from_file`] (nothing is loaded then); `E_ILLEGAL_METHOD_CALL` when a
    /// manifest is already loaded (also one named by `NETRT_MANIFEST`).
    pub fn load(path: impl AsRef<Path>) -> Result<Arc<AppManifest>> {
        global::load(path.as_ref())
    }

    /// The process's manifest, if one is loaded (reading `NETRT_MANIFEST` first if no network
    /// operation has done so yet).
    ///
    /// # Errors
    /// The load error when `NETRT_MANIFEST` names a manifest that cannot be loaded (every
    /// network operation fails with it too).
    pub fn current() -> Result<Option<Arc<AppManifest>>> {
        global::current()
    }

    /// Where it was read from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Every declared capability name, in document order (`Capability`, `uap:Capability`,
    /// `rescap:Capability` and `DeviceCapability` alike).
    pub fn capabilities(&self) -> Vec<String> {
        self.parsed.capabilities.iter().map(|(n, _)| n.clone()).collect()
    }

    /// Whether `name` is declared.
    pub fn has_capability(&self, name: &str) -> bool {
        self.parsed.capabilities.iter().any(|(n, _)| n == name)
    }

    /// The loopback exemption: (outbound, inbound).
    pub fn loopback_exemption(&self) -> (bool, bool) {
        self.parsed.loopback
    }

    /// The allow/deny rules, in document order.
    pub fn rules(&self) -> &[Rule] {
        &self.parsed.rules
    }

    /// Would this manifest allow `direction` traffic with `address`? `host` is the name the
    /// app used, for host rules (None for accepted peers and received datagrams).
    ///
    /// # Errors
    /// The denial the operation would fail with: WSAEACCES for outbound, `E_ACCESSDENIED`
    /// for listen and inbound, with a message naming the missing capability or the rule.
    pub fn check_access(
        &self,
        direction: NetworkDirection,
        host: Option<&str>,
        address: &SocketAddr,
    ) -> Result<()> {
        policy::decide(self, direction, host, address)
    }

    fn declares(&self, cap: Capability) -> bool {
        self.has_capability(cap.name())
    }
}

fn read_limited(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    std::fs::File::open(path)?.take(manifest::MAX_MANIFEST_BYTES as u64 + 1).read_to_end(&mut out)?;
    Ok(out)
}
