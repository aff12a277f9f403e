//! `BrokerStatus` (a netrt extension, no WinRT counterpart): what the running netrt-brokerd
//! holds, for operators and for `netrt broker status`.

use std::io::ErrorKind;
use std::path::PathBuf;

use netrt_broker_protocol::client::{Client, ClientError};
use netrt_broker_protocol::protocol::Message;

use crate::error::{Error, Result, hresult};
use crate::foundation::Guid;

/// One registered background task, as the daemon reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerTaskStatus {
    /// The task's id (`BackgroundTaskRegistration::task_id`).
    pub task_id: Guid,
    /// `BackgroundTaskBuilder.Name`.
    pub name: String,
    /// The command line the daemon runs to activate the task (`TaskEntryPoint`).
    pub command: String,
    /// Sockets the daemon holds for the task.
    pub held_sockets: u32,
    /// Whether a running instance subscribed to its activations.
    pub subscribed: bool,
}

/// What the running netrt-brokerd holds: its process, its registered tasks, the sockets it
/// holds and the background transfers it keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerStatus {
    /// The daemon's process id.
    pub pid: u32,
    /// The daemon's version.
    pub version: String,
    /// The Unix socket the daemon answers on.
    pub socket: PathBuf,
    /// Every registered task.
    pub tasks: Vec<BrokerTaskStatus>,
    /// Every socket held, for any task (also those of tasks since unregistered).
    pub held_sockets: u32,
    /// Background transfers kept: downloads and uploads of every group, finished ones included.
    pub transfers: u32,
}

impl BrokerStatus {
    /// Asks the daemon of this user (the socket `NETRT_BROKER_SOCKET` names, else the usual
    /// path) for its status. Unlike the other broker calls, this one never starts a daemon: it
    /// reports on the one that runs.
    ///
    /// # Errors
    /// `HRESULT_FROM_WIN32(ERROR_SERVICE_NOT_ACTIVE)` when no daemon answers on the socket; the
    /// connection's error when the conversation fails.
    pub fn query() -> Result<BrokerStatus> {
        const WHAT: &str = "BrokerStatus";
        let socket = netrt_broker_protocol::paths::socket_path();
        let mut client = match Client::connect(&socket) {
            Ok(client) => client,
            Err(ClientError::Io(e))
                if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::ConnectionRefused) =>
            {
                return Err(Error::new(
                    hresult::E_SERVICE_NOT_ACTIVE,
                    format!("{WHAT}: no netrt-brokerd runs at {} ({e})", socket.display()),
                ));
            }
            Err(e) => return Err(super::client_error(e, WHAT)),
        };
        let (answer, _) =
            client.request(&Message::StatusQuery, &[]).map_err(|e| super::client_error(e, WHAT))?;
        match answer {
            Message::Status(s) => Ok(BrokerStatus {
                pid: s.pid,
                version: s.version,
                socket,
                tasks: s
                    .tasks
                    .into_iter()
                    .map(|t| BrokerTaskStatus {
                        task_id: Guid::from_bytes_le(t.task.task_id),
                        name: t.task.name,
                        command: t.task.command,
                        held_sockets: t.held_sockets,
                        subscribed: t.subscribed,
                    })
                    .collect(),
                held_sockets: s.held_sockets,
                transfers: s.transfers,
            }),
            Message::Failed { hresult, message } => Err(Error::new(hresult, format!("{WHAT}: {message}"))),
            other => Err(Error::new(hresult::E_UNEXPECTED, format!("{WHAT}: the broker answered {other:?}"))),
        }
    }
}
