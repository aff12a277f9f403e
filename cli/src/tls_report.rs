//! What `openssl s_client` shows about a TLS connection — version, cipher, ALPN, the chain with
//! subjects and validity, and every certificate problem with its severity — from netrt's
//! `Information` objects, for a person (stderr) or as JSON.

use netrt::net::StreamSocketInformation;
use netrt::tls::{Certificate, ChainValidationResult, SocketSslErrorSeverity, TlsVersion};
use serde_json::{Value, json};

use crate::output::{BAD, DIM, GOOD, LABEL, WARN};

/// The TLS facts of one connection (or of a handshake that failed on the certificate).
pub struct TlsFacts {
    pub version: TlsVersion,
    pub cipher_suite: String,
    pub alpn: Option<String>,
    pub server_name: Option<String>,
    /// The server's certificate, then the intermediates it sent.
    pub chain: Vec<Certificate>,
    /// Every problem found, ignored ones included (`ServerCertificateErrors`).
    pub errors: Vec<ChainValidationResult>,
    pub severity: SocketSslErrorSeverity,
}

impl TlsFacts {
    /// From a StreamSocket's Information; `None` when no TLS handshake was attempted.
    pub fn of_socket(info: &StreamSocketInformation) -> Option<TlsFacts> {
        let server = info.server_certificate();
        let version = info.negotiated_tls_version();
        if server.is_none() && version == TlsVersion::None {
            return None;
        }
        let mut chain: Vec<Certificate> = server.into_iter().collect();
        chain.extend(info.server_intermediate_certificates());
        Some(TlsFacts {
            version,
            cipher_suite: info.cipher_suite(),
            alpn: info.application_protocol(),
            server_name: info.server_name(),
            chain,
            errors: info.server_certificate_errors(),
            severity: info.server_certificate_error_severity(),
        })
    }

    pub fn to_json(&self) -> Value {
        json!({
            "version": version_text(self.version),
            "version_code": self.version.wire(),
            "cipher_suite": non_empty(&self.cipher_suite),
            "alpn": self.alpn,
            "server_name": self.server_name,
            "chain": self.chain.iter().map(certificate_json).collect::<Vec<_>>(),
            "certificate_errors": self.errors.iter().map(|r| json!({
                "result": r.name(),
                "value": *r as i32,
                "severity": r.severity().name(),
            })).collect::<Vec<_>>(),
            "certificate_error_severity": self.severity.name(),
        })
    }

    /// The human report, on stderr.
    pub fn print(&self) {
        let line = |label: &str, value: &str| anstream::eprintln!("{LABEL}{label:<12}{LABEL:#}{value}");
        match version_text(self.version) {
            Some(version) => {
                line("Protocol", version);
                line("Cipher", &self.cipher_suite);
                line("ALPN", self.alpn.as_deref().unwrap_or("(none negotiated)"));
                line("SNI", self.server_name.as_deref().unwrap_or("(not sent)"));
            }
            None => line("Protocol", "(TLS handshake not completed)"),
        }
        anstream::eprintln!("{LABEL}Certificate chain{LABEL:#}");
        for (depth, cert) in self.chain.iter().enumerate() {
            anstream::eprintln!(" {depth} s: {}", cert.subject_distinguished_name());
            anstream::eprintln!("   i: {}", cert.issuer_distinguished_name());
            anstream::eprintln!(
                "   {DIM}v: {} .. {}  {}{DIM:#}",
                cert.valid_from().to_utc_string(),
                cert.valid_to().to_utc_string(),
                cert.signature_algorithm_name()
            );
        }
        if self.chain.is_empty() {
            anstream::eprintln!(" (no certificate received)");
        }
        if self.errors.is_empty() {
            line("Verify", &format!("{GOOD}OK{GOOD:#} (no certificate problem)"));
        }
        for r in &self.errors {
            let style = if r.severity() == SocketSslErrorSeverity::Fatal { BAD } else { WARN };
            line(
                "Verify",
                &format!("{style}{}{style:#} ({}) severity {}", r.name(), *r as i32, r.severity().name()),
            );
        }
        if !self.errors.is_empty() {
            line("Severity", self.severity.name());
        }
    }
}

/// "TLS 1.3"; `None` without a completed handshake.
fn version_text(version: TlsVersion) -> Option<&'static str> {
    match version {
        TlsVersion::Tls12 => Some("TLS 1.2"),
        TlsVersion::Tls13 => Some("TLS 1.3"),
        TlsVersion::None => None,
    }
}

fn non_empty(text: &str) -> Option<&str> {
    (!text.is_empty()).then_some(text)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

pub fn certificate_json(cert: &Certificate) -> Value {
    json!({
        "subject": cert.subject_distinguished_name(),
        "issuer": cert.issuer_distinguished_name(),
        "valid_from": cert.valid_from().to_utc_string(),
        "valid_to": cert.valid_to().to_utc_string(),
        "serial_number": hex(&cert.serial_number()),
        "signature_algorithm": cert.signature_algorithm_name(),
        "sha256": hex(&cert.thumbprint_sha256()),
        "dns_names": cert.dns_names(),
    })
}
