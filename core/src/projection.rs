//! What the C, C++ and Python projections restate mechanically, declared once: every projected
//! enum (from its `winrt_enum!` declaration) and the HRESULT constants netrt names for users.
//!
//! `cargo run -p xtask -- gen` (`make header`) writes the C enums, the `NETRT_E_*` defines, the
//! C++ `enum class` block and Python's `_enums.py` from these tables; `make gen-check` fails when
//! a generated file is stale. Plumbing for that generator, not API: hidden from the docs.
#![doc(hidden)]

use crate::error::hresult::*;
use crate::error::{HResult, hresult_message};

mod any_vector;
pub use any_vector::AnyVector;

/// One member of a projected enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnumMember {
    /// The WinRT member name (`ConnectionRefused`).
    pub name: &'static str,
    /// Its value.
    pub value: i64,
    /// Its doc comment in core (one `\n`-terminated line per `///` line).
    pub doc: &'static str,
}

impl EnumMember {
    /// The first paragraph of [`EnumMember::doc`], on one line: what the projections' docs say.
    pub fn summary(&self) -> String {
        summary(self.doc)
    }
}

/// One projected enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnumTable {
    /// The WinRT namespace (`Windows.Networking.Sockets`); netrt extensions use the namespace
    /// of the class they extend.
    pub namespace: &'static str,
    /// The WinRT type name (`SocketErrorStatus`).
    pub name: &'static str,
    /// The core type's path from the crate root (`error::SocketErrorStatus`).
    pub rust_path: &'static str,
    /// A flags enum (`UInt32`; Python `IntFlag`, C `uint32_t`).
    pub flags: bool,
    /// The enum's doc comment in core (one `\n`-terminated line per `///` line).
    pub doc: &'static str,
    /// Members in ascending value order.
    pub members: &'static [EnumMember],
}

impl EnumTable {
    /// The first paragraph of [`EnumTable::doc`], on one line: what the projections' docs say.
    pub fn summary(&self) -> String {
        summary(self.doc)
    }
}

