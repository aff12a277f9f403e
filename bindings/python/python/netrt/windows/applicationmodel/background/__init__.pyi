# Re-exports only: see the flat `netrt` stub for the types.

from netrt import (
    ActivationSubscription as ActivationSubscription,
    BackgroundTaskBuilder as BackgroundTaskBuilder,
    BackgroundTaskDeferral as BackgroundTaskDeferral,
    BackgroundTaskInstance as BackgroundTaskInstance,
    BackgroundTaskRegistration as BackgroundTaskRegistration,
    IBackgroundTask as IBackgroundTask,
    SocketActivityTrigger as SocketActivityTrigger,
    run_background_task as run_background_task,
)

__all__ = [
    "ActivationSubscription",
    "BackgroundTaskBuilder",
    "BackgroundTaskDeferral",
    "BackgroundTaskInstance",
    "BackgroundTaskRegistration",
    "IBackgroundTask",
    "SocketActivityTrigger",
    "run_background_task",
]
