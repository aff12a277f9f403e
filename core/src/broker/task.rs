//! Registration (Windows.ApplicationModel.Background, as far as the socket broker needs it):
//! `SocketActivityTrigger`, `BackgroundTaskBuilder`, `BackgroundTaskRegistration`, and, in the
//! process the broker activates, `BackgroundTaskInstance`.

use std::collections::BTreeMap;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use netrt_broker_protocol::client::{Client, ClientError};
use netrt_broker_protocol::protocol::{ACTIVATION_ENV, Activation, Message, TaskRegistration};

use super::activity::{SocketActivityInformation, SocketActivityTriggerDetails};
use super::control_channel::ControlChannelTrigger;
use super::enums::BackgroundTaskCancellationReason;
use super::local::{
    self, BackgroundTaskCompletedEventArgs, BackgroundTaskProgressEventArgs, LocalTriggerKind, RunState,
};
use super::session;
use crate::error::{Error, Result, hresult};
use crate::event::{Event, EventToken, Handler};
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

/// `IBackgroundTrigger`: what a BackgroundTaskBuilder's task runs on.
#[derive(Debug, Clone, PartialEq)]
pub enum BackgroundTrigger {
    /// `SocketActivityTrigger`: the socket broker runs the task's command.
    SocketActivity(SocketActivityTrigger),
    /// A `ControlChannelTrigger`'s KeepAliveTrigger or PushNotificationTrigger: the task
    /// runs in this process.
    ControlChannel(ControlChannelTrigger, LocalTriggerKind),
}

impl From<SocketActivityTrigger> for BackgroundTrigger {
    fn from(t: SocketActivityTrigger) -> Self {
        Self::SocketActivity(t)
    }
}

/// `BackgroundTaskBuilder`: names a task, its entry point (netrt: the command line the broker
/// runs with `/bin/sh -c`) and its trigger, then registers it with the broker.
#[derive(Debug, Clone, Default)]
pub struct BackgroundTaskBuilder {
    name: String,
    task_entry_point: String,
    trigger: Option<BackgroundTrigger>,
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

    /// `SetTrigger(IBackgroundTrigger)`: a `SocketActivityTrigger` (the broker runs the task
    /// in a new process), or a `ControlChannelTrigger`'s `KeepAliveTrigger` /
    /// `PushNotificationTrigger` (the task runs in this process, see
    /// [`super::register_task_entry_point`]).
    pub fn set_trigger(&mut self, trigger: impl Into<BackgroundTrigger>) {
        self.trigger = Some(trigger.into());
    }

    /// `TaskEntryPoint`'s trigger as set (None before SetTrigger).
    pub fn trigger(&self) -> Option<BackgroundTrigger> {
        self.trigger.clone()
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
        let Some(trigger) = self.trigger.clone() else {
            return Err(Error::invalid_arg(
                "BackgroundTaskBuilder.Register: no trigger was set (SetTrigger)",
            ));
        };
        let registration = TaskRegistration {
            task_id: Guid::new_random()?.to_bytes_le(),
            name: self.name.clone(),
            command: self.task_entry_point.clone(),
            env: self.environment.clone(),
        };
        if let BackgroundTrigger::ControlChannel(channel, kind) = trigger {
            if channel.is_closed() {
                return Err(Error::closed("BackgroundTaskBuilder.Register: the ControlChannelTrigger"));
            }
            let task = BackgroundTaskRegistration { registration, local: Some((channel.clone(), kind)) };
            local::add(task.clone(), channel, kind);
            return Ok(task);
        }
        session::request(
            "BackgroundTaskBuilder.Register",
            &Message::RegisterTask(registration.clone()),
            &[],
        )?;
        Ok(BackgroundTaskRegistration { registration, local: None })
    }
}

