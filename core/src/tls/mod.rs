//! TLS for netrt (docs/tls.md): the WinRT `Certificate` type, chain-validation results in WinRT
//! terms, the trust store, recording verifiers, and the client handshake configuration.

pub mod certificate;
pub(crate) mod certificate_list;
pub mod chain;
pub mod chain_build;
pub mod chain_params;
pub mod client;
mod der;
pub mod details;
pub mod extension;
mod interned;
mod key;
mod name;
pub mod record;
pub(crate) mod server;
pub mod trust;
mod validate;
pub mod verifier;
pub mod version;

pub use certificate::Certificate;
pub use chain::{ChainValidationResult, ClientCertificateMode, SocketSslErrorSeverity};
pub use chain_build::{CertificateChain, CertificateChainPolicy, ChainValidationParameters};
pub use chain_params::ChainBuildingParameters;
pub use client::TlsSessionInfo;
pub use details::{CertificateKeyUsages, SubjectAlternativeNameInfo, SubjectAlternativeNameKind};
pub use extension::CertificateExtension;
pub use verifier::{RecordingClientVerifier, RecordingVerifier, SharedRecord, VerificationRecord};
pub use version::TlsVersion;

#[cfg(test)]
pub(crate) mod tests;
