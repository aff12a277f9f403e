//! Background tasks that run in the app's own process (a `ControlChannelTrigger`'s
//! KeepAliveTrigger and PushNotificationTrigger): the entry points the app registered, the
//! registrations made on those triggers, and the run of one task — its instance, deferral,
//! and the registration's Completed and Progress events.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use super::control_channel::ControlChannelTrigger;
use super::enums::BackgroundTaskCancellationReason;
use super::task::{BackgroundTaskInstance, BackgroundTaskRegistration};
use crate::error::{Error, Result};
use crate::event::{Event, EventToken, Handler};
use crate::foundation::Guid;

/// Which of a ControlChannelTrigger's two triggers a task is registered on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalTriggerKind {
    /// `KeepAliveTrigger`.
    KeepAlive,
    /// `PushNotificationTrigger`.
    PushNotification,
}

/// The app's code for an entry point: `IBackgroundTask.Run(taskInstance)`.
pub type TaskEntryPoint = Arc<dyn Fn(&BackgroundTaskInstance) + Send + Sync + 'static>;

/// `BackgroundTaskCompletedEventArgs`.
#[derive(Debug, Clone)]
pub struct BackgroundTaskCompletedEventArgs {
    instance_id: Guid,
    failure: Option<String>,
}

impl BackgroundTaskCompletedEventArgs {
    /// `InstanceId`.
    pub fn instance_id(&self) -> Guid {
        self.instance_id
    }

    /// `CheckResult()`: fails with `E_FAIL` when the task's entry point panicked (or, in a
    /// projection, raised).
    ///
    /// # Errors
    /// `E_FAIL` with the failure's text.
    pub fn check_result(&self) -> Result<()> {
        match &self.failure {
            None => Ok(()),
            Some(text) => {
                Err(Error::new(crate::error::hresult::E_FAIL, format!("the background task failed: {text}")))
            }
        }
    }
}

/// `BackgroundTaskProgressEventArgs`.
#[derive(Debug, Clone)]
pub struct BackgroundTaskProgressEventArgs {
    instance_id: Guid,
    progress: u32,
}

impl BackgroundTaskProgressEventArgs {
    /// `InstanceId`.
    pub fn instance_id(&self) -> Guid {
        self.instance_id
    }

    /// `Progress`.
    pub fn progress(&self) -> u32 {
        self.progress
    }
}

/// A registration's events, shared by every object for the same task id.
#[derive(Default)]
pub(crate) struct TaskEvents {
    pub completed: Event<BackgroundTaskRegistration, BackgroundTaskCompletedEventArgs>,
    pub progress: Event<BackgroundTaskRegistration, BackgroundTaskProgressEventArgs>,
}

struct LocalTask {
    registration: BackgroundTaskRegistration,
    trigger: ControlChannelTrigger,
    kind: LocalTriggerKind,
}

/// An in-process run not yet complete (its Canceled event may still fire).
struct Running {
    task_id: Guid,
    trigger: ControlChannelTrigger,
    instance: BackgroundTaskInstance,
}

#[derive(Default)]
struct Registry {
    entry_points: HashMap<String, TaskEntryPoint>,
    tasks: Vec<LocalTask>,
    events: HashMap<Guid, Arc<TaskEvents>>,
    running: Vec<Running>,
}

fn registry() -> std::sync::MutexGuard<'static, Registry> {
    static REGISTRY: OnceLock<Mutex<Registry>> = OnceLock::new();
    REGISTRY.get_or_init(Mutex::default).lock().unwrap_or_else(|e| e.into_inner())
}

/// netrt: registers the code that runs for `entry_point` (a task's `TaskEntryPoint`) when a
/// trigger of this process fires (a `ControlChannelTrigger`'s): WinRT activates the class the
/// entry point names; netrt calls the handler the app registered under that name, on a netrt
/// thread. A second registration under the same name replaces the first.
pub fn register_task_entry_point(
    entry_point: &str,
    run: impl Fn(&BackgroundTaskInstance) + Send + Sync + 'static,
) {
    registry().entry_points.insert(entry_point.to_owned(), Arc::new(run));
}

/// netrt: removes the handler registered for `entry_point`; false when there was none.
pub fn unregister_task_entry_point(entry_point: &str) -> bool {
    registry().entry_points.remove(entry_point).is_some()
}

pub(crate) fn events(task_id: Guid) -> Arc<TaskEvents> {
    registry().events.entry(task_id).or_default().clone()
}

pub(crate) fn add(
    registration: BackgroundTaskRegistration,
    trigger: ControlChannelTrigger,
    kind: LocalTriggerKind,
) {
    registry().tasks.push(LocalTask { registration, trigger, kind });
}

/// Forgets the in-process task `task_id` (nothing when it is already forgotten).
pub(crate) fn remove(task_id: Guid) {
    registry().tasks.retain(|t| t.registration.task_id() != task_id);
}

