//! The decision: may this manifest's app send, listen or receive with this address?
//!
//! The UWP rules: `internetClient` covers outbound traffic to internet addresses,
//! `internetClientServer` adds listening and inbound traffic, `privateNetworkClientServer`
//! covers private networks both ways, and loopback needs the manifest's loopback exemption
//! on top of a network capability. Allow/deny rules then narrow what the capabilities allow.

use std::net::SocketAddr;

use super::classify::{AddressClass, classify};
use super::rules::RuleAction;
use super::{AppManifest, Capability, NetworkDirection};
use crate::error::{Error, Result, hresult};

use Capability::{InternetClient, InternetClientServer, PrivateNetworkClientServer};

const CLIENTS: &[Capability] = &[InternetClient, InternetClientServer, PrivateNetworkClientServer];
const SERVERS: &[Capability] = &[InternetClientServer, PrivateNetworkClientServer];

/// The capabilities of which at least one is needed.
fn needed(direction: NetworkDirection, class: AddressClass) -> &'static [Capability] {
    match (direction, class) {
        (NetworkDirection::Outbound, AddressClass::Internet) => &[InternetClient, InternetClientServer],
        (_, AddressClass::Internet) => &[InternetClientServer],
        (_, AddressClass::Private) => &[PrivateNetworkClientServer],
        (NetworkDirection::Outbound, AddressClass::Loopback) => CLIENTS,
        (_, AddressClass::Loopback) => SERVERS,
    }
}

/// The HRESULT a denial carries: what Windows reports for each direction.
pub(super) fn denial(direction: NetworkDirection, message: String) -> Error {
    let hr = match direction {
        NetworkDirection::Outbound => hresult::WSAEACCES_HR,
        NetworkDirection::Listen | NetworkDirection::Inbound => hresult::E_ACCESSDENIED,
    };
    Error::new(hr, message)
}

fn what(direction: NetworkDirection, address: &SocketAddr) -> String {
    match direction {
        NetworkDirection::Outbound => format!("outbound traffic to {address}"),
        NetworkDirection::Listen if address.ip().is_unspecified() => {
            format!("listening on every interface (port {})", address.port())
        }
        NetworkDirection::Listen => format!("listening on {address}"),
        NetworkDirection::Inbound => format!("inbound traffic from {address}"),
    }
}

fn names(caps: &[Capability]) -> String {
    match caps {
        [one] => format!("the {} capability", one.name()),
        many => {
            let all: Vec<&str> = many.iter().map(|c| c.name()).collect();
            format!("one of the {} capabilities", all.join(" / "))
        }
    }
}

pub(super) fn decide(
    manifest: &AppManifest,
    direction: NetworkDirection,
    host: Option<&str>,
    address: &SocketAddr,
) -> Result<()> {
    let source = manifest.source();
    if direction == NetworkDirection::Listen && address.ip().is_unspecified() {
        // Every interface: any server capability will do; each peer is judged as it arrives.
        if !SERVERS.iter().any(|c| manifest.declares(*c)) {
            return Err(denial(
                direction,
                format!(
                    "{} needs {}, not declared in the app manifest {source}",
                    what(direction, address),
                    names(SERVERS)
                ),
            ));
        }
        return Ok(());
    }
    let class = classify(address.ip());
    let caps = needed(direction, class);
    if !caps.iter().any(|c| manifest.declares(*c)) {
        return Err(denial(
            direction,
            format!(
                "{} ({} address) needs {}, not declared in the app manifest {source}",
                what(direction, address),
                class.describe(),
                names(caps)
            ),
        ));
    }
    if class == AddressClass::Loopback {
        let (out, inb) = manifest.loopback_exemption();
        let (exempt, which) = match direction {
            NetworkDirection::Outbound => (out, "outbound"),
            _ => (inb, "inbound"),
        };
        if !exempt {
            return Err(denial(
                direction,
                format!(
                    "{} (loopback address) needs the loopback exemption: the app manifest {source} has no \
                     <netrt:LoopbackExemption> covering {which} traffic",
                    what(direction, address)
                ),
            ));
        }
    }
    if direction != NetworkDirection::Listen {
        rules_allow(manifest, direction, host, address)?;
    }
    Ok(())
}

/// Deny rules refuse what they match; once any allow rule applies to this direction, only
/// what an allow rule matches gets through.
fn rules_allow(
    manifest: &AppManifest,
    direction: NetworkDirection,
    host: Option<&str>,
    address: &SocketAddr,
) -> Result<()> {
    let outbound = direction == NetworkDirection::Outbound;
    let applies = |r: &&super::Rule| r.matches(outbound, host, address);
    let source = manifest.source();
    // Messages are built only for a denial: this runs for every connect when rules exist.
    let peer = || match host {
        Some(h) => format!("{} ({h})", what(direction, address)),
        None => what(direction, address),
    };
    if let Some(rule) = manifest.rules().iter().filter(|r| r.action == RuleAction::Deny).find(applies) {
        return Err(denial(
            direction,
            format!(
                "{} is refused by the rule <netrt:{rule}> on line {} of the app manifest {source}",
                peer(),
                rule.line
            ),
        ));
    }
    let mut allows =
        manifest.rules().iter().filter(|r| r.action == RuleAction::Allow && r.covers(outbound)).peekable();
    if allows.peek().is_none() || allows.any(|r| applies(&r)) {
        return Ok(());
    }
    Err(denial(
        direction,
        format!("{} matches none of the <netrt:Allow> rules of the app manifest {source}", peer()),
    ))
}
