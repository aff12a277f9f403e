//! Why a command failed, and the exit status that says so (the table is `args::EXIT_CODES`).

use std::fmt;

use netrt::tls::ChainValidationResult;

/// A failed command. Every network failure keeps netrt's [`netrt::Error`] (HRESULT + detail).
#[derive(Debug)]
pub enum Failure {
    /// A netrt operation failed.
    Net(netrt::Error),
    /// A command-line value netrt cannot use (exit 2).
    Usage(String),
    /// A local file or environment variable could not be used (exit 4).
    Input(String),
    /// Ctrl-C detached from a background transfer, which goes on (exit 130, like a shell's
    /// report of SIGINT); what to do next is already printed.
    Detached,
}

impl Failure {
    /// The exit status for this failure.
    pub fn exit_status(&self) -> u8 {
        match self {
            Failure::Net(e) if is_certificate_rejection(e.hresult()) => 3,
            Failure::Net(_) => 1,
            Failure::Usage(_) => 2,
            Failure::Input(_) => 4,
            Failure::Detached => DETACHED,
        }
    }

    /// Wraps a netrt error about a local input (a certificate or key that does not parse).
    pub fn input(what: impl fmt::Display, e: netrt::Error) -> Failure {
        Failure::Input(format!("{what}: {} (HRESULT 0x{:08X})", e.message(), e.hresult() as u32))
    }
}

impl From<netrt::Error> for Failure {
    fn from(e: netrt::Error) -> Self {
        Failure::Net(e)
    }
}

/// Whether `hr` is the HRESULT of a certificate problem: one a `ChainValidationResult` names
/// (the `Certificate*` members of SocketErrorStatus, or `TRUST_E_FAIL` for `OtherErrors`), or
/// the web layer's rejection of a certificate.
fn is_certificate_rejection(hr: netrt::HResult) -> bool {
    use netrt::error::{SocketErrorStatus as S, WebErrorStatus as W};
    let socket = netrt::error::socket_error_get_status(hr);
    let web = netrt::error::web_error_get_status(hr);
    (S::CertificateExpired as i32..=S::CertificateIsInvalid as i32).contains(&(socket as i32))
        || (W::CertificateCommonNameIsIncorrect as i32..=W::CertificateIsInvalid as i32)
            .contains(&(web as i32))
        || hr == netrt::tls::chain::hresult_for(ChainValidationResult::OtherErrors)
}

/// Exit status 130 (128 + SIGINT): Ctrl-C detached from a background transfer.
pub const DETACHED: u8 = 130;

/// Exit status 70 (EX_SOFTWARE): a bug inside netrt.
pub const INTERNAL_ERROR: u8 = 70;