/// The in-process registrations.
pub(crate) fn all() -> Vec<BackgroundTaskRegistration> {
    registry().tasks.iter().map(|t| t.registration.clone()).collect()
}

/// A closed trigger's tasks are forgotten, and its runs still in progress are canceled.
pub(crate) fn forget_trigger(trigger: &ControlChannelTrigger) {
    registry().tasks.retain(|t| &t.trigger != trigger);
    cancel_runs(|r| &r.trigger == trigger);
}

/// Cancels the runs of `task_id` still in progress (Unregister with cancelTask).
pub(crate) fn cancel_task(task_id: Guid) {
    cancel_runs(|r| r.task_id == task_id);
}

fn cancel_runs(which: impl Fn(&Running) -> bool) {
    let canceled: Vec<BackgroundTaskInstance> = {
        let mut r = registry();
        let (gone, kept): (Vec<Running>, Vec<Running>) = r.running.drain(..).partition(|run| which(run));
        r.running = kept;
        gone.into_iter().map(|run| run.instance).collect()
    };
    for instance in canceled {
        instance.raise_canceled(BackgroundTaskCancellationReason::Abort);
    }
}

/// A run completed: it can no longer be canceled.
pub(crate) fn run_finished(instance_id: Guid) {
    registry().running.retain(|r| r.instance.instance_id() != instance_id);
}

/// Runs every task registered on `trigger`'s `kind`, one after the other, on this thread.
pub(crate) fn fire(trigger: &ControlChannelTrigger, kind: LocalTriggerKind) {
    let runs: Vec<(BackgroundTaskRegistration, Option<TaskEntryPoint>)> = {
        let r = registry();
        r.tasks
            .iter()
            .filter(|t| &t.trigger == trigger && t.kind == kind)
            .map(|t| {
                (t.registration.clone(), r.entry_points.get(&t.registration.task_entry_point()).cloned())
            })
            .collect()
    };
    for (registration, entry) in runs {
        let Some(entry) = entry else {
            tracing::warn!(
                "ControlChannelTrigger {}: no handler is registered for the entry point \"{}\" of task \"{}\"",
                trigger.control_channel_trigger_id(),
                registration.task_entry_point(),
                registration.name()
            );
            continue;
        };
        let instance = match BackgroundTaskInstance::in_process(registration, trigger.clone(), kind) {
            Ok(i) => i,
            Err(e) => {
                tracing::warn!("ControlChannelTrigger: cannot make a task instance: {e}");
                continue;
            }
        };
        let task_id = instance.task().map(|t| t.task_id()).unwrap_or_default();
        registry().running.push(Running { task_id, trigger: trigger.clone(), instance: instance.clone() });
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| entry(&instance)));
        let failure = outcome.err().map(|p| {
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "the entry point panicked".to_owned())
        });
        instance.run_returned(failure);
    }
}

/// One run's completion: Completed is raised once, when the entry point has returned and the
/// deferral (if one was taken) is complete.
#[derive(Default)]
pub(crate) struct RunState {
    deferred: AtomicBool,
    deferral_done: AtomicBool,
    returned: AtomicBool,
    raised: AtomicBool,
    failure: Mutex<Option<String>>,
}

impl RunState {
    pub(crate) fn took_deferral(&self) {
        self.deferred.store(true, Ordering::SeqCst);
    }

    /// Raises Completed when both halves are done (once).
    pub(crate) fn maybe_complete(&self, registration: &BackgroundTaskRegistration, instance_id: Guid) {
        let deferral_ok = !self.deferred.load(Ordering::SeqCst) || self.deferral_done.load(Ordering::SeqCst);
        if !self.returned.load(Ordering::SeqCst) || !deferral_ok || self.raised.swap(true, Ordering::SeqCst) {
            return;
        }
        let failure = self.failure.lock().unwrap_or_else(|e| e.into_inner()).clone();
        run_finished(instance_id);
        events(registration.task_id())
            .completed
            .raise(registration.clone(), BackgroundTaskCompletedEventArgs { instance_id, failure });
    }

    pub(crate) fn deferral_completed(&self) {
        self.deferral_done.store(true, Ordering::SeqCst);
    }

    pub(crate) fn returned(&self, failure: Option<String>) {
        *self.failure.lock().unwrap_or_else(|e| e.into_inner()) = failure;
        self.returned.store(true, Ordering::SeqCst);
    }
}

/// Raises Progress for an in-process run.
pub(crate) fn raise_progress(registration: &BackgroundTaskRegistration, instance_id: Guid, progress: u32) {
    events(registration.task_id())
        .progress
        .raise(registration.clone(), BackgroundTaskProgressEventArgs { instance_id, progress });
}

/// Adds a handler to one of a registration's events.
pub(crate) fn add_handler<A: Send + Sync + 'static>(
    event: &Event<BackgroundTaskRegistration, A>,
    handler: Handler<BackgroundTaskRegistration, A>,
) -> Result<EventToken> {
    event.add("BackgroundTaskRegistration", handler)
}
