//! Event arguments: MessageReceived, Closed, ServerCustomValidationRequested.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use tokio::sync::Notify;

use super::enums::SocketMessageType;
use crate::error::{Error, Result};
use crate::io::{DataReader, InputStream};
use crate::net::StreamSocketInformation;
use crate::tls::{Certificate, ChainValidationResult, SocketSslErrorSeverity};

/// `MessageWebSocketMessageReceivedEventArgs`: a message, or the failure that ended the
/// connection (then GetDataReader and GetDataStream return that error).
#[derive(Debug, Clone)]
pub struct MessageWebSocketMessageReceivedEventArgs {
    pub(crate) message_type: SocketMessageType,
    pub(crate) complete: bool,
    pub(crate) data: std::result::Result<bytes::Bytes, Error>,
}

impl MessageWebSocketMessageReceivedEventArgs {
    /// `MessageType`.
    pub fn message_type(&self) -> SocketMessageType {
        self.message_type
    }

    /// `IsMessageComplete`: true on the last (or only) part of a message.
    pub fn is_message_complete(&self) -> bool {
        self.complete
    }

    /// The message bytes (netrt convenience).
    ///
    /// # Errors
    /// The connection's failure (`WININET_E_CONNECTION_ABORTED` after an abrupt drop, ...).
    pub fn data(&self) -> Result<Vec<u8>> {
        self.data.as_ref().map(|d| d.to_vec()).map_err(Clone::clone)
    }

    /// The message bytes without a copy (netrt convenience).
    ///
    /// # Errors
    /// As [`MessageWebSocketMessageReceivedEventArgs::data`].
    pub fn data_slice(&self) -> Result<&[u8]> {
        self.data.as_deref().map_err(Clone::clone)
    }

    /// `GetDataReader()`: a DataReader with the whole message loaded.
    ///
    /// # Errors
    /// As [`MessageWebSocketMessageReceivedEventArgs::data`].
    pub fn get_data_reader(&self) -> Result<DataReader> {
        let data = self.data()?;
        Ok(DataReader::from_buffer(&crate::io::Buffer::from_vec(data)?))
    }

    /// `GetDataStream()`: an input stream over the message.
    ///
    /// # Errors
    /// As [`MessageWebSocketMessageReceivedEventArgs::data`].
    pub fn get_data_stream(&self) -> Result<InputStream> {
        let data = self.data()?;
        Ok(InputStream::new(Arc::new(crate::io::memory::MemorySource::new(data))))
    }
}

/// `WebSocketClosedEventArgs`: the code and reason of the close frame that arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSocketClosedEventArgs {
    pub(crate) code: u16,
    pub(crate) reason: String,
}

impl WebSocketClosedEventArgs {
    /// `Code` (1005 when the frame carried none).
    pub fn code(&self) -> u16 {
        self.code
    }

    /// `Reason`.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// Counts the handler pass and the deferrals still out; the connect waits for zero.
#[derive(Default)]
pub(crate) struct ValidationState {
    pub rejected: AtomicBool,
    outstanding: AtomicUsize,
    done: Notify,
}

impl ValidationState {
    pub(crate) fn begin(&self) {
        self.outstanding.fetch_add(1, Ordering::AcqRel);
    }

    pub(crate) fn finish(&self) {
        if self.outstanding.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.done.notify_waiters();
        }
    }

    pub(crate) async fn settled(&self) {
        loop {
            let notified = self.done.notified();
            if self.outstanding.load(Ordering::Acquire) == 0 {
                return;
            }
            notified.await;
        }
    }
}

/// `Windows.Foundation.Deferral` as ServerCustomValidationRequested hands it out: the connect
/// waits until it is completed.
pub struct Deferral {
    state: Arc<ValidationState>,
    completed: AtomicBool,
}

impl Deferral {
    /// `Complete()`: the handler's decision is final. Idempotent.
    pub fn complete(&self) {
        if !self.completed.swap(true, Ordering::AcqRel) {
            self.state.finish();
        }
    }
}

impl Drop for Deferral {
    fn drop(&mut self) {
        // A deferral dropped without Complete must not hang the connect forever.
        self.complete();
    }
}

/// `WebSocketServerCustomValidationRequestedEventArgs`: raised after the server certificate
/// passed validation (with IgnorableServerCertificateErrors applied), before any HTTP is sent.
#[derive(Clone)]
pub struct WebSocketServerCustomValidationRequestedEventArgs {
    pub(crate) info: StreamSocketInformation,
    pub(crate) state: Arc<ValidationState>,
}

impl std::fmt::Debug for WebSocketServerCustomValidationRequestedEventArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSocketServerCustomValidationRequestedEventArgs").finish_non_exhaustive()
    }
}

impl WebSocketServerCustomValidationRequestedEventArgs {
    /// `Reject()`: ConnectAsync fails with `WININET_E_SEC_INVALID_CERT`.
    pub fn reject(&self) {
        self.state.rejected.store(true, Ordering::Release);
    }

    /// `GetDeferral()`: the connect waits until the deferral completes.
    pub fn get_deferral(&self) -> Deferral {
        self.state.begin();
        Deferral { state: self.state.clone(), completed: AtomicBool::new(false) }
    }

    /// `ServerCertificate`.
    pub fn server_certificate(&self) -> Option<Certificate> {
        self.info.server_certificate()
    }

    /// `ServerCertificateErrors`.
    pub fn server_certificate_errors(&self) -> Vec<ChainValidationResult> {
        self.info.server_certificate_errors()
    }

    /// `ServerCertificateErrorSeverity`.
    pub fn server_certificate_error_severity(&self) -> SocketSslErrorSeverity {
        self.info.server_certificate_error_severity()
    }

    /// `ServerIntermediateCertificates`.
    pub fn server_intermediate_certificates(&self) -> Vec<Certificate> {
        self.info.server_intermediate_certificates()
    }
}
