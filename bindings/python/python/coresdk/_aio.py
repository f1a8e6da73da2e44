"""The one way the ``*_async`` methods run a blocking call: on the event loop's default
executor (a thread pool), in a copy of the caller's :mod:`contextvars` context (as
:func:`asyncio.to_thread` does). The native calls release the GIL while the core works,
so the loop keeps running other tasks meanwhile."""

from __future__ import annotations

import asyncio
import contextvars
import functools
from typing import Any, Callable, TypeVar

T = TypeVar("T")


async def run_blocking(fn: Callable[..., T], *args: Any) -> T:
    """Awaits ``fn(*args)`` run on the running loop's default executor; its exception
    (a :class:`coresdk.CoreSdkError`) is raised here unchanged."""
    loop = asyncio.get_running_loop()
    context = contextvars.copy_context()
    return await loop.run_in_executor(None, functools.partial(context.run, fn, *args))
