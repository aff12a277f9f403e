//! `TlsVersion`: the netrt enum for `StreamSocketInformation.NegotiatedTlsVersion` (docs/tls.md).
//!
//! WinRT has no such property; netrt adds it and names its values so that no projection shows a
//! bare 772. The values are the TLS wire versions (RFC 8446 §4.1.2), so code that compares with
//! `0x0304` keeps working where the language allows (Python's IntEnum, C's constants).

winrt_enum! {
    /// `TlsVersion` (netrt extension): the TLS version a connection negotiated.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
    pub enum TlsVersion {
        /// No TLS on the connection (plain socket, or not connected).
        #[default]
        None = 0,
        /// TLS 1.2 (wire version 0x0303).
        Tls12 = 0x0303,
        /// TLS 1.3 (wire version 0x0304).
        Tls13 = 0x0304,
    }
}

impl TlsVersion {
    /// The member for a wire version; versions rustls never negotiates (anything but 1.2 and
    /// 1.3) are `None`.
    pub fn from_wire(version: u16) -> Self {
        Self::from_i32(i32::from(version)).unwrap_or(Self::None)
    }

    /// The wire version (0 for `None`).
    pub fn wire(self) -> u16 {
        self as u16
    }
}

impl PartialEq<u16> for TlsVersion {
    fn eq(&self, other: &u16) -> bool {
        self.wire() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_wire_versions() {
        assert_eq!(TlsVersion::Tls12.wire(), 0x0303);
        assert_eq!(TlsVersion::Tls13 as i32, 772);
        assert_eq!(TlsVersion::from_wire(0x0304), TlsVersion::Tls13);
        assert_eq!(TlsVersion::from_wire(0x0301), TlsVersion::None);
        assert_eq!(TlsVersion::Tls13.name(), "Tls13");
        assert!(TlsVersion::Tls12 == 0x0303u16);
    }
}
