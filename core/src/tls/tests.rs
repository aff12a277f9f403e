//! Real rustls handshakes, in memory, between configs built the way the socket integration
//! will build them: the server presents a [`Certificate`]'s `certified_key`, the client a
//! `rustls_chain` + `rustls_private_key`, and the recording verifiers judge both ends.
//! Certificates come from `openssl` (tests/common/pki.rs), never from netrt.

use std::sync::Arc;

use rustls::client::ResolvesClientCert;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::ServerName;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::{
    CertificateError, ClientConfig, ClientConnection, Connection, RootCertStore, ServerConfig,
    ServerConnection, SignatureScheme, SupportedProtocolVersion,
};

use super::chain::ChainValidationResult::{self, Untrusted};
use super::{Certificate, ClientCertificateMode, RecordingClientVerifier, RecordingVerifier};

#[path = "../../tests/common/pki.rs"]
pub(crate) mod pki;
use pki::Pki;

const TLS13: &[&SupportedProtocolVersion] = &[&rustls::version::TLS13];
const TLS12: &[&SupportedProtocolVersion] = &[&rustls::version::TLS12];

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Serves one `CertifiedKey`, as the listener integration will.
#[derive(Debug)]
struct Serve(Arc<CertifiedKey>);

impl ResolvesServerCert for Serve {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(Arc::clone(&self.0))
    }
}

impl ResolvesClientCert for Serve {
    fn resolve(&self, _: &[&[u8]], _: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        Some(Arc::clone(&self.0))
    }

    fn has_certs(&self) -> bool {
        true
    }
}

fn cert(chain: &[&str], key: &str) -> Certificate {
    let pki = Pki::get();
    let pem: String = chain.iter().map(|n| pki.pem(n)).collect();
    Certificate::from_pem(&pem, Some(&pki.key(key))).expect("certificate with key")
}

pub(super) fn roots(names: &[&str]) -> Vec<Certificate> {
    names.iter().map(|n| Certificate::from_der(&Pki::get().der(n)).expect("root")).collect()
}

fn client_verifier(trusted: &[&str], ignore: &[ChainValidationResult]) -> Arc<RecordingVerifier> {
    let store = Arc::new(RootCertStore::empty());
    Arc::new(
        RecordingVerifier::new(store, &roots(trusted), ignore.to_vec(), vec![], provider())
            .expect("verifier"),
    )
}

fn server_verifier(
    mode: ClientCertificateMode,
    trusted: &[&str],
    ignore: &[ChainValidationResult],
) -> Arc<RecordingClientVerifier> {
    let store =
        super::trust::with_extra_roots(&Arc::new(RootCertStore::empty()), &roots(trusted)).expect("store");
    Arc::new(
        RecordingClientVerifier::new(mode, store, ignore.to_vec(), vec![], provider()).expect("verifier"),
    )
}

