//! The values messages carry.

use super::DecodeError;
use super::codec::{Reader, Writer};

/// A background task id: a GUID's 16 bytes in the Windows in-memory layout (`Data1..3`
/// little-endian), as netrt's `Guid::to_bytes_le` gives them.
pub type TaskId = [u8; 16];

/// What kind of socket the broker holds (the values of WinRT's `SocketActivityKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SocketKind {
    /// A listening TCP socket.
    StreamSocketListener = 1,
    /// A UDP socket.
    DatagramSocket = 2,
    /// A connected TCP socket.
    StreamSocket = 3,
}

impl SocketKind {
    pub(crate) fn from_u8(v: u8) -> Result<Self, DecodeError> {
        match v {
            1 => Ok(Self::StreamSocketListener),
            2 => Ok(Self::DatagramSocket),
            3 => Ok(Self::StreamSocket),
            _ => Err(DecodeError::Malformed("unknown socket kind")),
        }
    }
}

/// Why the broker activated a task (the values of WinRT's `SocketActivityTriggerReason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// Data is readable on a stream or datagram socket.
    SocketActivity = 1,
    /// A connection is waiting on a listener.
    ConnectionAccepted = 2,
    /// The keep-alive time given at transfer elapsed with no activity.
    KeepAliveTimerExpired = 3,
    /// The peer closed (or reset) a stream socket.
    SocketClosed = 4,
}

impl Reason {
    pub(crate) fn from_u8(v: u8) -> Result<Self, DecodeError> {
        match v {
            1 => Ok(Self::SocketActivity),
            2 => Ok(Self::ConnectionAccepted),
            3 => Ok(Self::KeepAliveTimerExpired),
            4 => Ok(Self::SocketClosed),
            _ => Err(DecodeError::Malformed("unknown activation reason")),
        }
    }
}

/// A registered background task: what the broker runs when one of its sockets needs the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRegistration {
    /// The task id sockets name at transfer.
    pub task_id: TaskId,
    /// The task's name (BackgroundTaskBuilder.Name).
    pub name: String,
    /// The command line the broker runs with `/bin/sh -c` (BackgroundTaskBuilder.TaskEntryPoint).
    pub command: String,
    /// Environment variables added to the command's environment.
    pub env: Vec<(String, String)>,
}

impl TaskRegistration {
    pub(crate) fn write(&self, w: &mut Writer) {
        w.raw(&self.task_id);
        w.str(&self.name);
        w.str(&self.command);
        w.count(self.env.len());
        for (k, v) in &self.env {
            w.str(k);
            w.str(v);
        }
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let task_id = r.array()?;
        let name = r.str()?;
        let command = r.str()?;
        let n = r.count(8)?;
        let mut env = Vec::with_capacity(n);
        for _ in 0..n {
            env.push((r.str()?, r.str()?));
        }
        Ok(Self { task_id, name, command, env })
    }
}

/// A socket the broker holds, as `SocketActivityInformation` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketRecord {
    /// The socket id the app chose at transfer (unique per user).
    pub id: String,
    /// The task activated for this socket.
    pub task_id: TaskId,
    /// The socket's kind.
    pub kind: SocketKind,
    /// The app's context bytes (SocketActivityContext.Data).
    pub context: Vec<u8>,
}

/// The least a record takes on the wire (empty id and context).
pub(crate) const SOCKET_RECORD_MIN: usize = 4 + 16 + 1 + 4;

impl SocketRecord {
    pub(crate) fn write(&self, w: &mut Writer) {
        w.str(&self.id);
        w.raw(&self.task_id);
        w.u8(self.kind as u8);
        w.bytes(&self.context);
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            id: r.str()?,
            task_id: r.array()?,
            kind: SocketKind::from_u8(r.u8()?)?,
            context: r.bytes()?,
        })
    }
}

/// A transfer: the socket (its fd travels with the message), and how to watch it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// What the broker will report about the socket.
    pub socket: SocketRecord,
    /// Milliseconds after which an idle socket activates its task with KeepAliveTimerExpired
    /// (0: no timer).
    pub keep_alive_ms: u64,
    /// SocketActivityConnectedStandbyAction.Wake was asked (recorded; Linux has no connected
    /// standby, so the broker always activates).
    pub wake: bool,
}

/// One activation: why, and which socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activation {
    /// The id the spawned command finds in its environment.
    pub activation_id: String,
    /// Why the task runs.
    pub reason: Reason,
    /// The socket concerned (held by the broker until reclaimed).
    pub socket: SocketRecord,
}

/// One task in a status report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskStatus {
    /// The registration.
    pub task: TaskRegistration,
    /// Sockets the broker holds for it.
    pub held_sockets: u32,
    /// Whether a running instance subscribed to its activations.
    pub subscribed: bool,
}

/// The daemon's state, for operators (`netrt-brokerd status`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The daemon's process id.
    pub pid: u32,
    /// The daemon's version string.
    pub version: String,
    /// Every registered task.
    pub tasks: Vec<TaskStatus>,
    /// Every socket held, for any task (also those of tasks since unregistered).
    pub held_sockets: u32,
    /// Background transfers the daemon keeps: downloads and uploads of every group, finished
    /// ones included.
    pub transfers: u32,
}
