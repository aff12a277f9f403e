//! Windows.Networking.BackgroundTransfer: downloads and uploads that run in netrt's per-user
//! daemon and outlive the app (docs/background_transfer.md).

#[doc(hidden)]
pub mod engine;
