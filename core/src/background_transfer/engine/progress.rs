//! How often progress is reported: at most every [`BYTES_STEP`] bytes or [`INTERVAL`], whichever
//! comes first (the app's handlers run for each report, so a fast transfer must not flood them).

use std::time::{Duration, Instant};

/// Bytes between two reports of a fast transfer.
pub(crate) const BYTES_STEP: u64 = 1024 * 1024;
/// Time between two reports of a slow transfer.
pub(crate) const INTERVAL: Duration = Duration::from_millis(250);

/// Decides whether progress is worth reporting now.
#[derive(Debug)]
pub(crate) struct Throttle {
    last_at: Instant,
    last_bytes: u64,
}

impl Throttle {
    pub(crate) fn new() -> Self {
        Self { last_at: Instant::now(), last_bytes: 0 }
    }

    /// Whether `bytes` (a running total) is due for a report; if so, it counts as reported.
    pub(crate) fn due(&mut self, bytes: u64) -> bool {
        let due = bytes.abs_diff(self.last_bytes) >= BYTES_STEP || self.last_at.elapsed() >= INTERVAL;
        if due {
            self.reported(bytes);
        }
        due
    }

    /// Records a report made for another reason (headers arrived, status changed).
    pub(crate) fn reported(&mut self, bytes: u64) {
        self.last_at = Instant::now();
        self.last_bytes = bytes;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mebibyte_is_due_at_once_and_less_is_not() {
        let mut t = Throttle::new();
        assert!(!t.due(BYTES_STEP - 1));
        assert!(t.due(BYTES_STEP));
        assert!(!t.due(BYTES_STEP + 10));
        t.last_at -= INTERVAL;
        assert!(t.due(BYTES_STEP + 11));
        assert!(!t.due(BYTES_STEP + 12));
    }
}
