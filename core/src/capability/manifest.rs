//! Reading the `<Capabilities>` of a Package.appxmanifest, and netrt's extension element.
//!
//! ```xml
//! <Package xmlns="http://schemas.microsoft.com/appx/manifest/foundation/windows10"
//!          xmlns:netrt="http://netrt.invalid/manifest/1" IgnorableNamespaces="netrt">
//!   <Capabilities>
//!     <Capability Name="internetClient" />
//!     <netrt:Network>
//!       <netrt:LoopbackExemption />
//!       <netrt:Deny address="10.0.0.0/8" />
//!     </netrt:Network>
//!   </Capabilities>
//! </Package>
//! ```
//!
//! Every problem is reported with the line it is on. Document type declarations are refused
//! (nothing is fetched or expanded), and so is a file larger than [`MAX_MANIFEST_BYTES`].

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::names::{self, Kind};
use super::rules::{self, Rule, RuleAction, RuleDirection, RuleTarget};

/// The XML namespace of netrt's extension elements.
pub const NETRT_NAMESPACE: &str = "http://netrt.invalid/manifest/1";

/// A manifest larger than this is refused before it is parsed.
pub const MAX_MANIFEST_BYTES: usize = 1 << 20;

const FOUNDATION: &[&str] = &[
    "http://schemas.microsoft.com/appx/manifest/foundation/windows10",
    "http://schemas.microsoft.com/appx/2010/manifest",
    "http://schemas.microsoft.com/appx/2013/manifest",
];
const RESCAP: &str = "http://schemas.microsoft.com/appx/manifest/foundation/windows10/restrictedcapabilities";
/// `uap`, `uap2`...`uapN`, `mobile`, `iot`: capability namespaces of the general list.
const APPX_PREFIX: &str = "http://schemas.microsoft.com/appx/";

/// What the manifest says, before it is checked against any traffic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// Every declared capability: its name and the element kind it was declared with.
    pub capabilities: Vec<(String, Kind)>,
    /// `<netrt:LoopbackExemption>`: (outbound, inbound).
    pub loopback: (bool, bool),
    /// `<netrt:Allow>` and `<netrt:Deny>`, in document order.
    pub rules: Vec<Rule>,
}

/// A parse failure: the line (1-based) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong there.
    pub problem: String,
}

type Parse<T> = Result<T, ParseError>;

struct Cursor<'a> {
    text: &'a str,
}

impl Cursor<'_> {
    fn line_at(&self, pos: u64) -> usize {
        let end = (pos as usize).min(self.text.len());
        self.text.as_bytes()[..end].iter().filter(|b| **b == b'\n').count() + 1
    }
}

/// Where an element sits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Root,
    Package,
    Capabilities,
    Network,
    /// Anything else (skipped, with its children).
    Other,
}

