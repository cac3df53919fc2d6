"""Where generated pictures (journey charts) live, and their clean-up: they can show an entity's name."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

FOLDER_NAME = "aliat-charts"
# Charts to draw in this process, by path: drawn when a channel first waits for one (right after the turn
# has committed), or after START_AFTER seconds if none does. Drawing during the turn (a helper thread
# started by the action) took the interpreter's lock from the turn's own work for the few milliseconds of
# the drawing: the summary turn, the journey's heaviest, is what sets the engine's p99.
START_AFTER = 0.05
_deferred: dict[str, tuple[Callable[[], Future[None]], list[Future[None]]]] = {}


def chart_dir() -> Path:
    """A folder of the system's temporary directory, created on demand."""
    folder = Path(tempfile.gettempdir()) / FOLDER_NAME
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def delete_chart(path: object) -> bool:
    """Delete one generated chart; anything outside the charts folder is left alone."""
    if not isinstance(path, str) or not path:
        return False
    target = Path(path)
    try:
        if target.resolve().parent != chart_dir().resolve() or not target.is_file():
            return False
        target.unlink()
        return True
    except OSError:
        return False


def purge_charts(*, older_than_seconds: float, now: float | None = None) -> int:
    """Delete charts older than this (they have been sent long ago)."""
    cutoff = (now or time.time()) - older_than_seconds
    removed = 0
    for path in [*chart_dir().glob("*.jpg"), *chart_dir().glob("*.png")]:
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed


def draw_later(path: Path, start: Callable[[], Future[None]]) -> None:
    """`start()` draws the chart at `path` (in a helper thread; its future done when the file is in place):
    called when a channel first waits for the chart, or START_AFTER seconds from now, whichever comes first."""
    key = str(path)
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # no event loop here: draw now
        start()
        return
    _deferred[key] = (start, [])
    loop.call_later(START_AFTER, _start, key)


def _start(key: str) -> Future[None] | None:
    entry = _deferred.pop(key, None)
    if entry is None:
        return None
    start, _ = entry
    return start()


async def wait_for_chart(path: Path, timeout: float = 10.0) -> bool:
    """A chart being drawn in the background appears complete (renamed into place); wait for it. One this
    process has still to draw is started now and awaited; one drawn elsewhere (an action server) is
    looked for every 20 ms."""
    try:
        if path.resolve().parent != chart_dir().resolve():
            return path.is_file()
    except OSError:
        return False
    drawing = _start(str(path))
    if drawing is not None:
        with contextlib.suppress(Exception):  # the drawer logs its failure; the file is then missing
            await asyncio.wait_for(asyncio.wrap_future(drawing), timeout)
        return path.is_file()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not path.is_file():
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(0.02)
    return True
