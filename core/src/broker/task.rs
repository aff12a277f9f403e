//! Registration (Windows.ApplicationModel.Background, as far as the socket broker needs it):
//! `SocketActivityTrigger`, `BackgroundTaskBuilder`, `BackgroundTaskRegistration`, and, in the
//! process the broker activates, `BackgroundTaskInstance`.

use std::collections::BTreeMap;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use netrt_broker::client::{Client, ClientError};
use netrt_broker::protocol::{ACTIVATION_ENV, Activation, Message, TaskRegistration};

use super::activity::{SocketActivityInformation, SocketActivityTriggerDetails};
use super::session;
use crate::error::{Error, Result, hresult};
use crate::foundation::Guid;

/// `SocketActivityTrigger`: the trigger that lets the broker run a task for its sockets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SocketActivityTrigger;

impl SocketActivityTrigger {
    /// `SocketActivityTrigger()`.
    pub fn new() -> Self {
        Self
    }

    /// `IsWakeFromLowPowerSupported`: false (Linux has no connected standby to wake from).
    pub fn is_wake_from_low_power_supported(&self) -> bool {
        false
    }
}

/// `BackgroundTaskBuilder`: names a task, its entry point (netrt: the command line the broker
/// runs with `/bin/sh -c`) and its trigger, then registers it with the broker.
#[derive(Debug, Clone, Default)]
pub struct BackgroundTaskBuilder {
    name: String,
    task_entry_point: String,
    trigger: Option<SocketActivityTrigger>,
    environment: Vec<(String, String)>,
}

impl BackgroundTaskBuilder {
    /// `BackgroundTaskBuilder()`.
    pub fn new() -> Self {
        Self::default()
    }

    /// `Name`.
    pub fn name(&self) -> String {
        self.name.clone()
    }

    /// `Name` (set).
    pub fn set_name(&mut self, value: &str) {
        self.name = value.to_owned();
    }

    /// `TaskEntryPoint`: the command line the broker runs (with `/bin/sh -c`) to activate the
    /// task; the activation id is in its environment (`NETRT_BROKER_ACTIVATION`).
    pub fn task_entry_point(&self) -> String {
        self.task_entry_point.clone()
    }

    /// `TaskEntryPoint` (set).
    pub fn set_task_entry_point(&mut self, value: &str) {
        self.task_entry_point = value.to_owned();
    }

    /// `SetTrigger(IBackgroundTrigger)`: only `SocketActivityTrigger` exists in netrt.
    pub fn set_trigger(&mut self, trigger: SocketActivityTrigger) {
        self.trigger = Some(trigger);
    }

    /// netrt: an environment variable for the task's command (in addition to the broker's).
    pub fn add_environment(&mut self, name: &str, value: &str) {
        self.environment.push((name.to_owned(), value.to_owned()));
    }

    /// `Register()`: registers the task with the broker (starting it if needed) under a new
    /// task id. The registration persists across broker restarts until unregistered.
    ///
    /// # Errors
    /// `E_INVALIDARG` without a name, entry point or trigger; `E_SERVICE_NOT_ACTIVE` when no
    /// broker runs and none can be started.
    pub fn register(&self) -> Result<BackgroundTaskRegistration> {
        if self.name.is_empty() {
            return Err(Error::invalid_arg("BackgroundTaskBuilder.Register: Name is empty"));
        }
        if self.task_entry_point.trim().is_empty() {
            return Err(Error::invalid_arg(
                "BackgroundTaskBuilder.Register: TaskEntryPoint (the command to run) is empty",
            ));
        }
        if self.trigger.is_none() {
            return Err(Error::invalid_arg(
                "BackgroundTaskBuilder.Register: no trigger was set (SetTrigger)",
            ));
        }
        let registration = TaskRegistration {
            task_id: Guid::new_random()?.to_bytes_le(),
            name: self.name.clone(),
            command: self.task_entry_point.clone(),
            env: self.environment.clone(),
        };
        session::request(
            "BackgroundTaskBuilder.Register",
            &Message::RegisterTask(registration.clone()),
            &[],
        )?;
        Ok(BackgroundTaskRegistration { registration })
    }
}

/// `BackgroundTaskRegistration`: a task the broker knows.
#[derive(Debug, Clone)]
pub struct BackgroundTaskRegistration {
    registration: TaskRegistration,
}

impl BackgroundTaskRegistration {
    /// `TaskId`.
    pub fn task_id(&self) -> Guid {
        Guid::from_bytes_le(self.registration.task_id)
    }

    /// `Name`.
    pub fn name(&self) -> String {
        self.registration.name.clone()
    }

    /// netrt: the command the broker runs (the builder's TaskEntryPoint).
    pub fn task_entry_point(&self) -> String {
        self.registration.command.clone()
    }

