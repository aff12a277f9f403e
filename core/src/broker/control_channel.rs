//! `ControlChannelTrigger`: keeps a long-lived connection (a `StreamSocket`, or a WebSocket's
//! connection) useful while the app waits. Its `KeepAliveTrigger` runs the background task
//! registered on it every keep-alive interval (the task writes the protocol's keep-alive), and
//! its `PushNotificationTrigger` runs the task registered on that when bytes arrive while the
//! app has no read pending. As in WinRT, these tasks run in the app's own process: the entry
//! point names a handler the app registered ([`super::register_task_entry_point`]).
//!
//! One watcher thread per trigger with a transport keeps the keep-alive clock and runs the
//! tasks. For a StreamSocket it polls the socket's descriptor for readiness (never reading it,
//! so the bytes stay for the app). A WebSocket's own receive loop always has a read pending on
//! its connection, so there the WebSocket layer reports pushes instead, through a hook the
//! trigger installs on it (`WaitForPushEnabled`) and removes (`Close`).

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use super::enums::{ControlChannelTriggerResourceType, ControlChannelTriggerStatus};
use super::local::{self, LocalTriggerKind};
use crate::error::{Error, Result};
use crate::net::StreamSocket;
use crate::net::stream_socket::ChannelProbe;
use crate::ws::{MessageWebSocket, PushListener, StreamWebSocket};

/// The transport a `ControlChannelTrigger` watches (`UsingTransport(Object)`).
#[derive(Clone)]
pub enum ControlChannelTransport {
    /// A connected `StreamSocket`.
    StreamSocket(StreamSocket),
    /// A connected `MessageWebSocket`.
    MessageWebSocket(MessageWebSocket),
    /// A connected `StreamWebSocket`.
    StreamWebSocket(StreamWebSocket),
}

impl std::fmt::Debug for ControlChannelTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::StreamSocket(_) => "StreamSocket",
            Self::MessageWebSocket(_) => "MessageWebSocket",
            Self::StreamWebSocket(_) => "StreamWebSocket",
        })
    }
}

impl From<StreamSocket> for ControlChannelTransport {
    fn from(s: StreamSocket) -> Self {
        Self::StreamSocket(s)
    }
}

impl From<MessageWebSocket> for ControlChannelTransport {
    fn from(s: MessageWebSocket) -> Self {
        Self::MessageWebSocket(s)
    }
}

impl From<StreamWebSocket> for ControlChannelTransport {
    fn from(s: StreamWebSocket) -> Self {
        Self::StreamWebSocket(s)
    }
}

impl ControlChannelTransport {
    /// The TCP socket underneath (a WebSocket's once connected).
    fn socket(&self) -> Option<StreamSocket> {
        match self {
            Self::StreamSocket(s) => Some(s.clone()),
            Self::MessageWebSocket(w) => w.underlying_socket(),
            Self::StreamWebSocket(w) => w.underlying_socket(),
        }
    }

    /// A WebSocket's push hook (a StreamSocket has none: its readiness is probed).
    fn push_hook(&self) -> Option<&crate::ws::push::PushHook> {
        match self {
            Self::StreamSocket(_) => None,
            Self::MessageWebSocket(w) => Some(w.push_hook()),
            Self::StreamWebSocket(w) => Some(w.push_hook()),
        }
    }
}

/// The smallest interval WinRT accepts for `ServerKeepAliveIntervalInMinutes`.
const MIN_INTERVAL_MINUTES: u32 = 15;
/// How often the watcher looks again while the app's own read is pending or a push it caused
/// is still unclaimed (readiness stays set until the app reads, so it cannot just wait on it).
const RECHECK: Duration = Duration::from_millis(25);
/// How often a WebSocket transport's watcher (which does not poll the socket) looks whether
/// the connection is gone.
const RECHECK_GONE: Duration = Duration::from_secs(1);

