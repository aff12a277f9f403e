//! What DownloadOperation and UploadOperation share: a view of one transfer in the daemon
//! (its GUID and the last state seen), the commands, and the start/attach operation that
//! follows its progress.

use std::sync::{Arc, Mutex, MutexGuard};

use netrt_broker_protocol::protocol::{Message, TransferAction, TransferChange, TransferState};

use super::daemon;
use super::enums::{BackgroundTransferCostPolicy, BackgroundTransferPriority};
use super::types::{BackgroundTransferGroup, ResponseInformation};
use crate::error::{Result, WebErrorStatus};
use crate::foundation::{Guid, Uri, Vector};

/// One transfer as this process sees it.
#[derive(Debug)]
pub(super) struct View {
    pub guid: Guid,
    state: Mutex<TransferState>,
}

impl View {
    pub(super) fn new(state: TransferState) -> Arc<Self> {
        Arc::new(Self { guid: Guid::from_bytes_le(state.request.guid), state: Mutex::new(state) })
    }

    pub(super) fn cached(&self) -> MutexGuard<'_, TransferState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn remember(&self, state: &TransferState) {
        *self.cached() = state.clone();
    }

    /// The daemon's current state (the last one seen when the daemon cannot be reached).
    pub(super) fn current(&self) -> TransferState {
        match daemon::call_state("read the transfer", &Message::GetTransfer { guid: self.id() }) {
            Ok(state) => {
                self.remember(&state);
                state
            }
            Err(_) => self.cached().clone(),
        }
    }

    pub(super) fn id(&self) -> [u8; 16] {
        self.guid.to_bytes_le()
    }

    pub(super) fn command(&self, what: &str, action: TransferAction) -> Result<()> {
        daemon::command(what, self.id(), action)?;
        self.current();
        Ok(())
    }

    pub(super) fn change(&self, what: &str, change: TransferChange) -> Result<()> {
        daemon::change(what, self.id(), change)?;
        self.current();
        Ok(())
    }

    pub(super) fn requested_uri(&self) -> Uri {
        let uri = self.cached().request.uri.clone();
        Uri::new(&uri).unwrap_or_else(|_| Uri::new("about:blank").expect("a valid URI"))
    }

    pub(super) fn method(&self) -> String {
        self.cached().request.method.clone()
    }

    pub(super) fn response_information(&self) -> Option<ResponseInformation> {
        self.current().response.map(ResponseInformation::new)
    }

    pub(super) fn priority(&self) -> BackgroundTransferPriority {
        BackgroundTransferPriority::from_i32(i32::from(self.current().request.priority)).unwrap_or_default()
    }

    pub(super) fn cost_policy(&self) -> BackgroundTransferCostPolicy {
        BackgroundTransferCostPolicy::from_i32(i32::from(self.current().request.cost_policy))
            .unwrap_or_default()
    }

    pub(super) fn transfer_group(&self) -> Option<BackgroundTransferGroup> {
        let state = self.cached();
        let behavior = super::BackgroundTransferBehavior::from_i32(i32::from(state.request.group_behavior))
            .unwrap_or_default();
        state.request.group.clone().map(|name| BackgroundTransferGroup::with_behavior(name, behavior))
    }

    pub(super) fn current_web_error_status(&self) -> Option<WebErrorStatus> {
        self.current().web_error.and_then(|s| WebErrorStatus::from_i32(s as i32))
    }

    /// `RecoverableWebErrorStatuses`: a live vector over the daemon's list.
    pub(super) fn recoverable(self: &Arc<Self>) -> Vector<WebErrorStatus> {
        let read = self.clone();
        let write = self.clone();
        Vector::live(
            move || {
                read.current()
                    .request
                    .recoverable
                    .iter()
                    .filter_map(|s| WebErrorStatus::from_i32(*s as i32))
                    .collect()
            },
            move |list: Vec<WebErrorStatus>| {
                let raw = list.iter().map(|s| i32::from(*s) as u32).collect();
                write.change("RecoverableWebErrorStatuses", TransferChange::Recoverable(raw))
            },
        )
    }

    pub(super) fn set_request_header(&self, name: &str, value: &str) -> Result<()> {
        super::settings::check_header(name, value)?;
        self.change("SetRequestHeader", TransferChange::Header(name.to_owned(), Some(value.to_owned())))
    }

    pub(super) fn remove_request_header(&self, name: &str) -> Result<()> {
        self.change("RemoveRequestHeader", TransferChange::Header(name.to_owned(), None))
    }
}

/// Sends Cancel when the start/attach future is dropped before the transfer ended: cancelling
/// (or abandoning) the operation cancels the transfer, as on Windows.
struct CancelOnDrop {
    view: Arc<View>,
    armed: bool,
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if self.armed {
            let view = self.view.clone();
            // A blocking round trip to the daemon; off the runtime's threads.
            std::thread::spawn(move || {
                let _ = daemon::command("cancel the transfer", view.id(), TransferAction::Cancel);
            });
        }
    }
}

/// The body of StartAsync/AttachAsync: follows the transfer until it ends, calling `report` on
/// every state; Ok when it completed, its error when it failed, Canceled when cancelled.
pub(super) async fn follow(
    view: Arc<View>,
    what: &'static str,
    report: impl Fn() + Send + Sync,
) -> Result<()> {
    let mut guard = CancelOnDrop { view: view.clone(), armed: true };
    let outcome = daemon::follow(what, view.id(), |state| {
        view.remember(state);
        report();
    })
    .await;
    guard.armed = false;
    let state = outcome?;
    match daemon::final_error(&state) {
        None => Ok(()),
        Some(e) => Err(e),
    }
}