fn server_config(
    cert: &Certificate,
    verifier: Option<Arc<RecordingClientVerifier>>,
    versions: &[&'static SupportedProtocolVersion],
) -> ServerConfig {
    let builder =
        ServerConfig::builder_with_provider(provider()).with_protocol_versions(versions).expect("versions");
    let builder = match verifier {
        Some(v) => builder.with_client_cert_verifier(v),
        None => builder.with_no_client_auth(),
    };
    builder.with_cert_resolver(Arc::new(Serve(cert.certified_key().expect("key"))))
}

fn client_config(
    verifier: Arc<RecordingVerifier>,
    client_cert: Option<&Certificate>,
    versions: &[&'static SupportedProtocolVersion],
) -> ClientConfig {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(versions)
        .expect("versions")
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    match client_cert {
        Some(c) => builder
            .with_client_auth_cert(c.rustls_chain(), c.rustls_private_key().expect("key"))
            .expect("client auth cert"),
        None => builder.with_no_client_auth(),
    }
}

/// Which side failed, and how.
type Failure = (&'static str, rustls::Error);

fn pump(from: &mut Connection, to: &mut Connection) {
    let mut bytes = Vec::new();
    while from.wants_write() {
        from.write_tls(&mut bytes).expect("write_tls");
    }
    let mut rd = &bytes[..];
    while !rd.is_empty() {
        to.read_tls(&mut rd).expect("read_tls");
    }
}

fn handshake(client: ClientConfig, server: ServerConfig, host: &str) -> Result<(), Failure> {
    shared_handshake(&Arc::new(client), &Arc::new(server), host).map(|_| ())
}

/// A handshake with configs that may be reused (for resumption); returns the client side.
fn shared_handshake(
    client: &Arc<ClientConfig>,
    server: &Arc<ServerConfig>,
    host: &str,
) -> Result<Connection, Failure> {
    let name = ServerName::try_from(host.to_owned()).expect("name");
    let mut c = Connection::Client(ClientConnection::new(Arc::clone(client), name).expect("client"));
    let mut s = Connection::Server(ServerConnection::new(Arc::clone(server)).expect("server"));
    for _ in 0..10 {
        pump(&mut c, &mut s);
        s.process_new_packets().map_err(|e| ("server", e))?;
        pump(&mut s, &mut c);
        c.process_new_packets().map_err(|e| ("client", e))?;
        if !c.is_handshaking() && !s.is_handshaking() {
            // TLS 1.3: the server judges the client certificate after the client is done, and
            // sends session tickets after its own Finished.
            pump(&mut c, &mut s);
            s.process_new_packets().map_err(|e| ("server", e))?;
            pump(&mut s, &mut c);
            c.process_new_packets().map_err(|e| ("client", e))?;
            return Ok(c);
        }
    }
    panic!("handshake did not finish");
}

#[test]
fn server_auth_with_each_key_type_and_version() {
    let cases = [
        (&["leaf_inter", "inter"][..], "leaf_inter", TLS13, 1), // ECDSA P-256 with an intermediate
        (&["leaf_inter", "inter"][..], "leaf_inter", TLS12, 1),
        (&["rsa"][..], "rsa", TLS12, 0),     // RSA (PKCS#1 key file)
        (&["rsa"][..], "rsa", TLS13, 0),     // RSA-PSS in TLS 1.3
        (&["multi"][..], "multi", TLS13, 0), // Ed25519
    ];
    for (chain, key, versions, intermediates) in cases {
        let server_cert = cert(chain, key);
        let verifier = client_verifier(&["ca"], &[]);
        let result = handshake(
            client_config(Arc::clone(&verifier), None, versions),
            server_config(&server_cert, None, versions),
            "localhost",
        );
        let record = verifier.snapshot();
        assert!(result.is_ok(), "{chain:?} {result:?} {:?}", record.details);
        assert!(record.errors.is_empty() && record.accepted);
        assert_eq!(record.server_certificate.map(|c| c.to_der()), Some(server_cert.to_der()));
        assert_eq!(record.intermediates.len(), intermediates);
    }
}

#[test]
fn untrusted_server_recorded_after_failure_and_accepted_when_ignored() {
    let server_cert = cert(&["selfsigned"], "selfsigned");
    for versions in [TLS13, TLS12] {
        let strict = client_verifier(&["ca"], &[]);
        let result = handshake(
            client_config(Arc::clone(&strict), None, versions),
            server_config(&server_cert, None, versions),
            "localhost",
        );
        let (side, error) = result.expect_err("untrusted must fail");
        assert_eq!(side, "client");
        assert_eq!(error, rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer));
        let record = strict.snapshot();
        assert_eq!(record.errors, [Untrusted]);
        assert!(!record.accepted && record.server_certificate.is_some());

        let lenient = client_verifier(&["ca"], &[Untrusted]);
        let result = handshake(
            client_config(Arc::clone(&lenient), None, versions),
            server_config(&server_cert, None, versions),
            "localhost",
        );
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(lenient.snapshot().errors, [Untrusted]);
    }
}

#[test]
fn client_certificate_modes() {
    use ClientCertificateMode::{None as Never, Optional, Required};
    let server_cert = cert(&["leaf"], "leaf");
    let client_cert = cert(&["clientonly"], "clientonly");
    let run = |mode, trusted: &[&str], ignore: &[ChainValidationResult], present: Option<&Certificate>| {
        let verifier = server_verifier(mode, trusted, ignore);
        let result = handshake(
            client_config(client_verifier(&["ca"], &[]), present, TLS13),
            server_config(&server_cert, Some(Arc::clone(&verifier)), TLS13),
            "localhost",
        );
        (result, verifier.snapshot())
    };

    let (result, record) = run(Required, &["ca"], &[], Some(&client_cert));
    assert!(result.is_ok(), "{result:?} {:?}", record.details);
    assert_eq!(record.server_certificate.map(|c| c.subject().to_owned()).as_deref(), Some("client one"));
    assert!(record.errors.is_empty());

    let (result, _) = run(Required, &["ca"], &[], None);
    assert_eq!(result.expect_err("required").0, "server");

    let (result, record) = run(Optional, &["ca"], &[], None);
    assert!(result.is_ok() && record.server_certificate.is_none(), "{result:?}");

    let (result, record) = run(Never, &["ca"], &[], Some(&client_cert));
    assert!(result.is_ok() && record.server_certificate.is_none(), "{result:?}");

    // A client certificate nobody here trusts: refused, or recorded and accepted if ignored.
    let (result, record) = run(Required, &["other_ca"], &[], Some(&client_cert));
    assert_eq!(result.expect_err("untrusted client").0, "server");
    assert_eq!(record.errors, [Untrusted]);
    let (result, record) = run(Required, &[], &[Untrusted], Some(&client_cert));
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(record.errors, [Untrusted]);

    // A serverAuth-only certificate used as a client certificate is WrongUsage.
    let (result, record) = run(Required, &["ca"], &[], Some(&server_cert));
    assert!(result.is_err());
    assert_eq!(record.errors, [ChainValidationResult::WrongUsage]);
}

#[test]
fn client_certificate_from_pkcs12_via_certified_key() {
    let pki = Pki::get();
    let p12 = Certificate::from_pkcs12(&pki.read("leaf.p12"), "secret").expect("pkcs12");
    let server_cert = cert(&["leaf"], "leaf");
    // leaf.p12 holds a serverAuth certificate; accepting WrongUsage shows the key signs correctly.
    let verifier =
        server_verifier(ClientCertificateMode::Required, &["ca"], &[ChainValidationResult::WrongUsage]);
    let client = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(TLS12)
        .expect("versions")
        .dangerous()
        .with_custom_certificate_verifier(client_verifier(&["ca"], &[]))
        .with_client_cert_resolver(Arc::new(Serve(p12.certified_key().expect("key"))));
    let result =
        handshake(client, server_config(&server_cert, Some(Arc::clone(&verifier)), TLS12), "localhost");
    assert!(result.is_ok(), "{result:?}");
    let record = verifier.snapshot();
    assert_eq!(record.server_certificate.map(|c| c.to_der()), Some(p12.to_der()));
    // The CA that came in the PKCS#12 file was sent along as an intermediate.
    assert_eq!(record.intermediates.len(), 1);
}

#[test]
fn shared_verifier_resumes_and_records_per_connection() {
    use super::record::{VerificationRecord, lock, with_record};
    let server_cert = cert(&["leaf"], "leaf");
    let server = Arc::new(server_config(&server_cert, None, TLS13));
    let verifier = client_verifier(&["ca"], &[]);
    let client = Arc::new(client_config(Arc::clone(&verifier), None, TLS13));
    let (first, second) = (super::SharedRecord::default(), super::SharedRecord::default());

    let conn = with_record(&first, || shared_handshake(&client, &server, "localhost")).expect("first");
    assert_eq!(conn.handshake_kind(), Some(rustls::HandshakeKind::Full));
    let conn = with_record(&second, || shared_handshake(&client, &server, "localhost")).expect("second");
    assert_eq!(conn.handshake_kind(), Some(rustls::HandshakeKind::Resumed));

    let first: VerificationRecord = lock(&first).clone();
    assert_eq!(first.server_certificate.map(|c| c.to_der()), Some(server_cert.to_der()));
    // rustls does not verify a resumed session again: the record stays empty...
    let second = lock(&second).clone();
    assert!(second.server_certificate.is_none());
    // ...and is rebuilt from the certificates the session carries.
    let peer = conn.peer_certificates().expect("resumed sessions keep the server's chain");
    let name = ServerName::try_from("localhost").expect("name");
    let rebuilt = verifier.validate(&peer[0], &peer[1..], &name, rustls::pki_types::UnixTime::now());
    assert!(rebuilt.accepted && rebuilt.errors.is_empty());
    assert_eq!(rebuilt.server_certificate.map(|c| c.to_der()), Some(server_cert.to_der()));
    // The verifier's own record was never written: every handshake ran inside a scope.
    assert!(verifier.snapshot().server_certificate.is_none());

    // A different verifier instance (even with the same policy) cannot resume: rustls's rule.
    let other = Arc::new(client_config(Arc::new(verifier.fresh()), None, TLS13));
    let conn = shared_handshake(&other, &server, "localhost").expect("third");
    assert_eq!(conn.handshake_kind(), Some(rustls::HandshakeKind::Full));
}

#[test]
fn a_server_certificate_seen_again_after_its_connection_closed_is_not_parsed_again() {
    // A certificate no other test here verifies, so no other test keeps it alive meanwhile.
    let der = Pki::get().der("san_all");
    let verifier = client_verifier(&["ca"], &[]);
    let name = ServerName::try_from("localhost").expect("name");
    let now = rustls::pki_types::UnixTime::now();
    let first = verifier.validate(&der.clone().into(), &[], &name, now).server_certificate.expect("parsed");
    let parsed_at = first.parsed_address();
    // The connection that had it closed: nothing holds the certificate any more.
    drop(first);
    let again = verifier.validate(&der.into(), &[], &name, now).server_certificate.expect("parsed");
    assert_eq!(again.parsed_address(), parsed_at);
}

#[test]
fn an_apps_own_roots_are_tried_before_the_system_ones() {
    let pki = Pki::get();
    let mut system = RootCertStore::empty();
    system.add(pki.der("other_ca").into()).expect("anchor");
    let store = super::trust::with_extra_roots(&Arc::new(system), &roots(&["ca"])).expect("store");
    let subject_of = |name: &str| {
        let der = pki.der(name);
        webpki::anchor_from_trusted_cert(&der.into()).expect("anchor").subject.to_vec()
    };
    let order: Vec<Vec<u8>> = store.roots.iter().map(|a| a.subject.to_vec()).collect();
    assert_eq!(order, [subject_of("ca"), subject_of("other_ca")]);
}
