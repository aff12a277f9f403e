//! Windows.Foundation: value types (`Guid`, `DateTime`, `TimeSpan`) and the WinRT object model
//! every projection shares — asynchronous operations ([`AsyncOperation`]) and where their handlers run
//! ([`CompletionQueue`]), vectors ([`Vector`]), so that C, C++ and
//! Python see one behaviour written once here.

pub mod async_op;
pub mod collections;
pub mod completion_queue;
#[doc(hidden)]
pub mod fd_watch;
#[doc(hidden)]
pub mod fork;
mod uri;
mod values;

pub use async_op::{
    AsyncOperation, AsyncOperationWithProgress, AsyncStatus, CompletedDelivery, ProgressReporter,
};
pub use collections::Vector;
pub use completion_queue::{CompletionQueue, Delivery};
pub use uri::{Uri, WwwFormUrlDecoder, WwwFormUrlDecoderEntry};
pub use values::{DateTime, Guid, TICKS_PER_SECOND, TimeSpan};
