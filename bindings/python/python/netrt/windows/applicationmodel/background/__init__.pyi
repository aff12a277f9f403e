# Re-exports only: see the flat `netrt` stub for the types.

from netrt import (
    ActivationSubscription as ActivationSubscription,
    BackgroundTaskBuilder as BackgroundTaskBuilder,
    BackgroundTaskCancellationReason as BackgroundTaskCancellationReason,
    BackgroundTaskCompletedEventArgs as BackgroundTaskCompletedEventArgs,
    BackgroundTaskDeferral as BackgroundTaskDeferral,
    BackgroundTaskInstance as BackgroundTaskInstance,
    BackgroundTaskProgressEventArgs as BackgroundTaskProgressEventArgs,
    BackgroundTaskRegistration as BackgroundTaskRegistration,
    IBackgroundTask as IBackgroundTask,
    SocketActivityTrigger as SocketActivityTrigger,
    register_task_entry_point as register_task_entry_point,
    run_background_task as run_background_task,
    unregister_task_entry_point as unregister_task_entry_point,
)

__all__ = [
    "ActivationSubscription",
    "BackgroundTaskBuilder",
    "BackgroundTaskCancellationReason",
    "BackgroundTaskCompletedEventArgs",
    "BackgroundTaskDeferral",
    "BackgroundTaskInstance",
    "BackgroundTaskProgressEventArgs",
    "BackgroundTaskRegistration",
    "IBackgroundTask",
    "SocketActivityTrigger",
    "register_task_entry_point",
    "run_background_task",
    "unregister_task_entry_point",
]