struct Inner {
    id: String,
    resource_type: ControlChannelTriggerResourceType,
    /// `ServerKeepAliveIntervalInMinutes`.
    server_minutes: Mutex<u32>,
    /// The interval the keep-alive task runs at (`CurrentKeepAliveIntervalInMinutes`, or the
    /// netrt seconds override).
    interval: Mutex<Duration>,
    transport: Mutex<Option<ControlChannelTransport>>,
    /// Wakes the watcher (an eventfd) when the trigger closes or the interval changes.
    wake: OwnedFd,
    closed: AtomicBool,
    watching: AtomicBool,
    /// Pushes a WebSocket transport reported that the watcher has not run yet.
    pushes: AtomicUsize,
}

impl PushListener for Inner {
    fn data_arrived(&self) {
        if !self.closed.load(Ordering::SeqCst) {
            self.pushes.fetch_add(1, Ordering::SeqCst);
            wake(self);
        }
    }
}

/// `ControlChannelTrigger`. Cloning gives another reference to the same trigger.
#[derive(Clone)]
pub struct ControlChannelTrigger {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for ControlChannelTrigger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ControlChannelTrigger").field("id", &self.inner.id).finish_non_exhaustive()
    }
}

impl PartialEq for ControlChannelTrigger {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl ControlChannelTrigger {
    /// `ControlChannelTrigger(channelId, serverKeepAliveIntervalInMinutes)`: a software slot.
    ///
    /// # Errors
    /// `E_INVALIDARG` for an empty id or an interval under 15 minutes.
    pub fn new(channel_id: &str, server_keep_alive_interval_in_minutes: u32) -> Result<Self> {
        Self::with_resource_type(
            channel_id,
            server_keep_alive_interval_in_minutes,
            ControlChannelTriggerResourceType::RequestSoftwareSlot,
        )
    }

    /// `ControlChannelTrigger(channelId, serverKeepAliveIntervalInMinutes, resourceRequestType)`.
    /// Linux has no hardware slots: `RequestHardwareSlot` is accepted and a software slot
    /// allocated (`WaitForPushEnabled` says `SoftwareSlotAllocated`).
    ///
    /// # Errors
    /// As [`ControlChannelTrigger::new`].
    pub fn with_resource_type(
        channel_id: &str,
        server_keep_alive_interval_in_minutes: u32,
        resource_request_type: ControlChannelTriggerResourceType,
    ) -> Result<Self> {
        if channel_id.is_empty() {
            return Err(Error::invalid_arg("ControlChannelTrigger: the channel id is empty"));
        }
        check_minutes(server_keep_alive_interval_in_minutes)?;
        // SAFETY: eventfd has no memory preconditions; the result is checked.
        let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        if fd < 0 {
            return Err(Error::from_io(&std::io::Error::last_os_error(), "ControlChannelTrigger: eventfd"));
        }
        Ok(Self {
            inner: Arc::new(Inner {
                id: channel_id.to_owned(),
                resource_type: resource_request_type,
                server_minutes: Mutex::new(server_keep_alive_interval_in_minutes),
                interval: Mutex::new(minutes(server_keep_alive_interval_in_minutes)),
                transport: Mutex::new(None),
                // SAFETY: `fd` is a new descriptor nothing else owns.
                wake: unsafe { OwnedFd::from_raw_fd(fd) },
                closed: AtomicBool::new(false),
                watching: AtomicBool::new(false),
                pushes: AtomicUsize::new(0),
            }),
        })
    }

    fn check_open(&self, what: &str) -> Result<()> {
        if self.inner.closed.load(Ordering::SeqCst) {
            return Err(Error::closed(&format!("ControlChannelTrigger.{what}")));
        }
        Ok(())
    }

    /// `ControlChannelTriggerId`.
    pub fn control_channel_trigger_id(&self) -> String {
        self.inner.id.clone()
    }

    /// netrt: the resource type asked for at construction.
    pub fn resource_request_type(&self) -> ControlChannelTriggerResourceType {
        self.inner.resource_type
    }

    /// `ServerKeepAliveIntervalInMinutes`.
    pub fn server_keep_alive_interval_in_minutes(&self) -> u32 {
        *lock(&self.inner.server_minutes)
    }