    /// `Unregister(cancelTask)`: the broker forgets the task (sockets it holds for the task
    /// stay until reclaimed). `cancel_task` has no effect: netrt does not stop a command the
    /// broker already started.
    ///
    /// # Errors
    /// `E_NOT_FOUND` when the task is not registered; `E_SERVICE_NOT_ACTIVE` without a broker.
    pub fn unregister(&self, cancel_task: bool) -> Result<()> {
        let _ = cancel_task;
        let message = Message::UnregisterTask { task_id: self.registration.task_id };
        session::request("BackgroundTaskRegistration.Unregister", &message, &[]).map(|_| ())
    }

    /// `AllTasks` (static): the tasks registered with the broker, by task id.
    ///
    /// # Errors
    /// `E_SERVICE_NOT_ACTIVE` when no broker runs and none can be started.
    pub fn all_tasks() -> Result<BTreeMap<String, BackgroundTaskRegistration>> {
        match session::request("BackgroundTaskRegistration.AllTasks", &Message::ListTasks, &[])? {
            (Message::Tasks(list), _) => Ok(list
                .into_iter()
                .map(|registration| {
                    let r = BackgroundTaskRegistration { registration };
                    (r.task_id().to_string(), r)
                })
                .collect()),
            (other, _) => {
                Err(Error::new(hresult::E_UNEXPECTED, format!("AllTasks: unexpected answer {other:?}")))
            }
        }
    }

    /// netrt: subscribes this running process to the task's activations. While a subscription
    /// is open, the broker notifies it instead of starting the task's command.
    ///
    /// # Errors
    /// `E_SERVICE_NOT_ACTIVE` without a broker.
    pub fn subscribe(&self) -> Result<ActivationSubscription> {
        const WHAT: &str = "subscribe to the task's activations";
        let mut client = session::connect(WHAT)?;
        let message = Message::Subscribe { task_id: self.registration.task_id };
        match client.request(&message, &[]).map_err(|e| session::client_error(e, WHAT))? {
            (Message::Ok, _) => Ok(ActivationSubscription::new(client, self.clone())),
            (Message::Failed { hresult, message }, _) => {
                Err(Error::new(hresult, format!("{WHAT}: {message}")))
            }
            (other, _) => {
                Err(Error::new(hresult::E_UNEXPECTED, format!("{WHAT}: unexpected answer {other:?}")))
            }
        }
    }
}

/// netrt: a running instance's feed of its task's activations (dropping it, or `close`, ends
/// the subscription). Shareable between threads: `close` from one thread ends a
/// `next_activation` waiting in another.
pub struct ActivationSubscription {
    client: Mutex<Client>,
    /// The connection's descriptor, for `close` to shut down while a wait holds `client`;
    /// valid as long as `client` lives (it is only closed when the subscription is dropped).
    raw_fd: RawFd,
    closed: AtomicBool,
    task: BackgroundTaskRegistration,
}

impl std::fmt::Debug for ActivationSubscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActivationSubscription").field("task", &self.task.name()).finish_non_exhaustive()
    }
}

impl ActivationSubscription {
    fn new(client: Client, task: BackgroundTaskRegistration) -> Self {
        let raw_fd = client.fd().as_raw_fd();
        Self { client: Mutex::new(client), raw_fd, closed: AtomicBool::new(false), task }
    }

    /// The registration this subscription follows.
    pub fn task(&self) -> BackgroundTaskRegistration {
        self.task.clone()
    }

    /// Ends the subscription (idempotent): the broker starts the task's command again for
    /// later activations, and a `next_activation` waiting in another thread returns
    /// `RO_E_CLOSED`.
    pub fn close(&self) {
        if !self.closed.swap(true, Ordering::SeqCst) {
            // SAFETY: `raw_fd` belongs to `client`, which lives as long as `self`.
            unsafe { libc::shutdown(self.raw_fd, libc::SHUT_RDWR) };
        }
    }

