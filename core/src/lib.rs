//! netrt: the Windows Runtime networking model, portable, in async Rust.
//!
//! Types keep their WinRT names (`StreamSocket`, `HostName`, `DataWriter`, ...); failures are
//! [`Error`]s carrying an HRESULT. See docs/projections.md in netrt's repository
//! for how the C, C++ and Python projections expose the same API.

#[macro_use]
mod winrt_enum;
pub mod data;
pub mod error;
pub mod foundation;
mod foundation_enums;
pub mod io;
pub mod projection;

pub use error::{Error, HResult, Result};
pub use foundation_enums::AsyncStatus;
pub mod background_transfer;
pub mod broker;
pub mod capability;
pub mod dispatch;
pub mod event;
pub mod net;
pub mod runtime;
pub mod security;
pub mod storage;
mod sys;
pub mod tls;
pub mod web;
pub mod ws;

pub use io::{DataReader, DataWriter};
pub use net::{EndpointPair, HostName, StreamSocket};
