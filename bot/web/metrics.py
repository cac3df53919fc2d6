"""/metrics in Prometheus' text format (prometheus-client), one registry per server.

Nothing is added to the hot path but a timer around each turn (Engine.turn_observers). The rest is
read when Prometheus scrapes:
- the counters the Telegram channel and its Sender already keep (bot/telegram: replies sent, retried,
  delayed, given up, 429s, handler errors, duplicates...), a plain `collections.Counter`;
- the database: the outbox's depth and oldest pending row, leads by status, the oldest unclaimed lead,
  the workshops running. A few aggregate queries, run once per scrape (Prometheus' default is every
  15 s), with `ops.check_timeout_seconds` as their limit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Mapping
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from bot.app.runtime import Runtime
from bot.app.version import build_info
from bot.shared.logs import Repeated
from bot.store.clock import aware, now_utc
from bot.store.leads import UNCLAIMED
from bot.store.models import Lead, Outbox, Workshop
from bot.store.workshops import RUNNING
from bot.web.health import Readiness

log = logging.getLogger(__name__)

TURN_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
LEAD_STATUSES = ("new", "notified", "claimed", "contacted", "closed")

# The channel's counter names that have a metric of their own (alert rules read better that way);
# every other name is aliat_telegram_events_total{event="<name>"}.
NAMED_COUNTERS = {
    "replies_sent": ("aliat_replies_sent", "Conversation replies delivered to Telegram"),
    "send_retries": ("aliat_send_retries", "Bot API calls retried after a 429, a 5xx or a network error"),
    "replies_delayed": ("aliat_replies_delayed", "Replies that could not go at once (the outbox deliverer retries them)"),
    "replies_undelivered": ("aliat_replies_undelivered", "Replies given up on (blocked, refused, too many tries)"),
    "telegram_429": ("aliat_telegram_429", "Bot API answers 429 Too Many Requests"),
    "handler_errors": ("aliat_handler_errors", "Updates whose handling raised (the user was told to try again)"),
}


class ChannelCounters(Collector):
    """The Telegram channel's own counters, read at scrape time."""

    def __init__(self, counters: Mapping[str, int]) -> None:
        self.counters = counters

    def collect(self) -> Iterator[Metric]:
        values = dict(self.counters)
        for key, (name, documentation) in NAMED_COUNTERS.items():
            family = CounterMetricFamily(name, documentation)
            family.add_metric([], values.pop(key, 0))
            yield family
        events = CounterMetricFamily("aliat_telegram_events", "Other events counted by the Telegram channel",
                                     labels=["event"])
        for key in sorted(values):
            events.add_metric([key], values[key])
        yield events


