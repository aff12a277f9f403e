//! Every message, and its body encoding.

use super::codec::{Reader, Writer};
use super::types::{SOCKET_RECORD_MIN, TaskStatus};
use super::xfer::{TransferAction, TransferChange, TransferId, TransferKind, TransferRequest, TransferState};
use super::{
    Activation, DecodeError, MAGIC, MAX_CONTEXT, MAX_FDS_PER_MESSAGE, Reason, SocketRecord, Status, TaskId,
    TaskRegistration, Transfer,
};

/// One message, either way. Requests from a client are answered by one reply, in order
/// (`Ok`, `Failed` or the typed answer); a reclaim is answered by `Reclaimed` batches until one
/// says `last`. A subscribed connection receives `Activated` messages only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// Client, first: the magic and the protocol version.
    Hello {
        /// The client's protocol version.
        version: u16,
    },
    /// Daemon: the version the session uses.
    Welcome {
        /// The version both sides speak.
        version: u16,
    },
    /// Register (or replace) a background task.
    RegisterTask(TaskRegistration),
    /// Remove a task; sockets held for it stay until reclaimed.
    UnregisterTask {
        /// The task to remove.
        task_id: TaskId,
    },
    /// Ask for every registered task.
    ListTasks,
    /// The registered tasks.
    Tasks(Vec<TaskRegistration>),
    /// Hand a socket to the broker (carries one fd).
    Transfer(Transfer),
    /// Take sockets back by id (the answer carries their fds).
    Reclaim {
        /// The socket ids.
        ids: Vec<String>,
    },
    /// Some of the reclaimed sockets, one fd each, in order.
    Reclaimed {
        /// The sockets whose fds travel with this message.
        sockets: Vec<SocketRecord>,
        /// Whether this is the last batch.
        last: bool,
    },
    /// Ask for every socket held (AllSockets).
    ListSockets,
    /// The sockets held.
    Sockets(Vec<SocketRecord>),
    /// Turn this connection into an activation feed for a task (a running instance).
    Subscribe {
        /// The task whose activations this connection receives.
        task_id: TaskId,
    },
    /// Ask what an activation is about (a spawned command, from its environment).
    ActivationDetails {
        /// The activation id.
        activation_id: String,
    },
    /// An activation (pushed to a subscriber, or the answer to ActivationDetails).
    Activated(Activation),
    /// Ask for the daemon's status.
    StatusQuery,
    /// The daemon's status.
    Status(Status),
    /// Create a background transfer (Idle until started); answered by `TransferState`.
    CreateTransfer(Box<TransferRequest>),
    /// Start, pause, resume or cancel a transfer; answered by `Ok` or `Failed`.
    TransferCommand {
        /// The transfer.
        guid: TransferId,
        /// What to do.
        action: TransferAction,
    },
    /// Change a transfer's settings; answered by `Ok` or `Failed`.
    ChangeTransfer {
        /// The transfer.
        guid: TransferId,
        /// The change.
        change: TransferChange,
    },
    /// Ask for the user's transfers of one kind, in one group (None: those of no group);
    /// answered by `Transfers`.
    ListTransfers {
        /// Downloads or uploads.
        kind: TransferKind,
        /// The group's name.
        group: Option<String>,
    },
    /// The transfers asked for.
    Transfers(Vec<TransferState>),
    /// Ask for one transfer's state; answered by `TransferState`.
    GetTransfer {
        /// The transfer.
        guid: TransferId,
    },
    /// A transfer's state (an answer, or pushed to a progress subscriber).
    TransferState(Box<TransferState>),
    /// Turn this connection into a feed of the transfer's state: `Ok`, then a `TransferState`
    /// at once, on every status change and at least every 1 MiB or 250 ms while it runs.
    SubscribeTransfer {
        /// The transfer.
        guid: TransferId,
    },
    /// Success with nothing to report.
    Ok,
    /// Failure: an HRESULT and a readable message.
    Failed {
        /// The HRESULT (as netrt reports it to the app).
        hresult: i32,
        /// What went wrong, for people.
        message: String,
    },
}

mod tag {
    pub const HELLO: u8 = 1;
    pub const WELCOME: u8 = 2;
    pub const REGISTER_TASK: u8 = 3;
    pub const UNREGISTER_TASK: u8 = 4;
    pub const LIST_TASKS: u8 = 5;
    pub const TASKS: u8 = 6;
    pub const TRANSFER: u8 = 7;
    pub const RECLAIM: u8 = 8;
    pub const RECLAIMED: u8 = 9;
    pub const LIST_SOCKETS: u8 = 10;
    pub const SOCKETS: u8 = 11;
    pub const SUBSCRIBE: u8 = 12;
    pub const ACTIVATION_DETAILS: u8 = 13;
    pub const ACTIVATED: u8 = 14;
    pub const STATUS_QUERY: u8 = 15;
    pub const STATUS: u8 = 16;
    pub const OK: u8 = 17;
    pub const FAILED: u8 = 18;
    pub const CREATE_TRANSFER: u8 = 19;
    pub const TRANSFER_COMMAND: u8 = 20;
    pub const CHANGE_TRANSFER: u8 = 21;
    pub const LIST_TRANSFERS: u8 = 22;
    pub const TRANSFERS: u8 = 23;
    pub const GET_TRANSFER: u8 = 24;
    pub const TRANSFER_STATE: u8 = 25;
    pub const SUBSCRIBE_TRANSFER: u8 = 26;
}