/// The first paragraph of a doc comment, its lines trimmed and joined with spaces.
fn summary(doc: &str) -> String {
    let lines = doc.lines().map(str::trim);
    lines.take_while(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

macro_rules! enum_table {
    ($namespace:literal, $($path:ident)::+) => {
        EnumTable {
            namespace: $namespace,
            name: crate::$($path)::+::TYPE_NAME,
            rust_path: stringify!($($path)::+),
            flags: crate::$($path)::+::FLAGS,
            doc: crate::$($path)::+::DOC,
            members: crate::$($path)::+::MEMBERS,
        }
    };
}

/// Every enum the projections carry, grouped by namespace.
pub const ENUMS: &[EnumTable] = &[
    enum_table!("Windows.Foundation", AsyncStatus),
    enum_table!("Windows.Networking", net::HostNameType),
    enum_table!("Windows.Networking", net::HostNameSortOptions),
    enum_table!("Windows.Networking.Sockets", error::SocketErrorStatus),
    enum_table!("Windows.Networking.Sockets", net::SocketProtectionLevel),
    enum_table!("Windows.Networking.Sockets", net::SocketQualityOfService),
    enum_table!("Windows.Networking.Sockets", tls::SocketSslErrorSeverity),
    enum_table!("Windows.Networking.Sockets", tls::ClientCertificateMode),
    enum_table!("Windows.Networking.Sockets", tls::TlsVersion),
    enum_table!("Windows.Networking.Sockets", ws::SocketMessageType),
    enum_table!("Windows.Networking.Sockets", ws::MessageWebSocketReceiveMode),
    enum_table!("Windows.Networking.Sockets", capability::NetworkDirection),
    enum_table!("Windows.Networking.Sockets", broker::SocketActivityKind),
    enum_table!("Windows.Networking.Sockets", broker::SocketActivityTriggerReason),
    enum_table!("Windows.Networking.Sockets", broker::SocketActivityConnectedStandbyAction),
    enum_table!("Windows.Networking.BackgroundTransfer", background_transfer::BackgroundTransferStatus),
    enum_table!("Windows.Networking.BackgroundTransfer", background_transfer::BackgroundTransferCostPolicy),
    enum_table!("Windows.Networking.BackgroundTransfer", background_transfer::BackgroundTransferPriority),
    enum_table!("Windows.Networking.BackgroundTransfer", background_transfer::BackgroundTransferBehavior),
    enum_table!("Windows.Networking.Sockets", broker::ControlChannelTriggerStatus),
    enum_table!("Windows.Networking.Sockets", broker::ControlChannelTriggerResourceType),
    enum_table!("Windows.Networking.Sockets", broker::ControlChannelTriggerResetReason),
    enum_table!("Windows.ApplicationModel.Background", broker::BackgroundTaskCancellationReason),
    enum_table!("Windows.Security.Cryptography.Certificates", tls::ChainValidationResult),
    enum_table!("Windows.Security.Cryptography.Certificates", tls::CertificateChainPolicy),
    enum_table!("Windows.Storage", storage::CreationCollisionOption),
    enum_table!("Windows.Storage.Streams", io::ByteOrder),
    enum_table!("Windows.Storage.Streams", io::UnicodeEncoding),
    enum_table!("Windows.Storage.Streams", io::InputStreamOptions),
    enum_table!("Windows.Web", error::WebErrorStatus),
    enum_table!("Windows.Web.Syndication", web::syndication::SyndicationFormat),
    enum_table!("Windows.Web.Syndication", web::syndication::SyndicationErrorStatus),
    enum_table!("Windows.Web.Syndication", web::syndication::SyndicationTextType),
];

/// Which block of the C header an HRESULT constant is listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HResultGroup {
    /// Argument, handle, state, buffer and socket errors every function may return.
    General,
    /// Certificate and TLS failures (docs/errors.md) and netrt's own codes.
    Security,
    /// Web layer and WebSocket failures (`WININET_E_*`; `HTTP_E_STATUS_*` is `0x80190000 | status`).
    Web,
}

/// An HRESULT constant the projections name (`NETRT_<name>` in C).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HResultConst {
    /// The name after the projection's prefix (`E_POINTER`, `RO_E_CLOSED`).
    pub name: &'static str,
    /// The value, from `error::hresult`.
    pub value: HResult,
    /// Where the C header lists it.
    pub group: HResultGroup,
}

impl HResultConst {
    /// The message netrt gives for it (`netrt_hresult_message`).
    pub fn message(&self) -> String {
        hresult_message(self.value)
    }
}

macro_rules! hresults {
    ($( $group:ident: $name:ident $(= $value:ident)?, )+) => {
        &[$(HResultConst {
            name: stringify!($name),
            value: hresults!(@value $name $($value)?),
            group: HResultGroup::$group,
        },)+]
    };
    (@value $name:ident) => { $name };
    (@value $name:ident $value:ident) => { $value };
}