class DatabaseGauges(Collector):
    """Gauges from the database, refreshed (async) just before each scrape is written out."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.up = 0
        self.facts: dict[str, Any] = {}
        self.failures = Repeated(log, "metrics: database not readable", level=logging.WARNING)

    async def refresh(self) -> None:
        try:
            self.facts = await asyncio.wait_for(self._read(), self.runtime.settings.ops.check_timeout_seconds)
            self.up = 1
            self.failures.ok()
        except Exception as exc:
            self.failures.failed(exc)
            self.up, self.facts = 0, {}

    async def _read(self) -> dict[str, Any]:
        now = now_utc()

        def age(value: Any) -> float:
            value = aware(value)
            return 0.0 if value is None else max(0.0, (now - value).total_seconds())

        async with self.runtime.sessionmaker() as session:
            outbox = (await session.execute(
                select(Outbox.kind, func.count(), func.min(Outbox.created_at))
                .where(Outbox.status == "pending").group_by(Outbox.kind))).all()
            failed = await session.scalar(select(func.count()).select_from(Outbox).where(Outbox.status == "failed"))
            leads = (await session.execute(select(Lead.status, func.count()).group_by(Lead.status))).all()
            unclaimed = await session.scalar(select(func.min(Lead.created_at)).where(Lead.status.in_(UNCLAIMED)))
            workshops = await session.scalar(
                select(func.count()).select_from(Workshop).where(Workshop.status == RUNNING))
        by_status = dict.fromkeys(LEAD_STATUSES, 0) | {status: int(n) for status, n in leads}
        return {
            "outbox_pending": {kind: int(n) for kind, n, _oldest in outbox},
            "outbox_oldest": max((age(oldest) for _kind, _n, oldest in outbox), default=0.0),
            "outbox_failed": int(failed or 0),
            "leads": by_status,
            "lead_oldest_unclaimed": age(unclaimed),
            "workshops": int(workshops or 0),
        }

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily("aliat_database_up", "1 when the last scrape could read the database", value=self.up)
        if not self.facts:
            return
        f = self.facts
        pending = GaugeMetricFamily("aliat_outbox_pending", "Outbox rows waiting to be delivered", labels=["kind"])
        for kind, n in sorted(f["outbox_pending"].items()):
            pending.add_metric([kind], n)
        yield pending
        yield GaugeMetricFamily("aliat_outbox_oldest_pending_seconds",
                                "Age of the oldest undelivered outbox row (0: none)", value=f["outbox_oldest"])
        yield GaugeMetricFamily("aliat_outbox_failed", "Outbox rows given up on", value=f["outbox_failed"])
        leads = GaugeMetricFamily("aliat_leads", "Leads by status", labels=["status"])
        for status, n in f["leads"].items():
            leads.add_metric([status], n)
        yield leads
        yield GaugeMetricFamily("aliat_lead_oldest_unclaimed_seconds",
                                "Age of the oldest lead nobody has claimed (0: none)",
                                value=f["lead_oldest_unclaimed"])
        yield GaugeMetricFamily("aliat_workshops_active", "Workshops running now", value=f["workshops"])


class BuildAndReadiness(Collector):
    """`aliat_build_info` (which release runs) and `aliat_ready` (/readyz's verdict, checked at the scrape)."""

    def __init__(self, readiness: Readiness | None) -> None:
        self.readiness = readiness
        self.ready: int | None = None

    async def refresh(self) -> None:
        if self.readiness is not None:
            self.ready = int((await self.readiness.check())[0])

    def collect(self) -> Iterator[Metric]:
        info = build_info()
        family = GaugeMetricFamily("aliat_build_info", "The running release: version, git commit, Python",
                                   labels=sorted(info))
        family.add_metric([info[k] for k in sorted(info)], 1)
        yield family
        if self.ready is not None:
            yield GaugeMetricFamily("aliat_ready", "1 when /readyz would answer 200 (database, migrations, "
                                    "Telegram, outbox)", value=self.ready)


class Metrics:
    """The registry behind /metrics; `close()` stops observing the engine's turns."""

    def __init__(self, runtime: Runtime, *, counters: Mapping[str, int] | None = None,
                 readiness: Readiness | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.turns = Counter("aliat_turns", "Conversation turns by channel and outcome (ok, skipped, error)",
                             ["channel", "outcome"], registry=self.registry)
        self.turn_seconds = Histogram("aliat_turn_seconds", "Time to handle a turn, database included",
                                      ["channel"], buckets=TURN_BUCKETS, registry=self.registry)
        if counters is not None:
            self.registry.register(ChannelCounters(counters))
        self._children: dict[tuple[str, str], tuple[Any, Any]] = {}
        self.database = DatabaseGauges(runtime)
        self.registry.register(self.database)
        self.build = BuildAndReadiness(readiness)
        self.registry.register(self.build)
        self.engine = runtime.engine
        self.engine.turn_observers.append(self.observe_turn)

    def observe_turn(self, channel: str, outcome: str, seconds: float) -> None:
        children = self._children.get((channel, outcome))
        if children is None:  # .labels() looks the child up under a lock: once per pair is enough
            children = self._children[(channel, outcome)] = (self.turns.labels(channel, outcome),
                                                             self.turn_seconds.labels(channel))
        children[0].inc()
        if outcome != "skipped":
            children[1].observe(seconds)

    async def render(self) -> bytes:
        await self.database.refresh()
        await self.build.refresh()
        return generate_latest(self.registry)

    async def handle(self, _request: web.Request) -> web.Response:
        body = await self.render()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    def close(self) -> None:
        if self.observe_turn in self.engine.turn_observers:
            self.engine.turn_observers.remove(self.observe_turn)