    /// Waits for the next activation, at most `timeout` (`None`: no limit). `Ok(None)` when
    /// the time ran out.
    ///
    /// # Errors
    /// `E_SERVICE_NOT_ACTIVE` when the broker stopped (the sockets it held were closed with it;
    /// subscribe again once a broker runs); `RO_E_CLOSED` after `close`;
    /// `E_ILLEGAL_METHOD_CALL` while another thread waits on the same subscription; the
    /// connection's error otherwise.
    pub fn next_activation(&self, timeout: Option<Duration>) -> Result<Option<BackgroundTaskInstance>> {
        const WHAT: &str = "wait for an activation";
        let closed = || Error::closed("ActivationSubscription");
        if self.closed.load(Ordering::SeqCst) {
            return Err(closed());
        }
        let mut client = match self.client.try_lock() {
            Ok(c) => c,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => {
                return Err(Error::illegal_method_call(format!(
                    "{WHAT}: another thread is already waiting on this subscription"
                )));
            }
        };
        if let Some(limit) = timeout {
            let mut pfd = libc::pollfd { fd: self.raw_fd, events: libc::POLLIN, revents: 0 };
            let ms = libc::c_int::try_from(limit.as_millis()).unwrap_or(libc::c_int::MAX);
            // SAFETY: one valid pollfd.
            let n = unsafe { libc::poll(&mut pfd, 1, ms) };
            if n == 0 {
                return Ok(None);
            }
        }
        let received = client.receive_forever();
        if self.closed.load(Ordering::SeqCst) {
            return Err(closed());
        }
        let received = match received {
            Err(ClientError::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset
                ) =>
            {
                return Err(Error::new(
                    hresult::E_SERVICE_NOT_ACTIVE,
                    format!(
                        "{WHAT}: the socket broker stopped; the sockets it held for task \"{}\" were closed with it",
                        self.task.name()
                    ),
                ));
            }
            other => other.map_err(|e| session::client_error(e, WHAT))?,
        };
        match received {
            (Message::Activated(a), _) => {
                Ok(Some(BackgroundTaskInstance::from_activation(a, Some(self.task.clone()))?))
            }
            (other, _) => {
                Err(Error::new(hresult::E_UNEXPECTED, format!("{WHAT}: unexpected message {other:?}")))
            }
        }
    }
}

/// `BackgroundTaskDeferral`: tells the task host the task's work is done (netrt: the process
/// decides when it exits; Complete only records it).
#[derive(Debug, Clone, Default)]
pub struct BackgroundTaskDeferral {
    completed: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl BackgroundTaskDeferral {
    /// `Complete()`.
    pub fn complete(&self) {
        self.completed.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// netrt: whether Complete was called.
    pub fn is_completed(&self) -> bool {
        self.completed.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// `IBackgroundTaskInstance`: one run of a task the broker activated.
#[derive(Debug, Clone)]
pub struct BackgroundTaskInstance {
    instance_id: Guid,
    details: SocketActivityTriggerDetails,
    task: Option<BackgroundTaskRegistration>,
    deferral: BackgroundTaskDeferral,
}

impl BackgroundTaskInstance {
    fn from_activation(a: Activation, task: Option<BackgroundTaskRegistration>) -> Result<Self> {
        let instance_id = Guid::parse(&a.activation_id)?;
        let info = SocketActivityInformation::from_record(a.socket);
        Ok(Self {
            instance_id,
            details: SocketActivityTriggerDetails::new(a.reason.into(), info),
            task,
            deferral: BackgroundTaskDeferral::default(),
        })
    }

    /// netrt: the instance this process was started for, from its environment
    /// (`NETRT_BROKER_ACTIVATION`, set by the broker); `Ok(None)` in a process the broker did
    /// not start.
    ///
    /// # Errors
    /// `E_NOT_FOUND` when the broker no longer knows the activation; `E_SERVICE_NOT_ACTIVE`
    /// without a broker.
    pub fn current() -> Result<Option<Self>> {
        let Some(id) = std::env::var_os(ACTIVATION_ENV).filter(|v| !v.is_empty()) else { return Ok(None) };
        let id =
            id.into_string().map_err(|_| Error::invalid_arg(format!("{ACTIVATION_ENV} is not UTF-8")))?;
        const WHAT: &str = "BackgroundTaskInstance.current";
        match session::request(WHAT, &Message::ActivationDetails { activation_id: id }, &[])? {
            (Message::Activated(a), _) => {
                let task_id = a.socket.task_id;
                let task = BackgroundTaskRegistration::all_tasks()
                    .ok()
                    .and_then(|all| all.into_values().find(|t| t.registration.task_id == task_id));
                Self::from_activation(a, task).map(Some)
            }
            (other, _) => {
                Err(Error::new(hresult::E_UNEXPECTED, format!("{WHAT}: unexpected answer {other:?}")))
            }
        }
    }

    /// `InstanceId`.
    pub fn instance_id(&self) -> Guid {
        self.instance_id
    }

    /// `TriggerDetails` (always a `SocketActivityTriggerDetails` in netrt).
    pub fn trigger_details(&self) -> SocketActivityTriggerDetails {
        self.details.clone()
    }

    /// `Task`: the registration (None if it was unregistered since).
    pub fn task(&self) -> Option<BackgroundTaskRegistration> {
        self.task.clone()
    }

    /// `GetDeferral()`.
    pub fn get_deferral(&self) -> BackgroundTaskDeferral {
        self.deferral.clone()
    }
}