/// The HRESULTs netrt documents for users, in the C header's order. A name without `= CONST`
/// is the `error::hresult` constant of that name.
pub const HRESULTS: &[HResultConst] = hresults! {
    General: S_OK,
    General: E_POINTER,
    General: E_HANDLE,
    General: E_INVALIDARG,
    General: E_UNEXPECTED,
    General: E_OUTOFMEMORY,
    General: E_NOTIMPL,
    General: E_BOUNDS,
    General: E_ILLEGAL_STATE_CHANGE,
    General: E_ILLEGAL_METHOD_CALL,
    General: RO_E_CLOSED,
    General: E_ILLEGAL_DELEGATE_ASSIGNMENT,
    General: E_INSUFFICIENT_BUFFER,
    General: E_WAIT_TIMEOUT,
    General: E_OPERATION_ABORTED,
    General: E_CANCELLED,
    General: E_INVALID_OPERATION,
    General: E_NO_UNICODE_TRANSLATION,
    General: E_CONNECTION_REFUSED = WSAECONNREFUSED_HR,
    General: E_CONNECTION_TIMED_OUT = WSAETIMEDOUT_HR,
    General: E_FAIL,
    General: E_NOINTERFACE,
    General: E_ACCESSDENIED,
    General: E_FILE_NOT_FOUND,
    General: E_ALREADY_EXISTS,
    General: E_SOCKET_ACCESS_DENIED = WSAEACCES_HR,
    Web: WININET_E_TIMEOUT,
    Web: WININET_E_CONNECTION_ABORTED,
    Web: WININET_E_INVALID_SERVER_RESPONSE,
    Web: WININET_E_SEC_INVALID_CERT,
    Web: HTTP_E_STATUS_DENIED,
    Web: HTTP_E_STATUS_PROXY_AUTH_REQ,
    Web: WEB_E_UNSUPPORTED_FORMAT,
    Web: WEB_E_INVALID_XML,
    Web: WEB_E_MISSING_REQUIRED_ELEMENT,
    Web: WEB_E_MISSING_REQUIRED_ATTRIBUTE,
    Web: WEB_E_UNEXPECTED_CONTENT,
    Web: WEB_E_RESOURCE_TOO_LARGE,
    Security: CERT_E_EXPIRED,
    Security: CERT_E_UNTRUSTEDROOT,
    Security: CERT_E_CN_NO_MATCH,
    Security: CERT_E_WRONG_USAGE,
    Security: CRYPT_E_REVOKED,
    Security: TRUST_E_CERT_SIGNATURE,
    Security: SEC_E_UNSUPPORTED_FUNCTION,
    Security: SEC_E_ILLEGAL_MESSAGE,
    Security: SEC_E_ALGORITHM_MISMATCH,
    Security: E_STARTTLS_PLAINTEXT_PENDING = NETRT_E_STARTTLS_PLAINTEXT_PENDING,
    Security: E_TLS_TRUNCATED = NETRT_E_TLS_TRUNCATED,
};

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn enums_are_complete_and_ordered() {
        let mut names = HashSet::new();
        for e in ENUMS {
            assert!(names.insert(e.name), "{} listed twice", e.name);
            assert!(e.rust_path.ends_with(e.name), "{}", e.rust_path);
            assert!(e.summary().contains(e.name), "{}'s summary should name it: {:?}", e.name, e.doc);
            assert!(!e.members.is_empty());
            assert!(e.members.windows(2).all(|w| w[0].value < w[1].value), "{} not ascending", e.name);
            for m in e.members {
                assert!(!m.summary().is_empty(), "{}.{} has no doc", e.name, m.name);
                assert!(e.flags || i32::try_from(m.value).is_ok());
                assert!(!e.flags || u32::try_from(m.value).is_ok());
            }
        }
    }

    #[test]
    fn registry_matches_the_enums() {
        use crate::error::SocketErrorStatus;
        let table = ENUMS.iter().find(|e| e.name == "SocketErrorStatus").unwrap();
        assert_eq!(table.namespace, "Windows.Networking.Sockets");
        assert_eq!(table.members.len(), SocketErrorStatus::ALL.len());
        for (m, s) in table.members.iter().zip(SocketErrorStatus::ALL) {
            assert_eq!((m.name, m.value), (s.name(), *s as i64));
        }
        let flags: Vec<_> = ENUMS.iter().filter(|e| e.flags).map(|e| e.name).collect();
        assert_eq!(flags, ["HostNameSortOptions", "InputStreamOptions"]);
        assert_eq!(ENUMS[0].members[3].summary(), "The operation failed; see its error code and detail.");
        let status = ENUMS.iter().find(|e| e.name == "SocketErrorStatus").unwrap();
        assert_eq!(
            status.summary(),
            "`Windows.Networking.Sockets.SocketErrorStatus`: what a failed socket operation means."
        );
        assert!(status.doc.contains("\n\n Microsoft's guidance"), "{:?}", status.doc);
    }

    #[test]
    fn every_hresult_has_a_unique_name_and_value_and_its_own_message() {
        let mut names = HashSet::new();
        let mut values = HashSet::new();
        for h in HRESULTS {
            assert!(names.insert(h.name), "{} listed twice", h.name);
            assert!(values.insert(h.value), "0x{:08X} listed twice", h.value as u32);
            let message = h.message();
            assert!(
                !message.is_empty() && !message.contains(&format!("{:08X}", h.value as u32)),
                "{message}"
            );
        }
        assert_eq!(HRESULTS.iter().find(|h| h.name == "RO_E_CLOSED").unwrap().value, hr(0x8000_0013));
    }
}