/// `BackgroundTaskRegistration`: a task the broker knows.
#[derive(Debug, Clone)]
pub struct BackgroundTaskRegistration {
    registration: TaskRegistration,
    /// The ControlChannelTrigger trigger of an in-process task (None: a broker task).
    local: Option<(ControlChannelTrigger, LocalTriggerKind)>,
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
    /// stay until reclaimed); an in-process task no longer runs when its trigger fires, and
    /// with `cancel_task` its runs in progress get Canceled (`Abort`). netrt does not stop a
    /// command the broker already started.
    ///
    /// # Errors
    /// `E_NOT_FOUND` when the task is not registered; `E_SERVICE_NOT_ACTIVE` without a broker.
    pub fn unregister(&self, cancel_task: bool) -> Result<()> {
        if self.local.is_some() {
            local::remove(self.task_id());
            if cancel_task {
                local::cancel_task(self.task_id());
            }
            return Ok(());
        }
        let message = Message::UnregisterTask { task_id: self.registration.task_id };
        session::request("BackgroundTaskRegistration.Unregister", &message, &[]).map(|_| ())
    }

    /// `Trigger`: a `SocketActivityTrigger` for broker tasks, the ControlChannelTrigger's
    /// KeepAliveTrigger / PushNotificationTrigger for in-process ones.
    pub fn trigger(&self) -> BackgroundTrigger {
        match &self.local {
            Some((channel, kind)) => BackgroundTrigger::ControlChannel(channel.clone(), *kind),
            None => BackgroundTrigger::SocketActivity(SocketActivityTrigger),
        }
    }

    /// `Completed` (add): raised when a run of this task in this process ends (its entry
    /// point returned and its deferral, if it took one, completed). Runs the broker starts in
    /// other processes do not raise it here.
    ///
    /// # Errors
    /// None in practice (the token is unique in the process).
    pub fn add_completed(
        &self,
        handler: Handler<BackgroundTaskRegistration, BackgroundTaskCompletedEventArgs>,
    ) -> Result<EventToken> {
        local::add_handler(&local::events(self.task_id()).completed, handler)
    }

    /// `Completed` (remove).
    pub fn remove_completed(&self, token: EventToken) {
        local::events(self.task_id()).completed.remove(token);
    }

    /// `Progress` (add): raised when a run of this task in this process sets its instance's
    /// Progress.
    ///
    /// # Errors
    /// As [`BackgroundTaskRegistration::add_completed`].
    pub fn add_progress(
        &self,
        handler: Handler<BackgroundTaskRegistration, BackgroundTaskProgressEventArgs>,
    ) -> Result<EventToken> {
        local::add_handler(&local::events(self.task_id()).progress, handler)
    }

    /// `Progress` (remove).
    pub fn remove_progress(&self, token: EventToken) {
        local::events(self.task_id()).progress.remove(token);
    }

    /// netrt: whether the task runs in this process (a ControlChannelTrigger's task).
    pub fn is_in_process(&self) -> bool {
        self.local.is_some()
    }

