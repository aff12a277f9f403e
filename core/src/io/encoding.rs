//! `ByteOrder` and `UnicodeEncoding` (Windows.Storage.Streams), shared by `DataReader` and
//! `DataWriter`, plus the byte-order conversions both use.

use crate::error::{Error, Result};

winrt_enum! {
    /// `Windows.Storage.Streams.ByteOrder`: how `DataReader` / `DataWriter` lay out numbers.
    ///
    /// The default is [`ByteOrder::BigEndian`]. WinRT's documentation does not state the
    /// default; netrt picks network order because length-prefixed protocols (the samples'
    /// hello) rely on it.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum ByteOrder {
        /// Least significant byte first.
        LittleEndian = 0,
        /// Most significant byte first (network order; netrt's default).
        #[default]
        BigEndian = 1,
    }
}

impl ByteOrder {
    /// From the raw enum value; unknown values are `E_INVALIDARG`.
    pub fn from_raw(raw: i32) -> Result<Self> {
        match raw {
            0 => Ok(Self::LittleEndian),
            1 => Ok(Self::BigEndian),
            _ => Err(Error::invalid_arg(format!("invalid ByteOrder value {raw}"))),
        }
    }
}

winrt_enum! {
    /// `Windows.Storage.Streams.UnicodeEncoding`: how `WriteString` / `ReadString` encode text.
    ///
    /// The default is `Utf8`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum UnicodeEncoding {
        /// UTF-8 (the default); one code unit is one byte.
        #[default]
        Utf8 = 0,
        /// UTF-16, little-endian code units (independent of [`ByteOrder`]); no BOM.
        Utf16LE = 1,
        /// UTF-16, big-endian code units (independent of [`ByteOrder`]); no BOM.
        Utf16BE = 2,
    }
}

impl UnicodeEncoding {
    /// From the raw enum value; unknown values are `E_INVALIDARG`.
    pub fn from_raw(raw: i32) -> Result<Self> {
        match raw {
            0 => Ok(Self::Utf8),
            1 => Ok(Self::Utf16LE),
            2 => Ok(Self::Utf16BE),
            _ => Err(Error::invalid_arg(format!("invalid UnicodeEncoding value {raw}"))),
        }
    }

    /// Bytes per code unit: what `ReadString`'s code-unit count is multiplied by.
    pub(crate) fn code_unit_size(self) -> usize {
        match self {
            Self::Utf8 => 1,
            Self::Utf16LE | Self::Utf16BE => 2,
        }
    }
}

/// A fixed-size number that `DataReader` / `DataWriter` lay out in a [`ByteOrder`].
pub(crate) trait Ordered: Sized {
    /// Its size in bytes.
    type Bytes: AsRef<[u8]>;

    /// The bytes of `self` in `order`.
    fn to_bytes(self, order: ByteOrder) -> Self::Bytes;

    /// The value whose bytes in `order` are `bytes`; `bytes` has exactly the type's size
    /// (callers check the length first, so a short slice is a bug, not bad input).
    fn from_slice(bytes: &[u8], order: ByteOrder) -> Self;
}

macro_rules! impl_ordered {
    ($($t:ty),*) => {$(
        impl Ordered for $t {
            type Bytes = [u8; std::mem::size_of::<$t>()];

            fn to_bytes(self, order: ByteOrder) -> Self::Bytes {
                match order {
                    ByteOrder::LittleEndian => self.to_le_bytes(),
                    ByteOrder::BigEndian => self.to_be_bytes(),
                }
            }

            fn from_slice(bytes: &[u8], order: ByteOrder) -> Self {
                let mut raw = [0u8; std::mem::size_of::<$t>()];
                raw.copy_from_slice(bytes);
                match order {
                    ByteOrder::LittleEndian => <$t>::from_le_bytes(raw),
                    ByteOrder::BigEndian => <$t>::from_be_bytes(raw),
                }
            }
        }
    )*};
}

impl_ordered!(u16, u32, u64, i16, i32, i64, f32, f64);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::hresult::E_INVALIDARG;

    #[test]
    fn defaults_and_raw_values() {
        assert_eq!(ByteOrder::default(), ByteOrder::BigEndian);
        assert_eq!(UnicodeEncoding::default(), UnicodeEncoding::Utf8);
        assert_eq!(ByteOrder::from_raw(0).unwrap(), ByteOrder::LittleEndian);
        assert_eq!(ByteOrder::from_raw(1).unwrap(), ByteOrder::BigEndian);
        assert_eq!(UnicodeEncoding::from_raw(1).unwrap(), UnicodeEncoding::Utf16LE);
        assert_eq!(UnicodeEncoding::from_raw(2).unwrap(), UnicodeEncoding::Utf16BE);
        assert_eq!(ByteOrder::from_raw(2).unwrap_err().hresult(), E_INVALIDARG);
        assert_eq!(ByteOrder::from_raw(-1).unwrap_err().hresult(), E_INVALIDARG);
        assert_eq!(UnicodeEncoding::from_raw(3).unwrap_err().hresult(), E_INVALIDARG);
        assert_eq!(ByteOrder::BigEndian as i32, 1);
        assert_eq!(UnicodeEncoding::Utf16BE as i32, 2);
    }

    #[test]
    fn ordered_round_trip() {
        assert_eq!(0x0102_0304u32.to_bytes(ByteOrder::BigEndian), [1, 2, 3, 4]);
        assert_eq!(0x0102_0304u32.to_bytes(ByteOrder::LittleEndian), [4, 3, 2, 1]);
        assert_eq!(u16::from_slice(&[1, 2], ByteOrder::BigEndian), 0x0102);
        assert_eq!(i64::from_slice(&(-5i64).to_le_bytes(), ByteOrder::LittleEndian), -5);
        assert_eq!(f64::from_slice(&1.5f64.to_be_bytes(), ByteOrder::BigEndian), 1.5);
    }
}
