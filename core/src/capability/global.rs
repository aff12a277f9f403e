//! The process's one manifest, and the check every network entry point calls.
//!
//! Without a manifest a check costs one atomic load. The first check also reads
//! `NETRT_MANIFEST`; if that names a manifest that cannot be loaded, every check fails with
//! the load error (a sandbox that failed to load must not fail open).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use super::{AppManifest, NetworkDirection};
use crate::error::{Error, Result, hresult};
use crate::net::HostName;

/// The environment variable naming a manifest to load on first network use.
pub const MANIFEST_ENV: &str = "NETRT_MANIFEST";

const UNCHECKED: u8 = 0;
const UNRESTRICTED: u8 = 1;
const LOADED: u8 = 2;
const BROKEN: u8 = 3;

static STATE: AtomicU8 = AtomicU8::new(UNCHECKED);
static MANIFEST: OnceLock<Arc<AppManifest>> = OnceLock::new();
static ENV_FAILURE: OnceLock<Error> = OnceLock::new();
/// Serialises loading (explicit and from the environment).
static LOADING: Mutex<()> = Mutex::new(());

static DROPPED_CONNECTIONS: AtomicU64 = AtomicU64::new(0);
static DROPPED_DATAGRAMS: AtomicU64 = AtomicU64::new(0);

/// Traffic dropped because its peer was not allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DroppedTraffic {
    /// Accepted connections closed before reaching `ConnectionReceived`.
    pub connections: u64,
    /// Received datagrams discarded before reaching `MessageReceived`.
    pub datagrams: u64,
}

/// How much inbound traffic the manifest has dropped in this process.
pub fn dropped_traffic() -> DroppedTraffic {
    DroppedTraffic {
        connections: DROPPED_CONNECTIONS.load(Ordering::Relaxed),
        datagrams: DROPPED_DATAGRAMS.load(Ordering::Relaxed),
    }
}

pub(crate) fn count_dropped_connection() {
    DROPPED_CONNECTIONS.fetch_add(1, Ordering::Relaxed);
}

pub(crate) fn count_dropped_datagram() {
    DROPPED_DATAGRAMS.fetch_add(1, Ordering::Relaxed);
}

/// The policy in force: None = unrestricted.
#[inline]
fn active() -> Result<Option<&'static AppManifest>> {
    match STATE.load(Ordering::Acquire) {
        UNRESTRICTED => Ok(None),
        LOADED => Ok(MANIFEST.get().map(|m| &**m)),
        _ => settle().map(|m| m.map(|m| &**m)),
    }
}

/// Reads `NETRT_MANIFEST` once; returns what is then in force.
fn settle() -> Result<Option<&'static Arc<AppManifest>>> {
    let _g = LOADING.lock().unwrap_or_else(|e| e.into_inner());
    if STATE.load(Ordering::Acquire) == UNCHECKED {
        match std::env::var_os(MANIFEST_ENV).filter(|v| !v.is_empty()) {
            None => STATE.store(UNRESTRICTED, Ordering::Release),
            Some(path) => match AppManifest::from_file(&path) {
                Ok(m) => {
                    let _ = MANIFEST.set(Arc::new(m));
                    STATE.store(LOADED, Ordering::Release);
                }
                Err(e) => {
                    let _ = ENV_FAILURE
                        .set(e.context(format!("{MANIFEST_ENV} names a manifest that cannot be loaded")));
                    STATE.store(BROKEN, Ordering::Release);
                }
            },
        }
    }
    match STATE.load(Ordering::Acquire) {
        LOADED => Ok(MANIFEST.get()),
        BROKEN => Err(ENV_FAILURE
            .get()
            .cloned()
            .unwrap_or_else(|| Error::new(hresult::E_UNEXPECTED, "manifest state"))),
        _ => Ok(None),
    }
}