impl Message {
    /// How many fds travel with this message.
    pub fn fd_count(&self) -> usize {
        match self {
            Message::Transfer(_) => 1,
            Message::Reclaimed { sockets, .. } => sockets.len(),
            _ => 0,
        }
    }

    /// The message body (type byte and fields).
    pub(crate) fn body(&self) -> Vec<u8> {
        let mut w = Writer::default();
        match self {
            Message::Hello { version } => {
                w.u8(tag::HELLO);
                w.raw(&MAGIC);
                w.u16(*version);
            }
            Message::Welcome { version } => {
                w.u8(tag::WELCOME);
                w.u16(*version);
            }
            Message::RegisterTask(t) => {
                w.u8(tag::REGISTER_TASK);
                t.write(&mut w);
            }
            Message::UnregisterTask { task_id } => {
                w.u8(tag::UNREGISTER_TASK);
                w.raw(task_id);
            }
            Message::ListTasks => w.u8(tag::LIST_TASKS),
            Message::Tasks(tasks) => {
                w.u8(tag::TASKS);
                w.count(tasks.len());
                tasks.iter().for_each(|t| t.write(&mut w));
            }
            Message::Transfer(t) => {
                w.u8(tag::TRANSFER);
                t.socket.write(&mut w);
                w.u64(t.keep_alive_ms);
                w.u8(u8::from(t.wake));
            }
            Message::Reclaim { ids } => {
                w.u8(tag::RECLAIM);
                w.count(ids.len());
                ids.iter().for_each(|id| w.str(id));
            }
            Message::Reclaimed { sockets, last } => {
                w.u8(tag::RECLAIMED);
                w.count(sockets.len());
                sockets.iter().for_each(|s| s.write(&mut w));
                w.u8(u8::from(*last));
            }
            Message::ListSockets => w.u8(tag::LIST_SOCKETS),
            Message::Sockets(sockets) => {
                w.u8(tag::SOCKETS);
                w.count(sockets.len());
                sockets.iter().for_each(|s| s.write(&mut w));
            }
            Message::Subscribe { task_id } => {
                w.u8(tag::SUBSCRIBE);
                w.raw(task_id);
            }
            Message::ActivationDetails { activation_id } => {
                w.u8(tag::ACTIVATION_DETAILS);
                w.str(activation_id);
            }
            Message::Activated(a) => {
                w.u8(tag::ACTIVATED);
                w.str(&a.activation_id);
                w.u8(a.reason as u8);
                a.socket.write(&mut w);
            }
            Message::StatusQuery => w.u8(tag::STATUS_QUERY),
            Message::Status(s) => {
                w.u8(tag::STATUS);
                w.u32(s.pid);
                w.str(&s.version);
                w.count(s.tasks.len());
                for t in &s.tasks {
                    t.task.write(&mut w);
                    w.u32(t.held_sockets);
                    w.u8(u8::from(t.subscribed));
                }
                w.u32(s.held_sockets);
                w.u32(s.transfers);
            }
            Message::CreateTransfer(t) => {
                w.u8(tag::CREATE_TRANSFER);
                t.write(&mut w);
            }
            Message::TransferCommand { guid, action } => {
                w.u8(tag::TRANSFER_COMMAND);
                w.raw(guid);
                w.u8(*action as u8);
            }
            Message::ChangeTransfer { guid, change } => {
                w.u8(tag::CHANGE_TRANSFER);
                w.raw(guid);
                change.write(&mut w);
            }
            Message::ListTransfers { kind, group } => {
                w.u8(tag::LIST_TRANSFERS);
                w.u8(*kind as u8);
                w.u8(u8::from(group.is_some()));
                if let Some(g) = group {
                    w.str(g);
                }
            }
            Message::Transfers(list) => {
                w.u8(tag::TRANSFERS);
                w.count(list.len());
                list.iter().for_each(|t| t.write(&mut w));
            }
            Message::GetTransfer { guid } => {
                w.u8(tag::GET_TRANSFER);
                w.raw(guid);
            }
            Message::TransferState(t) => {
                w.u8(tag::TRANSFER_STATE);
                t.write(&mut w);
            }
            Message::SubscribeTransfer { guid } => {
                w.u8(tag::SUBSCRIBE_TRANSFER);
                w.raw(guid);
            }
            Message::Ok => w.u8(tag::OK),
            Message::Failed { hresult, message } => {
                w.u8(tag::FAILED);
                w.i32(*hresult);
                w.str(message);
            }
        }
        w.buf
    }