    /// `ServerKeepAliveIntervalInMinutes` (set): also the interval the keep-alive task runs at
    /// from now on.
    ///
    /// # Errors
    /// `E_INVALIDARG` under 15 minutes; `RO_E_CLOSED` after Close.
    pub fn set_server_keep_alive_interval_in_minutes(&self, value: u32) -> Result<()> {
        self.check_open("ServerKeepAliveIntervalInMinutes")?;
        check_minutes(value)?;
        *lock(&self.inner.server_minutes) = value;
        self.set_interval(minutes(value))
    }

    /// `CurrentKeepAliveIntervalInMinutes`: the interval the keep-alive task runs at (rounded
    /// up to whole minutes under the netrt seconds override).
    pub fn current_keep_alive_interval_in_minutes(&self) -> u32 {
        let secs = lock(&self.inner.interval).as_secs();
        u32::try_from(secs.div_ceil(60)).unwrap_or(u32::MAX)
    }

    /// netrt extension: the keep-alive interval in seconds (for tests and short-lived
    /// channels; WinRT only has whole minutes of at least 15).
    pub fn keep_alive_interval_in_seconds(&self) -> u32 {
        u32::try_from(lock(&self.inner.interval).as_secs()).unwrap_or(u32::MAX)
    }

    /// netrt extension: sets the keep-alive interval in seconds (at least 1), below WinRT's
    /// 15-minute floor. `ServerKeepAliveIntervalInMinutes` is unchanged.
    ///
    /// # Errors
    /// `E_INVALIDARG` for 0; `RO_E_CLOSED` after Close.
    pub fn set_keep_alive_interval_in_seconds(&self, value: u32) -> Result<()> {
        self.check_open("KeepAliveIntervalInSeconds")?;
        if value == 0 {
            return Err(Error::invalid_arg(
                "ControlChannelTrigger: the keep-alive interval must be at least 1 second",
            ));
        }
        self.set_interval(Duration::from_secs(u64::from(value)))
    }

    fn set_interval(&self, interval: Duration) -> Result<()> {
        *lock(&self.inner.interval) = interval;
        let socket = lock(&self.inner.transport).as_ref().and_then(ControlChannelTransport::socket);
        if let Some(socket) = socket {
            // A transport not connected yet gets it at WaitForPushEnabled, which reports errors.
            let _ = socket.set_channel_keep_alive(interval);
        }
        self.wake_watcher();
        Ok(())
    }

    /// `IsWakeFromLowPowerSupported`: false (Linux has no connected standby).
    pub fn is_wake_from_low_power_supported(&self) -> bool {
        false
    }

    /// `KeepAliveTrigger`: a task registered with this as its trigger runs every keep-alive
    /// interval while a transport is set.
    pub fn keep_alive_trigger(&self) -> super::BackgroundTrigger {
        super::BackgroundTrigger::ControlChannel(self.clone(), LocalTriggerKind::KeepAlive)
    }

    /// `PushNotificationTrigger`: a task registered with this as its trigger runs when bytes
    /// arrive on the transport while the app has no read pending.
    pub fn push_notification_trigger(&self) -> super::BackgroundTrigger {
        super::BackgroundTrigger::ControlChannel(self.clone(), LocalTriggerKind::PushNotification)
    }

    /// `TransportObject`: what `UsingTransport` was given (None before).
    pub fn transport_object(&self) -> Option<ControlChannelTransport> {
        lock(&self.inner.transport).clone()
    }

    /// `UsingTransport(transport)`: the connection this channel keeps. Call it before the
    /// connection's connect, as WinRT requires, or after: the keep-alive interval and the
    /// watching start once the socket is connected (`WaitForPushEnabled`). Turns TCP
    /// keep-alive on with the channel's interval.
    ///
    /// # Errors
    /// `E_ILLEGAL_METHOD_CALL` when a transport was already set; `RO_E_CLOSED` after Close.
    pub fn using_transport(&self, transport: impl Into<ControlChannelTransport>) -> Result<()> {
        self.check_open("UsingTransport")?;
        let mut slot = lock(&self.inner.transport);
        if slot.is_some() {
            return Err(Error::illegal_method_call(
                "ControlChannelTrigger.UsingTransport: a transport is already set",
            ));
        }
        *slot = Some(transport.into());
        Ok(())
    }

