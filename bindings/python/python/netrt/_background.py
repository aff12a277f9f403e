"""Running a background task the socket broker started (docs/broker.md).

WinRT calls ``IBackgroundTask.Run(taskInstance)`` on the app's task class. In netrt the broker
starts the task's command (``BackgroundTaskBuilder.task_entry_point``) as a new process, which
finds its instance with ``BackgroundTaskInstance.current()``; ``run_background_task(task)`` does
that and then calls ``task.run(instance)``, so a PyWinRT-style task class runs unchanged.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

# netrt/__init__ imports this module after the native classes, so the name is already there.
from netrt import BackgroundTaskInstance

__all__ = ["IBackgroundTask", "run_background_task"]


@runtime_checkable
class IBackgroundTask(Protocol):
    """``IBackgroundTask``: a class with ``run(task_instance)``."""

    def run(self, task_instance: BackgroundTaskInstance, /) -> None: ...


def run_background_task(task: IBackgroundTask | type[IBackgroundTask]) -> bool:
    """Runs ``task.run(instance)`` for the instance the broker started this process for.

    ``task`` is an object with ``run(task_instance)`` or a class with such a method (called
    without arguments to make one). Returns ``False``, without calling it, when the broker did
    not start this process; broker failures raise ``NetworkError``.
    """
    instance = BackgroundTaskInstance.current()
    if instance is None:
        return False
    runner = task() if isinstance(task, type) else task
    runner.run(instance)
    return True
