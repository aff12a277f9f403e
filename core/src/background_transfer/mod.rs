//! Windows.Networking.BackgroundTransfer: downloads and uploads that run in netrt's per-user
//! daemon and outlive the app.

#[doc(hidden)]
pub mod engine;
