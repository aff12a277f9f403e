//! One client connection: a Hello, then requests answered in order; or, after Subscribe, a feed
//! of activations.

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::Interest;
use tokio::net::UnixStream;
use tokio::sync::mpsc;

use super::Broker;
use super::state::Held;
use crate::protocol::{
    Activation, DecodeError, Inbox, MAX_FDS_PER_MESSAGE, Message, Role, SocketKind, SocketRecord, Status,
    TaskStatus, Transfer, VERSION, encode,
};
use crate::transport::{recv_some, send_some};

/// HRESULTs the daemon answers with (the app sees them as netrt errors).
mod hr {
    pub const E_INVALIDARG: i32 = 0x8007_0057_u32 as i32;
    /// HRESULT_FROM_WIN32(ERROR_NOT_FOUND).
    pub const NOT_FOUND: i32 = 0x8007_0490_u32 as i32;
    /// HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS).
    pub const ALREADY_EXISTS: i32 = 0x8007_00B7_u32 as i32;
    pub const E_FAIL: i32 = 0x8000_4005_u32 as i32;
}

fn failed(hresult: i32, message: impl Into<String>) -> Message {
    Message::Failed { hresult, message: message.into() }
}

pub(crate) async fn serve(broker: Arc<Broker>, stream: UnixStream) {
    let mut inbox = Inbox::new(Role::Daemon);
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let next = match inbox.next_message() {
            Ok(Some(next)) => next,
            Ok(None) => {
                let received = stream.async_io(Interest::READABLE, || recv_some(&stream, &mut buf)).await;
                match received {
                    Ok((0, fds)) if fds.is_empty() => return,
                    Ok((n, fds)) => {
                        if let Err(e) = inbox.push(&buf[..n], fds) {
                            return refuse(&stream, e).await;
                        }
                        continue;
                    }
                    Err(e) => {
                        tracing::debug!("client connection: {e}");
                        return;
                    }
                }
            }
            Err(e) => return refuse(&stream, e).await,
        };
        let (message, fds) = next;
        if let Message::Subscribe { task_id } = message {
            return subscribe(&broker, &stream, task_id).await;
        }
        if let Message::SubscribeTransfer { guid } = message {
            return follow_transfer(&broker, &stream, guid).await;
        }
        let replies = handle(&broker, message, fds).await;
        for (reply, fds) in replies {
            let borrowed: Vec<BorrowedFd<'_>> = fds.iter().map(|f| f.as_fd()).collect();
            if send(&stream, &reply, &borrowed).await.is_err() {
                return;
            }
        }
    }
}

/// A protocol error ends the session with a Failed naming it (best effort).
async fn refuse(stream: &UnixStream, error: DecodeError) {
    tracing::warn!("closing a client connection: {error}");
    let _ = send(stream, &failed(hr::E_INVALIDARG, format!("protocol error: {error}")), &[]).await;
}

