//! The manifest's allow/deny rules: which peers (host name, `*.` wildcard, IP address or
//! CIDR block, port or port range) an app may talk to. Rules only ever narrow what the
//! declared capabilities allow; they never grant access on their own.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

use super::classify::unmap;

/// Whether a rule admits or refuses the traffic it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleAction {
    /// `<netrt:Allow>`: once any allow rule exists, only matching peers are reachable.
    Allow,
    /// `<netrt:Deny>`: matching peers are refused, whatever else is declared.
    Deny,
}

/// Which traffic a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleDirection {
    /// Connections and datagrams this app sends.
    Outbound,
    /// Connections this app accepts and datagrams it receives.
    Inbound,
    /// Both (the default).
    Both,
}

/// What a rule matches on the peer's side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleTarget {
    /// A host name (lower case, no trailing dot), exactly.
    Host(String),
    /// `*.suffix`: any name below `suffix` (not `suffix` itself).
    HostSuffix(String),
    /// An address block: `network/prefix` (a single address has the full prefix).
    Network(IpAddr, u8),
    /// No host or address given: every peer (a port-only rule).
    Any,
}

/// One `<netrt:Allow>` or `<netrt:Deny>` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Allow or deny.
    pub action: RuleAction,
    /// The peer it matches.
    pub target: RuleTarget,
    /// Inclusive port range; None = every port.
    pub ports: Option<(u16, u16)>,
    /// The traffic it applies to.
    pub direction: RuleDirection,
    /// The line of the manifest it was written on (1-based), for messages.
    pub line: usize,
}

impl Rule {
    /// Whether this rule applies to traffic with `peer` (and the name the app used for it).
    pub fn matches(&self, outbound: bool, host: Option<&str>, peer: &SocketAddr) -> bool {
        let port_ok = self.ports.is_none_or(|(lo, hi)| (lo..=hi).contains(&peer.port()));
        self.covers(outbound) && port_ok && self.target_matches(host, peer.ip())
    }

    /// Whether this rule applies to outbound (or, when false, inbound) traffic at all.
    pub fn covers(&self, outbound: bool) -> bool {
        match self.direction {
            RuleDirection::Both => true,
            RuleDirection::Outbound => outbound,
            RuleDirection::Inbound => !outbound,
        }
    }

    fn target_matches(&self, host: Option<&str>, ip: IpAddr) -> bool {
        // Byte-wise and without allocating: this runs for every connect when rules exist.
        let name = || host.map(|h| h.trim_end_matches('.').as_bytes());
        match &self.target {
            RuleTarget::Any => true,
            RuleTarget::Host(want) => name().is_some_and(|n| n.eq_ignore_ascii_case(want.as_bytes())),
            RuleTarget::HostSuffix(suffix) => name().is_some_and(|n| {
                let suffix = suffix.as_bytes();
                n.len() > suffix.len() + 1
                    && n[n.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
                    && n[n.len() - suffix.len() - 1] == b'.'
            }),
            RuleTarget::Network(net, prefix) => in_network(unmap(ip), *net, *prefix),
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let action = match self.action {
            RuleAction::Allow => "Allow",
            RuleAction::Deny => "Deny",
        };
        write!(f, "{action}")?;
        match &self.target {
            RuleTarget::Host(h) => write!(f, " host=\"{h}\"")?,
            RuleTarget::HostSuffix(s) => write!(f, " host=\"*.{s}\"")?,
            RuleTarget::Network(ip, prefix) => write!(f, " address=\"{ip}/{prefix}\"")?,
            RuleTarget::Any => {}
        }
        match self.ports {
            Some((lo, hi)) if lo == hi => write!(f, " port=\"{lo}\"")?,
            Some((lo, hi)) => write!(f, " port=\"{lo}-{hi}\"")?,
            None => {}
        }
        match self.direction {
            RuleDirection::Outbound => write!(f, " direction=\"outbound\""),
            RuleDirection::Inbound => write!(f, " direction=\"inbound\""),
            RuleDirection::Both => Ok(()),
        }
    }
}

/// `ip` with every bit after the first `prefix` cleared.
fn masked(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            IpAddr::V4((u32::from(v4) & u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0)).into())
        }
        IpAddr::V6(v6) => {
            IpAddr::V6((u128::from(v6) & u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0)).into())
        }
    }
}

/// Whether `ip` is in the block `net/prefix` (same family; `prefix` within the family's width).
pub(crate) fn in_network(ip: IpAddr, net: IpAddr, prefix: u8) -> bool {
    let width = if net.is_ipv4() { 32 } else { 128 };
    ip.is_ipv4() == net.is_ipv4() && prefix <= width && masked(ip, prefix) == masked(net, prefix)
}

