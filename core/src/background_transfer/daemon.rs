//! Talking to netrt-brokerd about transfers: one request per call (a fresh connection, as the
//! socket broker's calls), and a progress subscription read asynchronously on its own
//! connection.

use netrt_broker_protocol::protocol::{Message, TransferAction, TransferChange, TransferId, TransferState};
use tokio::io::AsyncReadExt;

use crate::error::{Error, Result, hresult};

/// One request; `Failed` becomes the daemon's HRESULT and message.
pub(super) fn call(what: &str, message: &Message) -> Result<Message> {
    crate::broker::request(what, message, &[]).map(|(answer, _)| answer)
}

fn unexpected(what: &str, answer: &Message) -> Error {
    Error::new(hresult::E_UNEXPECTED, format!("{what}: the broker answered {answer:?}"))
}

/// Expects `Ok`.
pub(super) fn call_ok(what: &str, message: &Message) -> Result<()> {
    match call(what, message)? {
        Message::Ok => Ok(()),
        other => Err(unexpected(what, &other)),
    }
}

/// Expects one transfer's state.
pub(super) fn call_state(what: &str, message: &Message) -> Result<TransferState> {
    match call(what, message)? {
        Message::TransferState(state) => Ok(*state),
        other => Err(unexpected(what, &other)),
    }
}

/// Expects a list of transfers.
pub(super) fn call_list(what: &str, message: &Message) -> Result<Vec<TransferState>> {
    match call(what, message)? {
        Message::Transfers(list) => Ok(list),
        other => Err(unexpected(what, &other)),
    }
}

pub(super) fn command(what: &str, guid: TransferId, action: TransferAction) -> Result<()> {
    call_ok(what, &Message::TransferCommand { guid, action })
}

pub(super) fn change(what: &str, guid: TransferId, change: TransferChange) -> Result<()> {
    call_ok(what, &Message::ChangeTransfer { guid, change })
}

/// Follows a transfer's state until it is final: `on_state` hears every state the daemon
/// pushes (the first at once); returns the final one.
pub(super) async fn follow(
    what: &'static str,
    guid: TransferId,
    mut on_state: impl FnMut(&TransferState) + Send,
) -> Result<TransferState> {
    let connected = tokio::task::spawn_blocking(move || -> Result<_> {
        let mut client = crate::broker::connect(what)?;
        let (answer, _) = client
            .request(&Message::SubscribeTransfer { guid }, &[])
            .map_err(|e| crate::broker::client_error(e, what))?;
        match answer {
            Message::Ok => Ok(client.into_parts()),
            Message::Failed { hresult, message } => Err(Error::new(hresult, format!("{what}: {message}"))),
            other => Err(unexpected(what, &other)),
        }
    })
    .await
    .map_err(|e| Error::new(hresult::E_UNEXPECTED, format!("{what}: {e}")))??;
    let (stream, mut inbox) = connected;
    stream.set_nonblocking(true).map_err(|e| Error::from_io(&e, what))?;
    let mut stream = tokio::net::UnixStream::from_std(stream).map_err(|e| Error::from_io(&e, what))?;
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        while let Some((message, _)) =
            inbox.next_message().map_err(|e| Error::new(hresult::E_UNEXPECTED, format!("{what}: {e}")))?
        {
            match message {
                Message::TransferState(state) => {
                    on_state(&state);
                    let status = super::BackgroundTransferStatus::from_i32(state.status as i32);
                    if status.is_some_and(|s| s.is_final()) {
                        return Ok(*state);
                    }
                }
                Message::Failed { hresult, message } => {
                    return Err(Error::new(hresult, format!("{what}: {message}")));
                }
                other => return Err(unexpected(what, &other)),
            }
        }
        let n = stream.read(&mut buf).await.map_err(|e| Error::from_io(&e, what))?;
        if n == 0 {
            return Err(Error::new(
                hresult::E_SERVICE_NOT_ACTIVE,
                format!(
                    "{what}: netrt-brokerd stopped; the transfer resumes when it starts again (AttachAsync)"
                ),
            ));
        }
        inbox.push(&buf[..n], []).map_err(|e| Error::new(hresult::E_UNEXPECTED, format!("{what}: {e}")))?;
    }
}

/// The error of a transfer that ended in Error or Canceled.
pub(super) fn final_error(state: &TransferState) -> Option<Error> {
    use super::BackgroundTransferStatus as S;
    match S::from_i32(state.status as i32) {
        Some(S::Completed) => None,
        Some(S::Canceled) => Some(Error::new(hresult::E_CANCELLED, "the transfer was cancelled")),
        _ => Some(match &state.error {
            Some((hr, message)) => Error::new(*hr, message.clone()),
            None => Error::new(hresult::E_FAIL, "the transfer failed"),
        }),
    }
}
