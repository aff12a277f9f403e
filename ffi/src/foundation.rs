//! Windows.Foundation value types in C form: `netrt_guid` (docs/projections.md: Guid is 16 bytes in the
//! Windows layout; TimeSpan and DateTime travel as `int64_t` ticks and need no type here).

use netrt_core::foundation::Guid;

/// `Windows.Foundation.Guid` in the Windows layout (16 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct netrt_guid {
    /// First 32 bits.
    pub data1: u32,
    /// Next 16 bits.
    pub data2: u16,
    /// Next 16 bits.
    pub data3: u16,
    /// Last 8 bytes.
    pub data4: [u8; 8],
}

impl From<netrt_guid> for Guid {
    fn from(g: netrt_guid) -> Self {
        Guid { data1: g.data1, data2: g.data2, data3: g.data3, data4: g.data4 }
    }
}

impl From<Guid> for netrt_guid {
    fn from(g: Guid) -> Self {
        netrt_guid { data1: g.data1, data2: g.data2, data3: g.data3, data4: g.data4 }
    }
}
