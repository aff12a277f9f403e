//! TLS for netrt (docs/tls.md): the WinRT `Certificate` type, chain-validation results in WinRT
//! terms, the trust store, recording verifiers, and the client handshake configuration.

pub mod certificate;
pub mod chain;
pub mod client;
mod der;
mod key;
mod name;
pub mod record;
pub(crate) mod server;
pub mod trust;
mod validate;
pub mod verifier;

pub use certificate::Certificate;
pub use chain::{ChainValidationResult, ClientCertificateMode, SocketSslErrorSeverity};
pub use client::TlsSessionInfo;
pub use verifier::{RecordingClientVerifier, RecordingVerifier, SharedRecord, VerificationRecord};

#[cfg(test)]
mod tests;
