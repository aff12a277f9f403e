//! The capability policy through the query API (no manifest is loaded in this process):
//! capability sets × direction × address class, rules, the sample manifest, and precise
//! errors for malformed manifests. Real traffic under a loaded manifest is in
//! capabilities_enforced.rs (child processes, loopback and a network namespace).

use std::net::SocketAddr;

use netrt::capability::{AppManifest, NetworkDirection};
use netrt::error::hresult::{E_ACCESSDENIED, E_INVALIDARG, WSAEACCES_HR};

const NS: &str = "xmlns=\"http://schemas.microsoft.com/appx/manifest/foundation/windows10\" \
                  xmlns:uap=\"http://schemas.microsoft.com/appx/manifest/uap/windows10\" \
                  xmlns:netrt=\"http://netrt.invalid/manifest/1\"";

fn manifest(body: &str) -> AppManifest {
    let text = format!("<Package {NS}>\n<Capabilities>\n{body}\n</Capabilities>\n</Package>\n");
    AppManifest::parse(&text, "test.appxmanifest").unwrap_or_else(|e| panic!("{e}"))
}

fn caps(names: &[&str], exemption: bool) -> AppManifest {
    let mut body: String = names.iter().map(|n| format!("<Capability Name=\"{n}\"/>\n")).collect();
    if exemption {
        body.push_str("<netrt:Network><netrt:LoopbackExemption/></netrt:Network>");
    }
    manifest(&body)
}

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// "ok", "WSAEACCES" or "E_ACCESSDENIED" for one query.
fn outcome(m: &AppManifest, d: NetworkDirection, a: &str) -> &'static str {
    match m.check_access(d, None, &addr(a)) {
        Ok(()) => "ok",
        Err(e) if e.hresult() == WSAEACCES_HR => "WSAEACCES",
        Err(e) if e.hresult() == E_ACCESSDENIED => "E_ACCESSDENIED",
        Err(e) => panic!("unexpected error {e}"),
    }
}

const INTERNET: &str = "93.184.216.34:443";
const PRIVATE: &str = "192.168.1.20:80";
const ULA: &str = "[fd00:1::5]:80";
const LINK_LOCAL: &str = "169.254.10.1:80";
const CGNAT: &str = "100.64.0.9:80";
const LOOPBACK: &str = "127.0.0.1:80";
const WILDCARD: &str = "[::]:0";

/// (direction, address, expected outcome) for one capability set.
type Cases<'a> = &'a [(NetworkDirection, &'a str, &'a str)];