/// Parses a `host` attribute: a DNS name, or `*.` followed by one.
pub fn parse_host(text: &str) -> Result<RuleTarget, String> {
    let (wild, name) = match text.strip_prefix("*.") {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if name.is_empty() || name.len() > 253 || !name.split('.').all(label_ok) {
        return Err(format!(
            "host \"{text}\" is not a host name or \"*.\" wildcard (use address=\"...\" for IP addresses; \
             a wildcard may only be a leading \"*.\")"
        ));
    }
    if name.parse::<IpAddr>().is_ok() {
        return Err(format!("host \"{text}\" is an IP address: write it as address=\"{text}\""));
    }
    Ok(if wild { RuleTarget::HostSuffix(name) } else { RuleTarget::Host(name) })
}

/// Parses an `address` attribute: an IP address or `address/prefix` (CIDR). Host bits set
/// below the prefix are an error, so `10.1.2.3/8` is not silently taken as `10.0.0.0/8`.
pub fn parse_network(text: &str) -> Result<RuleTarget, String> {
    let (addr, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (text, None),
    };
    let ip: IpAddr = addr.parse().map_err(|_| {
        format!("address \"{text}\" is not an IP address or CIDR block (e.g. 10.0.0.0/8, fd00::/8)")
    })?;
    let ip = unmap(ip);
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        None => max,
        Some(p) => match p.parse::<u8>() {
            Ok(n) if n <= max && p.bytes().all(|b| b.is_ascii_digit()) => n,
            _ => return Err(format!("address \"{text}\": the prefix length must be 0-{max}")),
        },
    };
    if masked(ip, prefix) != ip {
        return Err(format!("address \"{text}\" has bits set after the /{prefix} prefix"));
    }
    Ok(RuleTarget::Network(ip, prefix))
}

/// Parses a `port` attribute: `443` or `8000-8999` (1-65535, low ≤ high).
pub fn parse_ports(text: &str) -> Result<(u16, u16), String> {
    let bad = || format!("port \"{text}\" is not a port (1-65535) or a range like 8000-8999");
    let one = |s: &str| -> Result<u16, String> {
        let s = s.trim();
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        match s.parse::<u16>() {
            Ok(0) | Err(_) => Err(bad()),
            Ok(p) => Ok(p),
        }
    };
    let (lo, hi) = match text.split_once('-') {
        Some((a, b)) => (one(a)?, one(b)?),
        None => {
            let p = one(text)?;
            (p, p)
        }
    };
    if lo > hi {
        return Err(format!("port range \"{text}\" runs backwards"));
    }
    Ok((lo, hi))
}

/// Parses a `direction` attribute.
pub fn parse_direction(text: &str) -> Result<RuleDirection, String> {
    match text {
        "outbound" => Ok(RuleDirection::Outbound),
        "inbound" => Ok(RuleDirection::Inbound),
        "both" => Ok(RuleDirection::Both),
        _ => Err(format!("direction \"{text}\" must be outbound, inbound or both")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(target: RuleTarget, ports: Option<(u16, u16)>) -> Rule {
        Rule { action: RuleAction::Deny, target, ports, direction: RuleDirection::Both, line: 1 }
    }

    fn peer(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn wildcard_matches_subdomains_only() {
        let r = rule(parse_host("*.Contoso.com").unwrap(), None);
        assert!(r.matches(true, Some("www.contoso.com"), &peer("1.2.3.4:80")));
        assert!(r.matches(true, Some("a.b.CONTOSO.com."), &peer("1.2.3.4:80")));
        assert!(!r.matches(true, Some("contoso.com"), &peer("1.2.3.4:80")));
        assert!(!r.matches(true, Some("evilcontoso.com"), &peer("1.2.3.4:80")));
        assert!(!r.matches(true, None, &peer("1.2.3.4:80")));
    }

    #[test]
    fn cidr_and_ports() {
        let r = rule(parse_network("10.0.0.0/8").unwrap(), Some(parse_ports("20-25").unwrap()));
        assert!(r.matches(true, None, &peer("10.9.8.7:25")));
        assert!(r.matches(false, None, &peer("[::ffff:10.9.8.7]:20")));
        assert!(!r.matches(true, None, &peer("10.9.8.7:26")));
        assert!(!r.matches(true, None, &peer("11.0.0.1:25")));
        let v6 = rule(parse_network("fd00::/8").unwrap(), None);
        assert!(v6.matches(true, None, &peer("[fd12::1]:1")));
        assert!(!v6.matches(true, None, &peer("[fe80::1]:1")));
        let all = rule(parse_network("0.0.0.0/0").unwrap(), None);
        assert!(all.matches(true, None, &peer("8.8.8.8:53")));
        let one = rule(parse_network("192.168.1.1").unwrap(), None);
        assert!(one.matches(true, None, &peer("192.168.1.1:1")));
        assert!(!one.matches(true, None, &peer("192.168.1.2:1")));
    }

    #[test]
    fn direction_limits_a_rule() {
        let mut r = rule(RuleTarget::Any, Some((53, 53)));
        r.direction = RuleDirection::Inbound;
        assert!(!r.matches(true, None, &peer("1.1.1.1:53")));
        assert!(r.matches(false, None, &peer("1.1.1.1:53")));
    }

    #[test]
    fn bad_values_are_explained() {
        assert!(parse_host("*").unwrap_err().contains("wildcard"));
        assert!(parse_host("a.*.com").is_err());
        assert!(parse_host("10.0.0.1").unwrap_err().contains("address="));
        assert!(parse_network("10.1.2.3/8").unwrap_err().contains("bits set"));
        assert!(parse_network("10.0.0.0/33").unwrap_err().contains("0-32"));
        assert!(parse_network("example.com").is_err());
        assert!(parse_ports("0").is_err());
        assert!(parse_ports("65536").is_err());
        assert!(parse_ports("90-80").unwrap_err().contains("backwards"));
        assert_eq!(parse_ports("8000-8999").unwrap(), (8000, 8999));
        assert!(parse_direction("out").is_err());
    }
}
