//! Windows.Foundation value types: `Guid`, `DateTime`, `TimeSpan`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A GUID in the Windows layout (`Data1` little-endian in memory on Windows; netrt keeps the
/// fields and lets [`crate::io::DataWriter`] apply the byte order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Guid {
    /// First 32 bits.
    pub data1: u32,
    /// Next 16 bits.
    pub data2: u16,
    /// Next 16 bits.
    pub data3: u16,
    /// Last 64 bits, as bytes.
    pub data4: [u8; 8],
}

impl Guid {
    /// The 16 bytes in the Windows in-memory layout (`Data1..3` little-endian), as `netrt_guid`.
    pub fn to_bytes_le(&self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[0..4].copy_from_slice(&self.data1.to_le_bytes());
        out[4..6].copy_from_slice(&self.data2.to_le_bytes());
        out[6..8].copy_from_slice(&self.data3.to_le_bytes());
        out[8..16].copy_from_slice(&self.data4);
        out
    }

    /// Inverse of [`Guid::to_bytes_le`].
    pub fn from_bytes_le(b: [u8; 16]) -> Self {
        Self {
            data1: u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            data2: u16::from_le_bytes([b[4], b[5]]),
            data3: u16::from_le_bytes([b[6], b[7]]),
            data4: [b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]],
        }
    }
}

impl Guid {
    /// A random (version 4) GUID.
    ///
    /// # Errors
    /// `E_FAIL` when the kernel's random source fails (getrandom).
    pub fn new_random() -> crate::Result<Self> {
        let mut b = [0u8; 16];
        // SAFETY: getrandom writes at most b.len() bytes into b.
        let n = unsafe { libc::getrandom(b.as_mut_ptr().cast(), b.len(), 0) };
        if n != b.len() as isize {
            let err = std::io::Error::last_os_error();
            return Err(crate::Error::from_io(&err, "getrandom for a new GUID"));
        }
        b[7] = (b[7] & 0x0f) | 0x40; // version 4 (Data3's high nibble, little-endian layout)
        b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
        Ok(Self::from_bytes_le(b))
    }

    /// Parses the registry form `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, with or without braces.
    ///
    /// # Errors
    /// `E_INVALIDARG` for anything else.
    pub fn parse(text: &str) -> crate::Result<Self> {
        let bad = || crate::Error::invalid_arg(format!("{text:?} is not a GUID"));
        let inner = text.strip_prefix('{').and_then(|t| t.strip_suffix('}')).unwrap_or(text);
        let parts: Vec<&str> = inner.split('-').collect();
        let lens = [8, 4, 4, 4, 12];
        if parts.len() != 5
            || parts.iter().zip(lens).any(|(p, n)| p.len() != n || !p.bytes().all(|c| c.is_ascii_hexdigit()))
        {
            return Err(bad());
        }
        let hex = |s: &str| u64::from_str_radix(s, 16).map_err(|_| bad());
        let tail = format!("{}{}", parts[3], parts[4]);
        let mut data4 = [0u8; 8];
        for (i, byte) in data4.iter_mut().enumerate() {
            *byte = hex(&tail[2 * i..2 * i + 2])? as u8;
        }
        Ok(Self {
            data1: hex(parts[0])? as u32,
            data2: hex(parts[1])? as u16,
            data3: hex(parts[2])? as u16,
            data4,
        })
    }
}

impl std::fmt::Display for Guid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = &self.data4;
        write!(
            f,
            "{:08x}-{:04x}-{:04x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
            self.data1, self.data2, self.data3, d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]
        )
    }
}

/// 100-ns ticks between 1601-01-01 and 1970-01-01 (UTC).
const TICKS_1601_TO_1970: i64 = 116_444_736_000_000_000;
/// 100-ns ticks per second.
pub const TICKS_PER_SECOND: i64 = 10_000_000;

/// Windows.Foundation.DateTime: 100-ns ticks since 1601-01-01 UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct DateTime {
    /// Ticks since 1601-01-01 00:00:00 UTC.
    pub universal_time: i64,
}

impl DateTime {
    /// From Unix seconds.
    pub fn from_unix_seconds(secs: i64) -> Self {
        Self { universal_time: secs.saturating_mul(TICKS_PER_SECOND).saturating_add(TICKS_1601_TO_1970) }
    }

    /// To Unix seconds (floor).
    pub fn to_unix_seconds(self) -> i64 {
        (self.universal_time - TICKS_1601_TO_1970).div_euclid(TICKS_PER_SECOND)
    }

    /// From a `SystemTime`.
    pub fn from_system_time(t: SystemTime) -> Self {
        let ticks = match t.duration_since(UNIX_EPOCH) {
            Ok(d) => (d.as_nanos() / 100) as i64,
            Err(e) => -((e.duration().as_nanos() / 100) as i64),
        };
        Self { universal_time: ticks + TICKS_1601_TO_1970 }
    }

    /// The time as `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds; RFC 3339), e.g. for a
    /// certificate's validity in a message.
    pub fn to_utc_string(self) -> String {
        // Proleptic Gregorian calendar from days since 1970 (Howard Hinnant's algorithm).
        let secs = self.to_unix_seconds();
        let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
    }
}

/// Windows.Foundation.TimeSpan: a duration in 100-ns ticks (may be negative).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TimeSpan {
    /// Length in 100-ns ticks.
    pub duration: i64,
}

impl TimeSpan {
    /// Zero.
    pub const ZERO: TimeSpan = TimeSpan { duration: 0 };

    /// From a `Duration` (saturating).
    pub fn from_duration(d: Duration) -> Self {
        Self { duration: i64::try_from(d.as_nanos() / 100).unwrap_or(i64::MAX) }
    }

    /// From whole seconds.
    pub const fn from_secs(secs: i64) -> Self {
        Self { duration: secs * TICKS_PER_SECOND }
    }

    /// From milliseconds.
    pub const fn from_millis(ms: i64) -> Self {
        Self { duration: ms * 10_000 }
    }

    /// To a `Duration`; negative spans are `None`.
    pub fn to_duration(self) -> Option<Duration> {
        u64::try_from(self.duration).ok().map(|t| Duration::from_nanos(t.saturating_mul(100)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_string_is_rfc3339() {
        let utc = |secs| DateTime::from_unix_seconds(secs).to_utc_string();
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(1_609_459_200), "2021-01-01T00:00:00Z");
        assert_eq!(utc(951_782_400 + 3661), "2000-02-29T01:01:01Z");
        assert_eq!(utc(-86_400), "1969-12-31T00:00:00Z");
        assert_eq!(utc(4_102_444_799), "2099-12-31T23:59:59Z");
    }
}
