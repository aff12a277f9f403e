//! Enumerations of Windows.Networking.Sockets used by several socket types.

use crate::error::{Error, Result};

/// `SocketProtectionLevel` (values per the reference, including `Tls13` = 10).
#[repr(i32)]
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
    /// netrt: TLS 1.2 or 1.3 (TLS 1.0 is not implemented; see DESIGN §6).
    Tls10 = 6,
    /// netrt: TLS 1.2 or 1.3 (TLS 1.1 is not implemented; see DESIGN §6).
    Tls11 = 7,
    /// TLS 1.2 or 1.3 (Windows: 1.2 and below; 1.3 is not refused here, see DESIGN §6).
    Tls12 = 8,
    /// TLS 1.2 or 1.3.
    Unspecified = 9,
    /// TLS 1.3 only.
    Tls13 = 10,
}

impl SocketProtectionLevel {
    /// From the raw value; unknown values fail with `E_INVALIDARG`.
    pub fn from_raw(raw: i32) -> Result<Self> {
        use SocketProtectionLevel::*;
        Ok(match raw {
            0 => PlainSocket,
            1 => Ssl,
            2 => SslAllowNullEncryption,
            3 => BluetoothEncryptionAllowNullAuthentication,
            4 => BluetoothEncryptionWithAuthentication,
            5 => Ssl3AllowWeakEncryption,
            6 => Tls10,
            7 => Tls11,
            8 => Tls12,
            9 => Unspecified,
            10 => Tls13,
            _ => return Err(Error::invalid_arg(format!("{raw} is not a SocketProtectionLevel"))),
        })
    }

    /// Whether the level asks for TLS.
    pub fn is_tls(self) -> bool {
        !matches!(self, SocketProtectionLevel::PlainSocket)
    }
}

/// `SocketQualityOfService`.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SocketQualityOfService {
    /// Normal priority.
    #[default]
    Normal = 0,
    /// Low latency: netrt marks the traffic `IPTOS_LOWDELAY` / traffic class 0x10.
    LowLatency = 1,
}

impl SocketQualityOfService {
    /// From the raw value; unknown values fail with `E_INVALIDARG`.
    pub fn from_raw(raw: i32) -> Result<Self> {
        match raw {
            0 => Ok(Self::Normal),
            1 => Ok(Self::LowLatency),
            _ => Err(Error::invalid_arg(format!("{raw} is not a SocketQualityOfService"))),
        }
    }
}
