"""Where generated pictures (journey charts) live, and their clean-up: they can show an entity's name."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

FOLDER_NAME = "aliat-charts"


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


async def wait_for_chart(path: Path, timeout: float = 10.0) -> bool:
    """A chart being drawn in the background appears complete (renamed into place); wait for it."""
    try:
        if path.resolve().parent != chart_dir().resolve():
            return path.is_file()
    except OSError:
        return False
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not path.is_file():
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(0.02)
    return True
