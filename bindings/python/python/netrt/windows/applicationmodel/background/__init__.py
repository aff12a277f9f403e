"""Windows.ApplicationModel.Background, where PyWinRT puts it
(``winrt.windows.applicationmodel.background``): the socket broker's task registration and the
activated task's instance (docs/broker.md). ``BackgroundTaskInstance`` (with its ``current()``)
and ``run_background_task`` are netrt's: the broker starts the task as a new process.

Each name is the same object as ``netrt.<name>``; the flat ``netrt`` namespace stays the
primary one.
"""

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