    /// `AllTasks` (static): the tasks registered with the broker and this process's
    /// in-process tasks, by task id.
    ///
    /// # Errors
    /// `E_SERVICE_NOT_ACTIVE` when no broker runs and none can be started.
    pub fn all_tasks() -> Result<BTreeMap<String, BackgroundTaskRegistration>> {
        match session::request("BackgroundTaskRegistration.AllTasks", &Message::ListTasks, &[])? {
            (Message::Tasks(list), _) => Ok(list
                .into_iter()
                .map(|registration| BackgroundTaskRegistration { registration, local: None })
                .chain(local::all())
                .map(|r| (r.task_id().to_string(), r))
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

/// `BackgroundTaskDeferral`: tells the task host the task's work is done (netrt: a broker
/// task's process decides when it exits, Complete only records it; for an in-process task,
/// Complete lets the registration's Completed event be raised).
#[derive(Clone, Default)]
pub struct BackgroundTaskDeferral {
    completed: Arc<AtomicBool>,
    run: Option<RunLink>,
}

impl std::fmt::Debug for BackgroundTaskDeferral {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackgroundTaskDeferral").field("completed", &self.is_completed()).finish()
    }
}

impl BackgroundTaskDeferral {
    /// `Complete()`.
    pub fn complete(&self) {
        if !self.completed.swap(true, Ordering::SeqCst)
            && let Some(run) = &self.run
        {
            run.state.deferral_completed();
            run.state.maybe_complete(&run.registration, run.instance_id);
        }
    }

    /// netrt: whether Complete was called.
    pub fn is_completed(&self) -> bool {
        self.completed.load(Ordering::SeqCst)
    }
}

/// An in-process run, as its instance and deferral see it.
#[derive(Clone)]
struct RunLink {
    state: Arc<RunState>,
    registration: BackgroundTaskRegistration,
    instance_id: Guid,
}

/// `TriggerDetails` of a task instance: what fired.
#[derive(Debug, Clone)]
pub enum BackgroundTriggerDetails {
    /// A task the socket broker started: `SocketActivityTriggerDetails`.
    SocketActivity(SocketActivityTriggerDetails),
    /// A ControlChannelTrigger's task: `IControlChannelTriggerEventDetails`.
    ControlChannel(ControlChannelTriggerEventDetails),
}

impl BackgroundTriggerDetails {
    /// The SocketActivityTriggerDetails (C++/WinRT's `as<SocketActivityTriggerDetails>()`).
    ///
    /// # Errors
    /// `E_NOINTERFACE` for other details.
    pub fn socket_activity(&self) -> Result<SocketActivityTriggerDetails> {
        match self {
            Self::SocketActivity(d) => Ok(d.clone()),
            Self::ControlChannel(_) => Err(Error::new(
                hresult::E_NOINTERFACE,
                "the trigger details are IControlChannelTriggerEventDetails, not SocketActivityTriggerDetails",
            )),
        }
    }

    /// The IControlChannelTriggerEventDetails.
    ///
    /// # Errors
    /// `E_NOINTERFACE` for other details.
    pub fn control_channel(&self) -> Result<ControlChannelTriggerEventDetails> {
        match self {
            Self::ControlChannel(d) => Ok(d.clone()),
            Self::SocketActivity(_) => Err(Error::new(
                hresult::E_NOINTERFACE,
                "the trigger details are SocketActivityTriggerDetails, not IControlChannelTriggerEventDetails",
            )),
        }
    }
}

/// `IControlChannelTriggerEventDetails`: the trigger details of a KeepAliveTrigger or
/// PushNotificationTrigger task.
#[derive(Debug, Clone)]
pub struct ControlChannelTriggerEventDetails {
    trigger: ControlChannelTrigger,
    kind: LocalTriggerKind,
}

impl ControlChannelTriggerEventDetails {
    /// `ControlChannelTrigger`.
    pub fn control_channel_trigger(&self) -> ControlChannelTrigger {
        self.trigger.clone()
    }

    /// netrt: which of the channel's triggers fired.
    pub fn trigger_kind(&self) -> LocalTriggerKind {
        self.kind
    }
}

/// `IBackgroundTaskInstance`: one run of a task (started by the broker, or in this process by
/// a ControlChannelTrigger).
#[derive(Clone)]
pub struct BackgroundTaskInstance {
    inner: Arc<InstanceInner>,
}

/// One run's state, shared by the instance's clones (small to copy into a C handle).
struct InstanceInner {
    instance_id: Guid,
    details: BackgroundTriggerDetails,
    task: Option<BackgroundTaskRegistration>,
    deferral: BackgroundTaskDeferral,
    progress: AtomicU32,
    canceled: Event<BackgroundTaskInstance, BackgroundTaskCancellationReason>,
}

impl std::fmt::Debug for BackgroundTaskInstance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackgroundTaskInstance")
            .field("instance_id", &self.inner.instance_id)
            .field("details", &self.inner.details)
            .finish_non_exhaustive()
    }
}

impl BackgroundTaskInstance {
    fn from_activation(a: Activation, task: Option<BackgroundTaskRegistration>) -> Result<Self> {
        let instance_id = Guid::parse(&a.activation_id)?;
        let info = SocketActivityInformation::from_record(a.socket);
        Ok(Self {
            inner: Arc::new(InstanceInner {
                instance_id,
                details: BackgroundTriggerDetails::SocketActivity(SocketActivityTriggerDetails::new(
                    a.reason.into(),
                    info,
                )),
                task,
                deferral: BackgroundTaskDeferral::default(),
                progress: AtomicU32::new(0),
                canceled: Event::default(),
            }),
        })
    }