/// Parses a manifest's text.
pub fn parse(text: &str) -> Parse<Parsed> {
    let cur = Cursor { text };
    if text.len() > MAX_MANIFEST_BYTES {
        return Err(ParseError {
            line: 1,
            problem: format!("the manifest is {} bytes; at most {MAX_MANIFEST_BYTES} are read", text.len()),
        });
    }
    let mut reader = NsReader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut out = Parsed::default();
    let mut stack: Vec<Place> = Vec::new();
    let mut seen_package = false;
    let mut seen_capabilities = false;
    let mut seen_network = false;
    loop {
        let start = reader.buffer_position();
        let (ns, event) = match reader.read_resolved_event() {
            Ok((ns, ev)) => (namespace_of(&ns), ev),
            Err(e) => {
                return Err(ParseError {
                    line: cur.line_at(reader.error_position()),
                    problem: format!("malformed XML: {e}"),
                });
            }
        };
        let line = cur.line_at(start);
        let err = |problem: String| ParseError { line, problem };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let local = e.local_name().as_ref().to_string();
                let parent = stack.last().copied().unwrap_or(Place::Root);
                let place = match parent {
                    Place::Root => {
                        if local != "Package" || !FOUNDATION.contains(&ns.as_deref().unwrap_or("")) {
                            return Err(err(format!(
                                "the root element must be <Package> in the namespace {} (found <{}>{})",
                                FOUNDATION[0],
                                qname(e),
                                ns.as_deref().map(|n| format!(" in {n}")).unwrap_or_default()
                            )));
                        }
                        seen_package = true;
                        Place::Package
                    }
                    Place::Package if local == "Capabilities" && is_foundation(&ns) => {
                        if seen_capabilities {
                            return Err(err("<Capabilities> appears twice".into()));
                        }
                        seen_capabilities = true;
                        Place::Capabilities
                    }
                    Place::Capabilities => {
                        if ns.as_deref() == Some(NETRT_NAMESPACE) {
                            if local != "Network" {
                                return Err(err(format!(
                                    "<{}> is not a netrt element here: <Capabilities> takes <netrt:Network>",
                                    qname(e)
                                )));
                            }
                            if seen_network {
                                return Err(err("<netrt:Network> appears twice".into()));
                            }
                            seen_network = true;
                            no_attributes(e).map_err(err)?;
                            Place::Network
                        } else {
                            let kind = capability_kind(&local, &ns)
                                .map_err(|p| err(format!("<{}>: {p}", qname(e))))?;
                            let name = attribute(e, "Name")
                                .map_err(&err)?
                                .ok_or_else(|| err(format!("<{}> has no Name attribute", qname(e))))?;
                            names::check(kind, &name).map_err(&err)?;
                            if out.capabilities.iter().any(|(n, _)| *n == name) {
                                return Err(err(format!("capability \"{name}\" is declared twice")));
                            }
                            out.capabilities.push((name, kind));
                            Place::Other
                        }
                    }
                    Place::Network => {
                        if ns.as_deref() != Some(NETRT_NAMESPACE) {
                            return Err(err(format!(
                                "<{}> inside <netrt:Network>: only netrt:LoopbackExemption, netrt:Allow and netrt:Deny belong there",
                                qname(e)
                            )));
                        }
                        network_child(e, &local, line, &mut out).map_err(err)?;
                        Place::Other
                    }
                    _ if ns.as_deref() == Some(NETRT_NAMESPACE) => {
                        return Err(err(format!(
                            "<{}> is only understood inside <Capabilities> (as <netrt:Network>)",
                            qname(e)
                        )));
                    }
                    _ => Place::Other,
                };
                if !empty {
                    stack.push(place);
                }
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::DocType(_) => {
                return Err(err(
                    "a document type declaration (<!DOCTYPE>) is not allowed in a manifest".into()
                ));
            }
            Event::Text(ref t) if matches!(stack.last(), Some(Place::Capabilities | Place::Network)) => {
                let raw: &str = t.as_ref();
                if !raw.trim().is_empty() {
                    return Err(err(format!("unexpected text \"{}\" among the capabilities", raw.trim())));
                }
            }
            Event::Eof => {
                if !stack.is_empty() {
                    return Err(
                        err("malformed XML: the document ends before its elements are closed".into()),
                    );
                }
                if !seen_package {
                    return Err(err("the manifest has no <Package> element".into()));
                }
                return Ok(out);
            }
            _ => {}
        }
    }
}

fn namespace_of(ns: &ResolveResult<'_>) -> Option<String> {
    match ns {
        ResolveResult::Bound(n) => Some(n.as_ref().to_string()),
        _ => None,
    }
}

fn is_foundation(ns: &Option<String>) -> bool {
    ns.as_deref().is_some_and(|n| FOUNDATION.contains(&n))
}

fn qname(e: &BytesStart<'_>) -> String {
    e.name().as_ref().to_string()
}