pub(super) fn load(path: &Path) -> Result<Arc<AppManifest>> {
    if let Err(e) = settle() {
        return Err(already(format!(
            "the manifest named by {MANIFEST_ENV} failed to load ({})",
            e.message()
        )));
    }
    let _g = LOADING.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(m) = MANIFEST.get() {
        let how = if std::env::var_os(MANIFEST_ENV).is_some_and(|v| !v.is_empty()) {
            format!(" (named by {MANIFEST_ENV})")
        } else {
            String::new()
        };
        return Err(already(format!("the app manifest {}{how} is already loaded", m.source())));
    }
    let manifest = Arc::new(AppManifest::from_file(path)?);
    let _ = MANIFEST.set(manifest.clone());
    STATE.store(LOADED, Ordering::Release);
    Ok(manifest)
}

fn already(why: String) -> Error {
    Error::new(
        hresult::E_ILLEGAL_METHOD_CALL,
        format!("{why}; a process loads one app manifest, and it cannot be replaced or loosened"),
    )
}

pub(super) fn current() -> Result<Option<Arc<AppManifest>>> {
    settle().map(|m| m.cloned())
}

/// The one policy check: may the process do `direction` traffic with `address` (resolved)?
/// Unrestricted when no manifest is loaded.
///
/// # Errors
/// WSAEACCES for outbound, `E_ACCESSDENIED` for listen and inbound, naming what is missing;
/// the load error when `NETRT_MANIFEST` names a manifest that cannot be loaded.
#[inline]
pub fn check(direction: NetworkDirection, address: &SocketAddr) -> Result<()> {
    match active()? {
        None => Ok(()),
        Some(m) => m.check_access(direction, None, address),
    }
}

/// [`check`] for an address resolved from `host`, so host rules can match the name.
///
/// # Errors
/// As [`check`].
#[inline]
pub fn check_named(direction: NetworkDirection, host: &HostName, address: &SocketAddr) -> Result<()> {
    match active()? {
        None => Ok(()),
        Some(m) => {
            let name = host.ip_address().is_none().then(|| host.canonical_name());
            m.check_access(direction, name, address)
        }
    }
}

/// May the process present a client certificate? Needs `sharedUserCertificates`.
///
/// # Errors
/// `E_ACCESSDENIED` naming the capability; the `NETRT_MANIFEST` load error.
pub fn check_client_certificate() -> Result<()> {
    match active()? {
        Some(m) if !m.declares(super::Capability::SharedUserCertificates) => Err(Error::new(
            hresult::E_ACCESSDENIED,
            format!(
                "using a client certificate needs the sharedUserCertificates capability, which the app manifest {} does not declare",
                m.source()
            ),
        )),
        _ => Ok(()),
    }
}

/// The addresses of `addrs` (resolved from `host`) that `direction` traffic may use, in
/// their order; when none may, the denial of the first.
///
/// # Errors
/// As [`check`], for the first address, when every address is refused.
pub(crate) fn permitted(
    direction: NetworkDirection,
    host: &HostName,
    mut addrs: Vec<SocketAddr>,
) -> Result<Vec<SocketAddr>> {
    if active()?.is_none() {
        return Ok(addrs);
    }
    let mut first_denial = None;
    addrs.retain(|a| match check_named(direction, host, a) {
        Ok(()) => true,
        Err(e) => {
            first_denial.get_or_insert(e);
            false
        }
    });
    match first_denial {
        Some(e) if addrs.is_empty() => Err(e),
        _ => Ok(addrs),
    }
}

/// The query form of [`check`] for the projections: `address` is an IPv4 or IPv6 literal
/// (brackets allowed), `direction` a `NetworkDirection` value.
///
/// # Errors
/// `E_INVALIDARG` for an unknown direction or an address that is not an IP literal; otherwise
/// as [`check`].
pub fn check_address(direction: i32, address: &str, port: u16) -> Result<()> {
    let direction = NetworkDirection::from_i32(direction)
        .ok_or_else(|| Error::invalid_arg(format!("{direction} is not a NetworkDirection")))?;
    let literal = address.strip_prefix('[').and_then(|a| a.strip_suffix(']')).unwrap_or(address);
    let ip: std::net::IpAddr = literal.parse().map_err(|_| {
        Error::invalid_arg(format!(
            "\"{address}\" is not an IP address (the check is made on resolved addresses)"
        ))
    })?;
    check(direction, &SocketAddr::new(ip, port))
}
