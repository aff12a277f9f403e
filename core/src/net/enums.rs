//! Enumerations of Windows.Networking.Sockets used by several socket types.

use crate::error::{Error, Result};

winrt_enum! {
    /// `Windows.Networking.Sockets.SocketProtectionLevel`: how a socket is secured (netrt: every
    /// TLS level but `Tls13` means TLS 1.2 or 1.3; see docs/tls.md).
    ///
    /// WinRT's values, including `Tls13` = 10.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum SocketProtectionLevel {
        /// No encryption.
        #[default]
        PlainSocket = 0,
        /// TLS (netrt: TLS 1.2 or 1.3).
        Ssl = 1,
        /// As `Ssl` (no NULL cipher exists in netrt's TLS stack).
        SslAllowNullEncryption = 2,
        /// Bluetooth only: rejected with `E_INVALIDARG` on TCP.
        BluetoothEncryptionAllowNullAuthentication = 3,
        /// Bluetooth only: rejected with `E_INVALIDARG` on TCP.
        BluetoothEncryptionWithAuthentication = 4,
        /// SSL 3.0 with weak ciphers: never supported, `E_INVALIDARG`.
        Ssl3AllowWeakEncryption = 5,
        /// netrt: TLS 1.2 or 1.3 (TLS 1.0 is not implemented; see docs/tls.md).
        Tls10 = 6,
        /// netrt: TLS 1.2 or 1.3 (TLS 1.1 is not implemented; see docs/tls.md).
        Tls11 = 7,
        /// TLS 1.2 or 1.3 (Windows: 1.2 and below; 1.3 is not refused here, see docs/tls.md).
        Tls12 = 8,
        /// TLS 1.2 or 1.3.
        Unspecified = 9,
        /// TLS 1.3 only.
        Tls13 = 10,
    }
}

impl SocketProtectionLevel {
    /// From the raw value; unknown values fail with `E_INVALIDARG`.
    pub fn from_raw(raw: i32) -> Result<Self> {
        Self::from_i32(raw).ok_or_else(|| Error::invalid_arg(format!("{raw} is not a SocketProtectionLevel")))
    }

    /// Whether the level asks for TLS.
    pub fn is_tls(self) -> bool {
        !matches!(self, SocketProtectionLevel::PlainSocket)
    }
}

winrt_enum! {
    /// `Windows.Networking.Sockets.SocketQualityOfService`: the priority of a socket's traffic.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum SocketQualityOfService {
        /// Normal priority.
        #[default]
        Normal = 0,
        /// Low latency: netrt marks the traffic `IPTOS_LOWDELAY` / traffic class 0x10.
        LowLatency = 1,
    }
}

impl SocketQualityOfService {
    /// From the raw value; unknown values fail with `E_INVALIDARG`.
    pub fn from_raw(raw: i32) -> Result<Self> {
        Self::from_i32(raw)
            .ok_or_else(|| Error::invalid_arg(format!("{raw} is not a SocketQualityOfService")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::{ByteOrder, UnicodeEncoding};
    use crate::net::hostname::{HostNameSortOptions, HostNameType};
    use crate::tls::{ChainValidationResult, ClientCertificateMode, SocketSslErrorSeverity};

    /// Every projection enumerates members through `ALL`/`name`; values are WinRT's.
    fn members<T: Copy + Into<i32>>(
        all: &[T],
        name: impl Fn(&T) -> &'static str,
    ) -> Vec<(i32, &'static str)> {
        all.iter().map(|m| ((*m).into(), name(m))).collect()
    }

    #[test]
    fn enum_values_match_the_reference() {
        assert_eq!(
            members(SocketProtectionLevel::ALL, SocketProtectionLevel::name),
            [
                (0, "PlainSocket"),
                (1, "Ssl"),
                (2, "SslAllowNullEncryption"),
                (3, "BluetoothEncryptionAllowNullAuthentication"),
                (4, "BluetoothEncryptionWithAuthentication"),
                (5, "Ssl3AllowWeakEncryption"),
                (6, "Tls10"),
                (7, "Tls11"),
                (8, "Tls12"),
                (9, "Unspecified"),
                (10, "Tls13"),
            ]
        );
        assert_eq!(
            members(SocketQualityOfService::ALL, SocketQualityOfService::name),
            [(0, "Normal"), (1, "LowLatency")]
        );
        assert_eq!(
            members(HostNameType::ALL, HostNameType::name),
            [(0, "DomainName"), (1, "Ipv4"), (2, "Ipv6"), (3, "Bluetooth")]
        );
        assert_eq!(
            HostNameSortOptions::ALL.iter().map(|m| (*m as i32, m.name())).collect::<Vec<_>>(),
            [(0, "None"), (2, "OptimizeForLongConnections")]
        );
        assert_eq!(members(ByteOrder::ALL, ByteOrder::name), [(0, "LittleEndian"), (1, "BigEndian")]);
        assert_eq!(
            members(UnicodeEncoding::ALL, UnicodeEncoding::name),
            [(0, "Utf8"), (1, "Utf16LE"), (2, "Utf16BE")]
        );
        assert_eq!(ChainValidationResult::ALL.len(), 14);
        assert!(ChainValidationResult::ALL.iter().enumerate().all(|(i, m)| *m as i32 == i as i32));
        assert_eq!(ChainValidationResult::OtherErrors.name(), "OtherErrors");
        assert_eq!(
            members(SocketSslErrorSeverity::ALL, SocketSslErrorSeverity::name),
            [(0, "None"), (1, "Ignorable"), (2, "Fatal")]
        );
        assert_eq!(
            members(ClientCertificateMode::ALL, ClientCertificateMode::name),
            [(0, "None"), (1, "Optional"), (2, "Required")]
        );
        assert_eq!(
            SocketProtectionLevel::from_raw(11).unwrap_err().hresult(),
            crate::error::hresult::E_INVALIDARG
        );
    }
}
