//! Enumerations of Windows.Foundation, re-exported at the crate root (`netrt::AsyncStatus`).
//!
//! A file of its own so the projections' enum registry ([`crate::projection`]) does not depend on
//! how the async object model in `foundation` is laid out.

winrt_enum! {
    /// `Windows.Foundation.AsyncStatus`: the state of an asynchronous operation (IAsyncInfo).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum AsyncStatus {
        /// The operation is running.
        #[default]
        Started = 0,
        /// The operation completed; its results are available.
        Completed = 1,
        /// The operation was cancelled (error code `0x800704C7`).
        Canceled = 2,
        /// The operation failed; see its error code and detail.
        Error = 3,
    }
}

#[cfg(test)]
mod tests {
    use super::AsyncStatus;

    #[test]
    fn async_status_values_match_the_reference() {
        let members: Vec<_> = AsyncStatus::ALL.iter().map(|s| (*s as i32, s.name())).collect();
        assert_eq!(members, [(0, "Started"), (1, "Completed"), (2, "Canceled"), (3, "Error")]);
    }
}