    /// `WaitForPushEnabled()`: starts watching the transport (keep-alive clock and push
    /// readiness) and says `SoftwareSlotAllocated`, or `TransportDisconnected` when the
    /// transport is not connected (or was closed).
    ///
    /// # Errors
    /// `E_ILLEGAL_METHOD_CALL` without UsingTransport; `RO_E_CLOSED` after Close; the TCP
    /// keep-alive option's error.
    pub fn wait_for_push_enabled(&self) -> Result<ControlChannelTriggerStatus> {
        self.check_open("WaitForPushEnabled")?;
        let transport = lock(&self.inner.transport).clone().ok_or_else(|| {
            Error::illegal_method_call("ControlChannelTrigger.WaitForPushEnabled: call UsingTransport first")
        })?;
        let Some(socket) = transport.socket() else {
            return Ok(ControlChannelTriggerStatus::TransportDisconnected);
        };
        match socket.set_channel_keep_alive(*lock(&self.inner.interval)) {
            Ok(()) => {}
            Err(e)
                if e.hresult() == crate::error::hresult::RO_E_CLOSED
                    || e.hresult() == crate::error::hresult::E_ILLEGAL_METHOD_CALL =>
            {
                return Ok(ControlChannelTriggerStatus::TransportDisconnected);
            }
            Err(e) => return Err(e),
        }
        if !self.inner.watching.swap(true, Ordering::SeqCst) {
            let probe = match transport.push_hook() {
                Some(hook) => {
                    hook.install(self.push_listener());
                    false
                }
                None => true,
            };
            let weak = Arc::downgrade(&self.inner);
            std::thread::Builder::new()
                .name(format!("netrt-ccht-{}", self.inner.id))
                .spawn(move || watch(weak, socket, probe))
                .map_err(|e| Error::from_io(&e, "ControlChannelTrigger: start the watcher thread"))?;
        }
        Ok(ControlChannelTriggerStatus::SoftwareSlotAllocated)
    }

    /// `DecreaseNetworkKeepAliveInterval()`: halves the keep-alive interval (netrt: at least
    /// one second), as a network that dropped idle connections would need.
    ///
    /// # Errors
    /// `RO_E_CLOSED` after Close.
    pub fn decrease_network_keep_alive_interval(&self) -> Result<()> {
        self.check_open("DecreaseNetworkKeepAliveInterval")?;
        let next = (*lock(&self.inner.interval) / 2).max(Duration::from_secs(1));
        self.set_interval(next)
    }

    /// `FlushTransport()`: netrt writes through at once, so there is nothing buffered to
    /// flush; it checks the transport is usable.
    ///
    /// # Errors
    /// `E_ILLEGAL_METHOD_CALL` without UsingTransport; `RO_E_CLOSED` after Close.
    pub fn flush_transport(&self) -> Result<()> {
        self.check_open("FlushTransport")?;
        if lock(&self.inner.transport).is_none() {
            return Err(Error::illegal_method_call(
                "ControlChannelTrigger.FlushTransport: call UsingTransport first",
            ));
        }
        Ok(())
    }

    /// `Close()`: stops both triggers (no task starts afterwards; one already running
    /// finishes) and forgets the tasks registered on them. Idempotent; the transport stays
    /// open.
    pub fn close(&self) {
        if !self.inner.closed.swap(true, Ordering::SeqCst) {
            if let Some(hook) =
                lock(&self.inner.transport).as_ref().and_then(ControlChannelTransport::push_hook)
            {
                hook.remove(&self.push_listener());
            }
            self.wake_watcher();
            local::forget_trigger(self);
        }
    }

    /// This trigger as a WebSocket's push listener (weak: the WebSocket does not keep it alive).
    fn push_listener(&self) -> Weak<dyn PushListener> {
        let weak: Weak<dyn PushListener> = Arc::downgrade(&self.inner) as Weak<Inner>;
        weak
    }

    /// netrt: whether Close was called.
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::SeqCst)
    }

    fn wake_watcher(&self) {
        wake(&self.inner);
    }
}

fn wake(inner: &Inner) {
    let one: u64 = 1;
    // SAFETY: writes 8 bytes from a valid u64 to our eventfd.
    let _ = unsafe { libc::write(inner.wake.as_raw_fd(), (&one as *const u64).cast(), 8) };
}