async fn send(stream: &UnixStream, message: &Message, fds: &[BorrowedFd<'_>]) -> std::io::Result<()> {
    let frame = encode(message).map_err(std::io::Error::other)?;
    let mut sent = 0;
    while sent < frame.len() {
        let with = if sent == 0 { fds } else { &[] };
        sent +=
            stream.async_io(Interest::WRITABLE, || send_some(stream.as_fd(), &frame[sent..], with)).await?;
    }
    Ok(())
}

async fn handle(broker: &Broker, message: Message, mut fds: Vec<OwnedFd>) -> Vec<(Message, Vec<OwnedFd>)> {
    let one = |m: Message| vec![(m, Vec::new())];
    match message {
        Message::Hello { .. } => one(Message::Welcome { version: VERSION }),
        Message::RegisterTask(task) => {
            if task.command.trim().is_empty() {
                return one(failed(
                    hr::E_INVALIDARG,
                    "a background task needs a TaskEntryPoint (the command to run)",
                ));
            }
            tracing::info!(task = %task.name, "registered `{}`", task.command);
            broker.state().tasks.insert(task.task_id, task);
            one(broker.save_tasks())
        }
        Message::UnregisterTask { task_id } => {
            if broker.state().tasks.remove(&task_id).is_none() {
                return one(failed(hr::NOT_FOUND, "no background task with this id is registered"));
            }
            one(broker.save_tasks())
        }
        Message::ListTasks => one(Message::Tasks(broker.state().tasks.values().cloned().collect())),
        Message::Transfer(transfer) => one(take(broker, transfer, fds.pop())),
        Message::Reclaim { ids } => reclaim(broker, ids).await,
        Message::ListSockets => {
            let mut sockets: Vec<SocketRecord> =
                broker.state().held.values().map(|h| h.record.clone()).collect();
            sockets.sort_by(|a, b| a.id.cmp(&b.id));
            one(Message::Sockets(sockets))
        }
        Message::ActivationDetails { activation_id } => match broker.state().activation(&activation_id) {
            Some(a) => one(Message::Activated(a.clone())),
            None => {
                one(failed(hr::NOT_FOUND, format!("no activation {activation_id} is known to the broker")))
            }
        },
        Message::StatusQuery => {
            let state = broker.state();
            let tasks = state
                .tasks
                .values()
                .map(|t| TaskStatus {
                    task: t.clone(),
                    held_sockets: state.held_for(&t.task_id),
                    subscribed: state.is_subscribed(&t.task_id),
                })
                .collect();
            one(Message::Status(Status {
                pid: std::process::id(),
                version: env!("CARGO_PKG_VERSION").into(),
                tasks,
                held_sockets: state.held.len() as u32,
                transfers: broker.transfers.count() as u32,
            }))
        }
        Message::CreateTransfer(request) => one(broker.transfers.create(*request)),
        Message::TransferCommand { guid, action } => one(broker.transfers.command(&guid, action)),
        Message::ChangeTransfer { guid, change } => one(broker.transfers.change(&guid, change)),
        Message::ListTransfers { kind, group } => one(broker.transfers.list(kind, group)),
        Message::GetTransfer { guid } => one(broker.transfers.get(&guid)),
        other => one(failed(hr::E_INVALIDARG, format!("{other:?} is not a request"))),
    }
}

/// The socket type the fd really is, so a record never lies about what it holds.
fn actual_kind(fd: &OwnedFd) -> Option<SocketKind> {
    use rustix::net::{SocketType, sockopt};
    match sockopt::socket_type(fd).ok()? {
        SocketType::DGRAM => Some(SocketKind::DatagramSocket),
        SocketType::STREAM if sockopt::socket_acceptconn(fd).ok()? => Some(SocketKind::StreamSocketListener),
        SocketType::STREAM => Some(SocketKind::StreamSocket),
        _ => None,
    }
}

fn take(broker: &Broker, transfer: Transfer, fd: Option<OwnedFd>) -> Message {
    let Some(fd) = fd else { return failed(hr::E_INVALIDARG, "a transfer arrived without its socket") };
    let record = transfer.socket;
    if record.id.is_empty() {
        return failed(hr::E_INVALIDARG, "the socket id is empty");
    }
    if actual_kind(&fd) != Some(record.kind) {
        return failed(hr::E_INVALIDARG, format!("the fd transferred as {:?} is not one", record.kind));
    }
    let mut state = broker.state();
    if !state.tasks.contains_key(&record.task_id) {
        return failed(hr::NOT_FOUND, "no background task with the socket's task id is registered");
    }
    if state.held.contains_key(&record.id) {
        return failed(
            hr::ALREADY_EXISTS,
            format!("the broker already holds a socket with id \"{}\"", record.id),
        );
    }
    let generation = state.generation();
    let keep_alive = (transfer.keep_alive_ms > 0).then(|| Duration::from_millis(transfer.keep_alive_ms));
    match broker.watcher.hold(&record.id, generation, record.kind, fd, keep_alive) {
        Ok(key) => {
            tracing::info!(socket = %record.id, kind = ?record.kind, "holding");
            state.held.insert(record.id.clone(), Held { record, generation, key, activation: None });
            Message::Ok
        }
        Err(e) => failed(hr::E_FAIL, format!("cannot watch the socket: {e}")),
    }
}

/// Every id must be held; the fds go back in batches of at most SCM_MAX_FD.
async fn reclaim(broker: &Broker, ids: Vec<String>) -> Vec<(Message, Vec<OwnedFd>)> {
    let taken: Vec<Held> = {
        let mut state = broker.state();
        if let Some(missing) = ids.iter().find(|id| !state.held.contains_key(*id)) {
            return vec![(
                failed(hr::NOT_FOUND, format!("the broker holds no socket with id \"{missing}\"")),
                Vec::new(),
            )];
        }
        ids.iter().filter_map(|id| state.release(id)).collect()
    };
    let mut back = Vec::with_capacity(taken.len());
    for held in taken {
        if let Some(fd) = broker.watcher.release(held.key) {
            back.push((held.record, fd));
        }
    }
    if back.is_empty() {
        return vec![(Message::Reclaimed { sockets: Vec::new(), last: true }, Vec::new())];
    }
    let batches = back.len().div_ceil(MAX_FDS_PER_MESSAGE);
    let mut replies = Vec::with_capacity(batches);
    let mut rest = back.into_iter();
    for i in 0..batches {
        let (sockets, fds): (Vec<SocketRecord>, Vec<OwnedFd>) =
            rest.by_ref().take(MAX_FDS_PER_MESSAGE).unzip();
        replies.push((Message::Reclaimed { sockets, last: i + 1 == batches }, fds));
    }
    replies
}

/// The connection becomes a feed of this task's activations until the client leaves.
async fn subscribe(broker: &Broker, stream: &UnixStream, task_id: crate::protocol::TaskId) {
    let (tx, mut rx) = mpsc::unbounded_channel::<Activation>();
    broker.state().subscribers.entry(task_id).or_default().push(tx);
    if send(stream, &Message::Ok, &[]).await.is_err() {
        return;
    }
    let mut probe = [0u8; 1];
    feed(stream, &mut rx, &mut probe).await;
    // Activations queued for this subscriber when it left still reach the task: by a spawn.
    rx.close();
    while let Ok(activation) = rx.try_recv() {
        broker.spawn_for(activation);
    }
}

async fn feed(stream: &UnixStream, rx: &mut mpsc::UnboundedReceiver<Activation>, probe: &mut [u8; 1]) {
    loop {
        tokio::select! {
            activation = rx.recv() => {
                let Some(activation) = activation else { return };
                if send(stream, &Message::Activated(activation), &[]).await.is_err() {
                    return;
                }
            }
            // A subscriber sends nothing more: readable means it left (or broke the protocol).
            _ = stream.readable() => {
                if !matches!(stream.try_read(probe), Err(ref e) if e.kind() == std::io::ErrorKind::WouldBlock) {
                    return;
                }
            }
        }
    }
}

/// The connection becomes a feed of one transfer's state until it ends or the client leaves.
async fn follow_transfer(broker: &Broker, stream: &UnixStream, guid: crate::protocol::TransferId) {
    let mut rx = match broker.transfers.subscribe(&guid) {
        Ok(rx) => rx,
        Err(refusal) => {
            let _ = send(stream, &refusal, &[]).await;
            return;
        }
    };
    if send(stream, &Message::Ok, &[]).await.is_err() {
        return;
    }
    let mut probe = [0u8; 1];
    loop {
        tokio::select! {
            state = rx.recv() => {
                let Some(state) = state else { return };
                let done = matches!(state.status, 5..=7);
                if send(stream, &Message::TransferState(Box::new(state)), &[]).await.is_err() || done {
                    return;
                }
            }
            // A follower sends nothing more: readable means it left.
            _ = stream.readable() => {
                if !matches!(stream.try_read(&mut probe), Err(ref e) if e.kind() == std::io::ErrorKind::WouldBlock) {
                    return;
                }
            }
        }
    }
}
