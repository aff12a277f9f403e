//! Messages for HRESULTs. (placeholder, replaced by the full table)
use super::hresult::HResult;
/// A message for any HRESULT.
pub fn hresult_message(hr: HResult) -> String {
    format!("HRESULT 0x{:08X}", hr as u32)
}