fn drain(inner: &Inner) {
    let mut value: u64 = 0;
    // SAFETY: reads 8 bytes into a valid u64 from our non-blocking eventfd.
    let _ = unsafe { libc::read(inner.wake.as_raw_fd(), (&mut value as *mut u64).cast(), 8) };
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn minutes(m: u32) -> Duration {
    Duration::from_secs(u64::from(m) * 60)
}

fn check_minutes(value: u32) -> Result<()> {
    if value < MIN_INTERVAL_MINUTES {
        return Err(Error::invalid_arg(format!(
            "ControlChannelTrigger: ServerKeepAliveIntervalInMinutes must be at least {MIN_INTERVAL_MINUTES}, got {value} (netrt: set_keep_alive_interval_in_seconds for shorter intervals)"
        )));
    }
    Ok(())
}

/// The watcher: runs the keep-alive task every interval and the push task when bytes wait
/// unclaimed (`probe`: a StreamSocket's readiness) or a WebSocket reported data. After a
/// probed push it waits for the app to claim the bytes (a read, or the bytes gone) before it
/// can push again. Ends when the trigger closes or is dropped, or the socket goes.
fn watch(weak: Weak<Inner>, socket: StreamSocket, probe: bool) {
    let mut next_keep_alive = {
        let Some(inner) = weak.upgrade() else { return };
        Instant::now() + *lock(&inner.interval)
    };
    let mut pushed = false;
    loop {
        let Some(inner) = weak.upgrade() else { return };
        if inner.closed.load(Ordering::SeqCst) {
            return;
        }
        let trigger = ControlChannelTrigger { inner };
        for _ in 0..trigger.inner.pushes.swap(0, Ordering::SeqCst) {
            if trigger.is_closed() {
                return;
            }
            local::fire(&trigger, LocalTriggerKind::PushNotification);
        }
        let now = Instant::now();
        if now >= next_keep_alive {
            local::fire(&trigger, LocalTriggerKind::KeepAlive);
            next_keep_alive = Instant::now() + *lock(&trigger.inner.interval);
            continue;
        }
        let until_keep_alive = next_keep_alive - now;
        let wait = if pushed { until_keep_alive.min(RECHECK) } else { until_keep_alive };
        let wake_fd = trigger.inner.wake.as_raw_fd();
        let interval_before = *lock(&trigger.inner.interval);
        // The trigger itself is not held while waiting, so dropping the last reference ends it.
        let inner_weak = Arc::downgrade(&trigger.inner);
        drop(trigger);
        let probe = if probe {
            socket.probe_channel(wait, wake_fd)
        } else {
            wait_for_wake(wake_fd, wait.min(RECHECK_GONE));
            if socket.channel_gone() { ChannelProbe::Gone } else { ChannelProbe::Quiet }
        };
        let Some(inner) = inner_weak.upgrade() else { return };
        drain(&inner);
        let trigger = ControlChannelTrigger { inner };
        if trigger.is_closed() {
            return;
        }
        let interval_now = *lock(&trigger.inner.interval);
        if interval_now != interval_before {
            next_keep_alive = Instant::now() + interval_now;
        }
        match probe {
            ChannelProbe::Gone => return,
            ChannelProbe::Quiet => pushed = false,
            ChannelProbe::Claimed => {
                pushed = false;
                std::thread::sleep(RECHECK);
            }
            ChannelProbe::Unclaimed if pushed => std::thread::sleep(RECHECK),
            ChannelProbe::Unclaimed => {
                pushed = true;
                local::fire(&trigger, LocalTriggerKind::PushNotification);
            }
        }
    }
}

/// Waits at most `wait` for the wake eventfd (a WebSocket's push, Close, a new interval).
fn wait_for_wake(wake_fd: std::os::fd::RawFd, wait: Duration) {
    let mut fds = [libc::pollfd { fd: wake_fd, events: libc::POLLIN, revents: 0 }];
    let ms = libc::c_int::try_from(wait.as_millis()).unwrap_or(libc::c_int::MAX);
    // SAFETY: one valid pollfd.
    let _ = unsafe { libc::poll(fds.as_mut_ptr(), 1, ms) };
}
