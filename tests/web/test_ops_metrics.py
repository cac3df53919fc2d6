"""/metrics after a scripted journey through the real Application and the fake Bot API: turns by
channel and outcome, latency, replies sent and retried, 429s, the outbox, leads and workshops."""

from __future__ import annotations

import time

from tests.auxil import updates as U
from tests.auxil.ops import get, samples, value, with_ops
from tests.auxil.runtime import ask_for_a_facilitator, make_runtime
from tests.auxil.telegram_bot import settle, wait_sends


async def test_metrics_after_a_journey_show_what_happened(fake, bots) -> None:
    settings = with_ops(bots.settings())
    runtime = await bots.runtime()
    runtime.settings = settings
    base = f"http://127.0.0.1:{settings.ops.port}"
    await bots.start(settings, runtime)
    status, before = await get(f"{base}/metrics")
    assert status == 200
    found = samples(before)
    assert value(found, "aliat_replies_sent_total") == 0
    assert value(found, "aliat_database_up") == 1

    since = len(fake.calls)
    await fake.push_update(U.make_command("start", language_code="en", update_id=7001))
    await wait_sends(fake, 1, since=since)
    fake.fail_next("sendMessage", status=429, retry_after=1)  # the next reply waits out a 429
    since = len(fake.calls)
    await fake.push_update(U.make_command("help", language_code="en", update_id=7002))
    await wait_sends(fake, 1, since=since, timeout=10)
    since = len(fake.calls)
    await fake.push_update(U.make_sticker(update_id=7003))
    await wait_sends(fake, 1, since=since)
    await fake.wait_updates_consumed()  # the poller waits in its next getUpdates
    await fake.push_raw_update(U.make_command("help", language_code="en", update_id=7002))  # again
    await fake.wait_updates_consumed()
    await settle(fake)
    # A lead, made by an entity through the engine (channel "test"), waits for a facilitator.
    await ask_for_a_facilitator(runtime, "test:lead", "Coop Mètriques")

    status, text = await get(f"{base}/metrics")
    assert status == 200
    found = samples(text)
    assert value(found, "aliat_turns_total", channel="telegram", outcome="ok") == 3
    assert value(found, "aliat_turns_total", channel="telegram", outcome="skipped") == 1
    assert value(found, "aliat_turns_total", channel="test", outcome="ok") == 9  # ask_for_a_facilitator's 9
    assert value(found, "aliat_turn_seconds_count", channel="telegram") == 3
    assert value(found, "aliat_turn_seconds_bucket", channel="telegram", le="+Inf") == 3
    assert 0 < value(found, "aliat_turn_seconds_sum", channel="telegram") < 10
    assert value(found, "aliat_replies_sent_total") == 3
    assert value(found, "aliat_telegram_429_total") == 1
    assert value(found, "aliat_send_retries_total") == 1
    assert value(found, "aliat_replies_undelivered_total") == 0
    assert value(found, "aliat_telegram_events_total", event="duplicate_updates") == 1
    leads = {status: value(found, "aliat_leads", status=status)
             for status in ("new", "notified", "claimed", "contacted", "closed")}
    assert sum(leads.values()) == 1 and leads["new"] + leads["notified"] == 1, leads
    assert 0 < value(found, "aliat_lead_oldest_unclaimed_seconds") < 60
    assert value(found, "aliat_workshops_active") == 0
    assert value(found, "aliat_outbox_failed") == 0
    assert value(found, "aliat_database_up") == 1
    assert value(found, "aliat_ready") == 1
    from bot.app.version import build_info

    assert value(found, "aliat_build_info", **build_info()) == 1
    # No personal data in the metrics: names of entities and people never become labels.
    assert "Coop" not in text and "Marta" not in text


async def test_metrics_are_off_by_default_and_the_server_stays_closed(bots) -> None:
    settings = bots.settings()
    assert not (settings.web.enabled or settings.ops.enabled or settings.ops.metrics)
    app = await bots.start(settings)
    assert app.bot_data.web is None


async def test_the_dashboard_and_the_ops_endpoints_listen_apart(fake, bots) -> None:
    """Only the dashboard's listener is for the proxy to publish: /readyz and /metrics are not on it, and
    the dashboard is not on the ops listener."""
    from dataclasses import replace

    settings = with_ops(bots.settings())
    settings = replace(settings, web=replace(settings.web, enabled=True))
    await bots.start(settings)
    ops, web = f"http://127.0.0.1:{settings.ops.port}", f"http://127.0.0.1:{settings.web.port}"
    assert (await get(f"{ops}/readyz"))[0] == 200 and (await get(f"{ops}/metrics"))[0] == 200
    assert (await get(f"{web}/readyz"))[0] == 404 and (await get(f"{web}/metrics"))[0] == 404
    assert (await get(f"{web}/login?t=nope"))[0] == 403  # the dashboard's own page
    assert (await get(f"{ops}/login?t=nope"))[0] == 404
    assert await get(f"{web}/healthz") == (200, {"status": "ok"})  # a bare liveness probe for the proxy


def test_ops_and_the_dashboard_cannot_share_a_port() -> None:
    import pytest

    from bot.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="ops.port"):
        load_settings(env={"ALIAT_WEB__ENABLED": "true", "ALIAT_OPS__ENABLED": "true",
                           "ALIAT_WEB__PORT": "8100", "ALIAT_OPS__PORT": "8100"})


async def test_metrics_without_health_endpoints_only_if_asked(sqlite_url) -> None:
    """ops.enabled alone: health and readiness, no /metrics (and no prometheus registry)."""
    from bot.web import create_app, start

    runtime = await make_runtime(sqlite_url)
    runtime.settings = with_ops(runtime.settings, metrics=False)
    runner = await start(create_app(runtime), "127.0.0.1", runtime.settings.ops.port)
    try:
        base = f"http://127.0.0.1:{runtime.settings.ops.port}"
        assert (await get(f"{base}/metrics"))[0] == 404
        assert (await get(f"{base}/healthz"))[0] == 200
        assert runtime.engine.turn_observers == []
    finally:
        await runner.cleanup()
        await runtime.close()


async def test_webhook_mode_runs_both_servers_and_asks_telegram_while_quiet(fake, bots) -> None:
    """In webhook mode Telegram calls only with updates: the web server asks getWebhookInfo (every
    telegram_seen_seconds / 3) so that a quiet bot stays ready, and each webhook call counts too; the
    webhook's own /healthz is still there for a proxy."""
    from dataclasses import replace

    settings = with_ops(bots.settings(webhook=True))
    settings = replace(settings, ops=replace(settings.ops, telegram_seen_seconds=30))  # asks every 10 s
    base = f"http://127.0.0.1:{settings.ops.port}"
    app = await bots.start(settings)
    await fake.wait_for("getWebhookInfo", timeout=5)
    status, body = await get(f"{base}/readyz")
    assert status == 200 and body["checks"]["telegram"]["ok"], body
    assert await get(f"http://127.0.0.1:{settings.telegram.webhook_port}/healthz") == (200, "ok")
    app.bot_data.telegram_seen = time.monotonic() - 60  # silence for longer than the limit
    status, body = await get(f"{base}/readyz")
    assert status == 503 and not body["checks"]["telegram"]["ok"]
    since = len(fake.calls)
    assert await fake.push_update(U.make_command("help", language_code="en")) == 200
    await wait_sends(fake, 1, since=since)
    assert (await get(f"{base}/readyz"))[0] == 200  # the webhook call was word from Telegram
    assert len(fake.calls_to("getWebhookInfo")) == 1  # (not the next getWebhookInfo, 10 s away)