    /// Decodes one frame body (without its length prefix).
    pub fn decode_body(body: &[u8]) -> Result<Message, DecodeError> {
        let mut r = Reader::new(body);
        let message = match r.u8()? {
            tag::HELLO => {
                if r.array::<4>()? != MAGIC {
                    return Err(DecodeError::NotHello);
                }
                Message::Hello { version: r.u16()? }
            }
            tag::WELCOME => Message::Welcome { version: r.u16()? },
            tag::REGISTER_TASK => Message::RegisterTask(TaskRegistration::read(&mut r)?),
            tag::UNREGISTER_TASK => Message::UnregisterTask { task_id: r.array()? },
            tag::LIST_TASKS => Message::ListTasks,
            tag::TASKS => {
                let n = r.count(16 + 12)?;
                Message::Tasks((0..n).map(|_| TaskRegistration::read(&mut r)).collect::<Result<_, _>>()?)
            }
            tag::TRANSFER => {
                let socket = SocketRecord::read(&mut r)?;
                if socket.context.len() > MAX_CONTEXT {
                    return Err(DecodeError::Malformed("the context is larger than the broker keeps"));
                }
                Message::Transfer(Transfer { socket, keep_alive_ms: r.u64()?, wake: r.bool()? })
            }
            tag::RECLAIM => {
                let n = r.count(4)?;
                Message::Reclaim { ids: (0..n).map(|_| r.str()).collect::<Result<_, _>>()? }
            }
            tag::RECLAIMED => {
                let n = r.count(SOCKET_RECORD_MIN)?;
                if n > MAX_FDS_PER_MESSAGE {
                    return Err(DecodeError::Malformed(
                        "a reclaim batch holds more sockets than one message can carry",
                    ));
                }
                let sockets = (0..n).map(|_| SocketRecord::read(&mut r)).collect::<Result<_, _>>()?;
                Message::Reclaimed { sockets, last: r.bool()? }
            }
            tag::LIST_SOCKETS => Message::ListSockets,
            tag::SOCKETS => {
                let n = r.count(SOCKET_RECORD_MIN)?;
                Message::Sockets((0..n).map(|_| SocketRecord::read(&mut r)).collect::<Result<_, _>>()?)
            }
            tag::SUBSCRIBE => Message::Subscribe { task_id: r.array()? },
            tag::ACTIVATION_DETAILS => Message::ActivationDetails { activation_id: r.str()? },
            tag::ACTIVATED => Message::Activated(Activation {
                activation_id: r.str()?,
                reason: Reason::from_u8(r.u8()?)?,
                socket: SocketRecord::read(&mut r)?,
            }),
            tag::STATUS_QUERY => Message::StatusQuery,
            tag::STATUS => {
                let pid = r.u32()?;
                let version = r.str()?;
                let n = r.count(16 + 12 + 5)?;
                let mut tasks = Vec::with_capacity(n);
                for _ in 0..n {
                    let task = TaskRegistration::read(&mut r)?;
                    tasks.push(TaskStatus { task, held_sockets: r.u32()?, subscribed: r.bool()? });
                }
                Message::Status(Status { pid, version, tasks, held_sockets: r.u32()?, transfers: r.u32()? })
            }
            tag::CREATE_TRANSFER => Message::CreateTransfer(Box::new(TransferRequest::read(&mut r)?)),
            tag::TRANSFER_COMMAND => {
                Message::TransferCommand { guid: r.array()?, action: TransferAction::from_u8(r.u8()?)? }
            }
            tag::CHANGE_TRANSFER => {
                Message::ChangeTransfer { guid: r.array()?, change: TransferChange::read(&mut r)? }
            }
            tag::LIST_TRANSFERS => {
                let kind = TransferKind::from_u8(r.u8()?)?;
                let group = if r.bool()? { Some(r.str()?) } else { None };
                Message::ListTransfers { kind, group }
            }
            tag::TRANSFERS => {
                let n = r.count(64)?;
                Message::Transfers((0..n).map(|_| TransferState::read(&mut r)).collect::<Result<_, _>>()?)
            }
            tag::GET_TRANSFER => Message::GetTransfer { guid: r.array()? },
            tag::TRANSFER_STATE => Message::TransferState(Box::new(TransferState::read(&mut r)?)),
            tag::SUBSCRIBE_TRANSFER => Message::SubscribeTransfer { guid: r.array()? },
            tag::OK => Message::Ok,
            tag::FAILED => Message::Failed { hresult: r.i32()?, message: r.str()? },
            other => return Err(DecodeError::UnknownType(other)),
        };
        r.finish()?;
        Ok(message)
    }
}