fn capability_kind(local: &str, ns: &Option<String>) -> Result<Kind, String> {
    let ns = ns.as_deref().unwrap_or("");
    match local {
        "Capability" if ns == RESCAP => Ok(Kind::Restricted),
        "Capability" if ns.starts_with(APPX_PREFIX) => Ok(Kind::General),
        "DeviceCapability" if ns.starts_with(APPX_PREFIX) => Ok(Kind::Device),
        "CustomCapability" if ns.starts_with(APPX_PREFIX) => {
            Err("custom capabilities are not supported by netrt".into())
        }
        _ if ns.is_empty() => Err("an element without a namespace is not a capability".into()),
        _ => Err(format!("not a capability element (namespace {ns})")),
    }
}

/// The value of an unprefixed attribute.
fn attribute(e: &BytesStart<'_>, name: &str) -> Result<Option<String>, String> {
    for a in e.attributes() {
        let a = a.map_err(|x| format!("malformed attribute: {x}"))?;
        if a.key.prefix().is_none() && a.key.local_name().as_ref() == name {
            let v =
                a.normalized_value(XmlVersion::Implicit1_0).map_err(|x| format!("attribute {name}: {x}"))?;
            return Ok(Some(v.into_owned()));
        }
    }
    Ok(None)
}

fn no_attributes(e: &BytesStart<'_>) -> Result<(), String> {
    attributes(e, &[]).map(|_| ())
}

/// Every unprefixed attribute, refusing names outside `allowed` (namespace declarations and
/// prefixed attributes are left alone).
fn attributes(e: &BytesStart<'_>, allowed: &[&str]) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|x| format!("malformed attribute: {x}"))?;
        if a.key.prefix().is_some() || a.key.as_ref() == "xmlns" {
            continue;
        }
        let key = a.key.as_ref().to_string();
        if !allowed.contains(&key.as_str()) {
            let what = if allowed.is_empty() {
                "takes no attributes".to_string()
            } else {
                format!("takes only {}", allowed.join(", "))
            };
            return Err(format!("<{}> has an unknown attribute \"{key}\": it {what}", qname(e)));
        }
        let v = a.normalized_value(XmlVersion::Implicit1_0).map_err(|x| format!("attribute {key}: {x}"))?;
        out.push((key, v.into_owned()));
    }
    Ok(out)
}

