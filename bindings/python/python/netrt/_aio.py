"""``async for`` over netrt events (a netrt extra, not part of WinRT)."""

from __future__ import annotations

import asyncio
from typing import Any, Callable

_END = object()


class _EventIterator:
    """Turns an event into an async iterator: every event raised on netrt's dispatcher thread
    is handed to the event loop that created the iterator. The native side registers
    ``_on_event`` and ``_close`` with the core and then calls ``_attach``; the core calls
    ``_close`` when the owner closes (however it is closed), after the events raised before,
    and the iteration then ends."""

    def __init__(self, attribute: str | None) -> None:
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._attribute = attribute
        self._remove: Callable[[int], None] | None = None
        self._token: int | None = None

    def _attach(self, remove: Callable[[int], None], token: int) -> None:
        self._remove = remove
        self._token = token

    def _on_event(self, sender: Any, args: Any) -> None:  # on netrt's dispatcher thread
        item = getattr(args, self._attribute) if self._attribute else args
        self._post(item)

    def _post(self, item: Any) -> None:
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, item)
        except RuntimeError:  # the loop is closed: nobody is iterating any more
            pass

    def _close(self) -> None:  # on netrt's dispatcher thread, once the owner is closed
        self._token = None  # closing removed the handler already
        self._post(_END)

    def _unregister(self) -> None:
        if self._token is not None and self._remove is not None:
            token, self._token = self._token, None
            self._remove(token)

    def __aiter__(self) -> _EventIterator:
        return self

    async def __anext__(self) -> Any:
        item = await self._queue.get()
        if item is _END:
            self._queue.put_nowait(_END)  # every later __anext__ ends too
            raise StopAsyncIteration
        return item

    async def aclose(self) -> None:
        """Stops listening (what ``break`` plus this call, or the owner's ``close()``, do)."""
        self._unregister()
