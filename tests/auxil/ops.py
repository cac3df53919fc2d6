"""Helpers for the operations tests: settings with the web server on a free port, and reading it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.config import Settings
from tests.auxil.telegram_bot import free_port


def with_ops(settings: Settings, *, metrics: bool = True) -> Settings:
    """The operations endpoints on (and metrics, unless told), on a free port of 127.0.0.1 (`ops.port`)."""
    return replace(settings, web=replace(settings.web, host="127.0.0.1", port=free_port()),
                   ops=replace(settings.ops, enabled=True, metrics=metrics, host="127.0.0.1", port=free_port()))


async def get(url: str) -> tuple[int, Any]:
    """GET url: (status, JSON body or text)."""
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        if response.content_type == "application/json":
            return response.status, await response.json()
        return response.status, await response.text()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Prometheus text as {(sample name, sorted labels): value}."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found: dict, name: str, **labels: str) -> float | None:
    return found.get((name, tuple(sorted(labels.items()))))