#[test]
fn capability_sets_by_direction_and_address_class() {
    use NetworkDirection::{Inbound as In, Listen, Outbound as Out};
    let (ok, wsa, denied) = ("ok", "WSAEACCES", "E_ACCESSDENIED");
    // (capabilities, loopback exemption, [(direction, address, expected)])
    let table: &[(&[&str], bool, Cases<'_>)] = &[
        (
            &[],
            true,
            &[
                (Out, INTERNET, wsa),
                (Out, PRIVATE, wsa),
                (Out, LOOPBACK, wsa),
                (Listen, WILDCARD, denied),
                (In, INTERNET, denied),
            ],
        ),
        (
            &["internetClient"],
            false,
            &[
                (Out, INTERNET, ok),
                (Out, CGNAT, ok),
                (Out, PRIVATE, wsa),
                (Out, ULA, wsa),
                (Out, LINK_LOCAL, wsa),
                (Out, LOOPBACK, wsa),
                (Out, "[::1]:80", wsa),
                (Listen, WILDCARD, denied),
                (Listen, "93.184.216.34:80", denied),
                (In, INTERNET, denied),
            ],
        ),
        (
            &["internetClient"],
            true,
            &[
                (Out, LOOPBACK, ok),
                (Listen, WILDCARD, denied),
                (Listen, LOOPBACK, denied),
                (In, LOOPBACK, denied),
            ],
        ),
        (
            &["internetClientServer"],
            false,
            &[
                (Out, INTERNET, ok),
                (Out, PRIVATE, wsa),
                (Out, LOOPBACK, wsa),
                (Listen, WILDCARD, ok),
                (Listen, PRIVATE, denied),
                (Listen, LOOPBACK, denied),
                (In, INTERNET, ok),
                (In, PRIVATE, denied),
                (In, LOOPBACK, denied),
            ],
        ),
        (
            &["internetClientServer"],
            true,
            &[(Out, LOOPBACK, ok), (Listen, LOOPBACK, ok), (In, LOOPBACK, ok), (In, "[::1]:5", ok)],
        ),
        (
            &["privateNetworkClientServer"],
            false,
            &[
                (Out, INTERNET, wsa),
                (Out, PRIVATE, ok),
                (Out, ULA, ok),
                (Out, LINK_LOCAL, ok),
                (Out, CGNAT, wsa),
                (Listen, WILDCARD, ok),
                (Listen, PRIVATE, ok),
                (In, PRIVATE, ok),
                (In, ULA, ok),
                (In, INTERNET, denied),
                (In, LOOPBACK, denied),
            ],
        ),
        (
            &["internetClient", "privateNetworkClientServer"],
            true,
            &[
                (Out, INTERNET, ok),
                (Out, PRIVATE, ok),
                (Out, LOOPBACK, ok),
                (Listen, WILDCARD, ok),
                (In, INTERNET, denied),
                (In, PRIVATE, ok),
                (In, LOOPBACK, ok),
            ],
        ),
    ];
    for (names, exemption, cases) in table {
        let m = caps(names, *exemption);
        for (d, a, want) in cases.iter() {
            assert_eq!(outcome(&m, *d, a), *want, "{names:?} exemption={exemption} {d:?} {a}");
        }
    }
}

#[test]
fn denial_messages_name_what_is_missing() {
    let m = caps(&["internetClient"], false);
    let e = m.check_access(NetworkDirection::Listen, None, &addr(WILDCARD)).unwrap_err();
    assert!(e.message().contains("internetClientServer / privateNetworkClientServer"), "{e}");
    let e = m.check_access(NetworkDirection::Outbound, None, &addr(PRIVATE)).unwrap_err();
    assert!(e.message().contains("privateNetworkClientServer capability"), "{e}");
    assert!(e.message().contains("private network address"), "{e}");
    let e = m.check_access(NetworkDirection::Outbound, None, &addr(LOOPBACK)).unwrap_err();
    assert!(e.message().contains("loopback exemption"), "{e}");
    assert!(e.message().contains("test.appxmanifest"), "{e}");
}

#[test]
fn loopback_exemption_by_direction() {
    let m = manifest(
        "<Capability Name=\"internetClientServer\"/>\n\
         <netrt:Network><netrt:LoopbackExemption direction=\"outbound\"/></netrt:Network>",
    );
    assert_eq!(m.loopback_exemption(), (true, false));
    assert_eq!(outcome(&m, NetworkDirection::Outbound, LOOPBACK), "ok");
    assert_eq!(outcome(&m, NetworkDirection::Inbound, LOOPBACK), "E_ACCESSDENIED");
    assert_eq!(outcome(&m, NetworkDirection::Listen, LOOPBACK), "E_ACCESSDENIED");
}

#[test]
fn rules_narrow_what_capabilities_allow() {
    let m = manifest(
        "<Capability Name=\"internetClientServer\"/>\n<netrt:Network>\n\
         <netrt:Deny address=\"203.0.113.0/24\" port=\"25\"/>\n\
         <netrt:Allow host=\"*.contoso.com\" direction=\"outbound\"/>\n\
         <netrt:Allow address=\"198.51.100.0/24\" port=\"8000-8999\"/>\n</netrt:Network>",
    );
    let out = NetworkDirection::Outbound;
    let check = |host: Option<&str>, a: &str| m.check_access(out, host, &addr(a));
    let e = check(None, "203.0.113.7:25").unwrap_err();
    assert_eq!(e.hresult(), WSAEACCES_HR);
    assert!(e.message().contains("line 5"), "{e}");
    assert!(e.message().contains("Deny address=\"203.0.113.0/24\" port=\"25\""), "{e}");
    assert!(check(Some("www.contoso.com"), "93.184.216.34:443").is_ok());
    assert!(check(None, "198.51.100.4:8080").is_ok());
    let e = check(Some("www.fabrikam.com"), "93.184.216.34:443").unwrap_err();
    assert!(e.message().contains("none of the <netrt:Allow> rules"), "{e}");
    assert!(check(None, "198.51.100.4:9000").is_err());
    // Inbound: only the address rule is an allow rule for inbound traffic.
    let inbound = |a: &str| m.check_access(NetworkDirection::Inbound, None, &addr(a));
    assert!(inbound("198.51.100.9:8500").is_ok());
    assert_eq!(inbound("93.184.216.34:8500").unwrap_err().hresult(), E_ACCESSDENIED);
    // Rules never grant what the capabilities do not: a private address stays refused.
    let m = manifest(
        "<Capability Name=\"internetClient\"/><netrt:Network><netrt:Allow address=\"10.0.0.0/8\"/></netrt:Network>",
    );
    assert_eq!(outcome(&m, out, "10.1.1.1:80"), "WSAEACCES");
}

fn manifests_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/manifests")
}