fn network_child(e: &BytesStart<'_>, local: &str, line: usize, out: &mut Parsed) -> Result<(), String> {
    let action = match local {
        "LoopbackExemption" => {
            let attrs = attributes(e, &["direction"])?;
            let direction = match attrs.first() {
                Some((_, d)) => rules::parse_direction(d)?,
                None => RuleDirection::Both,
            };
            let (o, i) = &mut out.loopback;
            match direction {
                RuleDirection::Outbound => *o = true,
                RuleDirection::Inbound => *i = true,
                RuleDirection::Both => (*o, *i) = (true, true),
            }
            return Ok(());
        }
        "Allow" => RuleAction::Allow,
        "Deny" => RuleAction::Deny,
        other => {
            return Err(format!(
                "<netrt:{other}> is unknown: <netrt:Network> takes LoopbackExemption, Allow and Deny"
            ));
        }
    };
    let mut target = RuleTarget::Any;
    let mut ports = None;
    let mut direction = RuleDirection::Both;
    for (key, value) in attributes(e, &["host", "address", "port", "direction"])? {
        match key.as_str() {
            "host" | "address" if target != RuleTarget::Any => {
                return Err(format!("<netrt:{local}> takes host or address, not both (write two rules)"));
            }
            "host" => target = rules::parse_host(&value)?,
            "address" => target = rules::parse_network(&value)?,
            "port" => ports = Some(rules::parse_ports(&value)?),
            _ => direction = rules::parse_direction(&value)?,
        }
    }
    if target == RuleTarget::Any && ports.is_none() {
        return Err(format!("<netrt:{local}> needs a host, address or port to match"));
    }
    out.rules.push(Rule { action, target, ports, direction, line });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(caps: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
             <Package xmlns=\"{}\" xmlns:uap=\"http://schemas.microsoft.com/appx/manifest/uap/windows10\" \
             xmlns:rescap=\"{RESCAP}\" xmlns:netrt=\"{NETRT_NAMESPACE}\">\n\
             <Capabilities>\n{caps}\n</Capabilities>\n</Package>\n",
            FOUNDATION[0]
        )
    }

    fn failure(caps: &str) -> ParseError {
        parse(&package(caps)).unwrap_err()
    }

    #[test]
    fn reads_capabilities_and_rules() {
        let p = parse(&package(
            "<Capability Name=\"internetClient\"/>\n<uap:Capability Name=\"sharedUserCertificates\"/>\n\
             <rescap:Capability Name=\"runFullTrust\"/>\n<DeviceCapability Name=\"proximity\"/>\n\
             <netrt:Network>\n<netrt:LoopbackExemption direction=\"outbound\"/>\n\
             <netrt:Deny host=\"*.example.com\" port=\"1-1024\"/>\n<netrt:Allow address=\"fd00::/8\"/>\n</netrt:Network>",
        ))
        .unwrap();
        let names: Vec<&str> = p.capabilities.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["internetClient", "sharedUserCertificates", "runFullTrust", "proximity"]);
        assert_eq!(p.loopback, (true, false));
        assert_eq!(p.rules.len(), 2);
        assert_eq!(p.rules[0].line, 10);
        assert_eq!(p.rules[0].to_string(), "Deny host=\"*.example.com\" port=\"1-1024\"");
        assert_eq!(p.rules[1].target, RuleTarget::Network("fd00::".parse().unwrap(), 8));
    }

    #[test]
    fn problems_name_their_line() {
        let e = failure("<Capability Name=\"internetClient\"/>\n<Capability Name=\"internetclient\"/>");
        assert_eq!(e.line, 5, "{e:?}");
        assert!(e.problem.contains("did you mean \"internetClient\""), "{e:?}");
        let e = failure("<netrt:Network>\n<netrt:Deny address=\"10.0.0.1/8\"/>\n</netrt:Network>");
        assert_eq!(e.line, 5, "{e:?}");
        assert!(e.problem.contains("bits set"), "{e:?}");
        let e = failure("<Capability Name=\"internetClient\">\n</Capabilitie>");
        assert!(e.problem.starts_with("malformed XML"), "{e:?}");
        assert_eq!(e.line, 5, "{e:?}");
        let e = failure("<netrt:Network><netrt:Allow/></netrt:Network>");
        assert!(e.problem.contains("needs a host, address or port"), "{e:?}");
        let e = failure("<netrt:Network><netrt:Allow host=\"a.com\" colour=\"red\"/></netrt:Network>");
        assert!(e.problem.contains("unknown attribute \"colour\""), "{e:?}");
        let e = failure("<Capability Name=\"internetClient\"/><Capability Name=\"internetClient\"/>");
        assert!(e.problem.contains("declared twice"), "{e:?}");
        let e = failure("<Capability/>");
        assert!(e.problem.contains("no Name"), "{e:?}");
        let e = failure("<netrt:Network><netrt:Rule host=\"a.com\"/></netrt:Network>");
        assert!(e.problem.contains("<netrt:Rule> is unknown"), "{e:?}");
    }

    #[test]
    fn refuses_what_is_not_a_manifest() {
        assert!(parse("<Package/>").unwrap_err().problem.contains("root element"));
        assert!(parse("").unwrap_err().problem.contains("no <Package>"));
        let e = parse("<!DOCTYPE x [<!ENTITY a \"b\">]><Package/>").unwrap_err();
        assert!(e.problem.contains("DOCTYPE"), "{e:?}");
        let e = parse(&format!("<Package xmlns=\"{}\"><Capabilities>", FOUNDATION[0])).unwrap_err();
        assert!(e.problem.contains("malformed XML"), "{e:?}");
    }
}