    /// A run of an in-process task fired by `trigger`.
    pub(crate) fn in_process(
        registration: BackgroundTaskRegistration,
        trigger: ControlChannelTrigger,
        kind: LocalTriggerKind,
    ) -> Result<Self> {
        let instance_id = Guid::new_random()?;
        let run = RunLink { state: Arc::default(), registration: registration.clone(), instance_id };
        Ok(Self {
            inner: Arc::new(InstanceInner {
                instance_id,
                details: BackgroundTriggerDetails::ControlChannel(ControlChannelTriggerEventDetails {
                    trigger,
                    kind,
                }),
                task: Some(registration),
                deferral: BackgroundTaskDeferral { completed: Arc::default(), run: Some(run) },
                progress: AtomicU32::new(0),
                canceled: Event::default(),
            }),
        })
    }

    /// The entry point returned (`failure`: its panic or exception text).
    pub(crate) fn run_returned(&self, failure: Option<String>) {
        if let Some(run) = &self.inner.deferral.run {
            run.state.returned(failure);
            run.state.maybe_complete(&run.registration, run.instance_id);
        }
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
        self.inner.instance_id
    }

    /// `TriggerDetails`: `SocketActivityTriggerDetails` for a task the broker started,
    /// `IControlChannelTriggerEventDetails` for a ControlChannelTrigger's task.
    pub fn trigger_details(&self) -> BackgroundTriggerDetails {
        self.inner.details.clone()
    }

    /// `Task`: the registration (None if it was unregistered since).
    pub fn task(&self) -> Option<BackgroundTaskRegistration> {
        self.inner.task.clone()
    }

    /// `GetDeferral()`: for an in-process task, the run is complete (Completed is raised)
    /// only once the deferral is completed too.
    pub fn get_deferral(&self) -> BackgroundTaskDeferral {
        if let Some(run) = &self.inner.deferral.run {
            run.state.took_deferral();
        }
        self.inner.deferral.clone()
    }

    /// `Progress`.
    pub fn progress(&self) -> u32 {
        self.inner.progress.load(Ordering::SeqCst)
    }

    /// `Progress` (set): an in-process task's registration raises Progress.
    pub fn set_progress(&self, value: u32) {
        self.inner.progress.store(value, Ordering::SeqCst);
        if let Some(run) = &self.inner.deferral.run {
            local::raise_progress(&run.registration, run.instance_id, value);
        }
    }

    /// `Canceled` (add): `handler(instance, reason)` when the run is canceled — for an
    /// in-process run, when its task is unregistered with cancelTask or its
    /// ControlChannelTrigger closes before the run completed (`Abort`).
    ///
    /// # Errors
    /// None in practice (the token is unique in the process).
    pub fn add_canceled(
        &self,
        handler: Handler<BackgroundTaskInstance, BackgroundTaskCancellationReason>,
    ) -> Result<EventToken> {
        self.inner.canceled.add("BackgroundTaskInstance", handler)
    }

    /// `Canceled` (remove).
    pub fn remove_canceled(&self, token: EventToken) {
        self.inner.canceled.remove(token);
    }

    pub(crate) fn raise_canceled(&self, reason: BackgroundTaskCancellationReason) {
        self.inner.canceled.raise(self.clone(), reason);
    }

    /// `SuspendedCount`: 0 (netrt does not suspend tasks).
    pub fn suspended_count(&self) -> u32 {
        0
    }
}