#[test]
fn a_real_package_manifest_loads() {
    let m = AppManifest::from_file(manifests_dir().join("Package.appxmanifest")).unwrap();
    assert_eq!(
        m.capabilities(),
        [
            "internetClientServer",
            "privateNetworkClientServer",
            "sharedUserCertificates",
            "enterpriseAuthentication",
            "runFullTrust",
            "proximity"
        ]
    );
    assert!(m.has_capability("runFullTrust"));
    assert!(!m.has_capability("internetClient"));
    assert_eq!(m.loopback_exemption(), (true, true));
    assert_eq!(m.rules().len(), 2);
    assert_eq!(outcome(&m, NetworkDirection::Outbound, "192.0.2.1:443"), "WSAEACCES");
    let host_rule =
        m.check_access(NetworkDirection::Outbound, Some("www.blocked.example"), &addr("93.184.216.34:80"));
    assert_eq!(host_rule.unwrap_err().hresult(), WSAEACCES_HR);
    assert!(
        m.check_access(NetworkDirection::Outbound, Some("www.blocked.example"), &addr("93.184.216.34:8080"))
            .is_ok()
    );
}

fn load_error(text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("netrt-caps-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.appxmanifest");
    std::fs::write(&path, text).unwrap();
    let e = AppManifest::from_file(&path).unwrap_err();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(e.hresult(), E_INVALIDARG, "{e}");
    e.message().to_string()
}

#[test]
fn malformed_manifests_fail_with_the_line_and_the_problem() {
    let head = format!("<?xml version=\"1.0\"?>\n<Package {NS}>\n<Capabilities>\n");
    let cases: &[(&str, &str)] = &[
        ("<Capability Name=\"internetClient\">\n</Capabilities>\n</Package>", "line 5: malformed XML"),
        (
            "<Capability Name=\"internetclient\"/>\n</Capabilities>\n</Package>",
            "line 4: unknown capability \"internetclient\" (names are case-sensitive: did you mean \"internetClient\"?)",
        ),
        (
            "<Capability Name=\"teleport\"/>\n</Capabilities>\n</Package>",
            "line 4: unknown capability \"teleport\"",
        ),
        (
            "<Capability Name=\"proximity\"/>\n</Capabilities>\n</Package>",
            "line 4: capability \"proximity\" is declared with DeviceCapability",
        ),
        (
            "\n<netrt:Network>\n<netrt:Deny address=\"10.0.0.0/40\"/>\n</netrt:Network>\n</Capabilities>\n</Package>",
            "line 6: address \"10.0.0.0/40\": the prefix length must be 0-32",
        ),
        (
            "<netrt:Network><netrt:Allow host=\"www.*.com\"/></netrt:Network>\n</Capabilities>\n</Package>",
            "line 4: host \"www.*.com\" is not a host name",
        ),
        (
            "<netrt:Network><netrt:Allow port=\"70000\"/></netrt:Network>\n</Capabilities>\n</Package>",
            "line 4: port \"70000\" is not a port",
        ),
        (
            "<netrt:Network><netrt:Allow host=\"a.com\" address=\"1.2.3.4\"/></netrt:Network>\n</Capabilities>\n</Package>",
            "takes host or address, not both",
        ),
        (
            "<netrt:Network><netrt:LoopbackExemption direction=\"sideways\"/></netrt:Network>\n</Capabilities>\n</Package>",
            "direction \"sideways\" must be outbound, inbound or both",
        ),
        (
            "</Capabilities>\n<netrt:Network/>\n</Package>",
            "line 5: <netrt:Network> is only understood inside <Capabilities>",
        ),
    ];
    for (tail, want) in cases {
        let msg = load_error(&format!("{head}{tail}"));
        assert!(msg.contains(want), "wanted {want:?} in {msg:?}");
        assert!(msg.contains("bad.appxmanifest"), "{msg}");
    }
    assert!(
        load_error("<Package><Capabilities/></Package>")
            .contains("line 1: the root element must be <Package>")
    );
    assert!(load_error("<!DOCTYPE Package SYSTEM \"http://x.invalid/p.dtd\"><Package/>").contains("DOCTYPE"));
    assert!(load_error("\u{1}").contains("malformed XML") || load_error("\u{1}").contains("no <Package>"));
}

#[test]
fn a_missing_file_is_file_not_found() {
    let e = AppManifest::from_file("/nonexistent/netrt/Package.appxmanifest").unwrap_err();
    assert_eq!(e.hresult() as u32, 0x8007_0002, "{e}");
    assert!(e.message().contains("/nonexistent/netrt/Package.appxmanifest"), "{e}");
}

#[test]
fn no_manifest_means_unrestricted() {
    // This process never loads one (NETRT_MANIFEST is not set by the test runner).
    assert!(std::env::var_os("NETRT_MANIFEST").is_none(), "run the tests without NETRT_MANIFEST");
    assert!(AppManifest::current().unwrap().is_none());
    for a in [INTERNET, PRIVATE, LOOPBACK] {
        for d in [NetworkDirection::Outbound, NetworkDirection::Listen, NetworkDirection::Inbound] {
            assert!(netrt::capability::check(d, &addr(a)).is_ok());
        }
    }
    assert!(netrt::capability::check_client_certificate().is_ok());
}
