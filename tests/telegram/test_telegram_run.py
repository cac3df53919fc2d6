"""`aliat run`: refuses to start without a token; as a subprocess it holds a conversation with the fake."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from bot.channels.wiring import _file_url
from bot.cli import main
from tests.auxil import updates as U
from tests.auxil.runtime import ROOT
from tests.auxil.telegram_bot import keyboard_message, press, wait_sends


def _clean_env(monkeypatch) -> None:
    for var in list(os.environ):
        if var.startswith(("TELEGRAM_", "ALIAT_")) and not var.startswith("ALIAT_TEST_"):
            monkeypatch.delenv(var, raising=False)


def test_run_without_a_token_exits_2_naming_it(monkeypatch, capsys) -> None:
    _clean_env(monkeypatch)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "TELEGRAM_BOT_TOKEN" in err and "BotFather" in err


def test_webhook_mode_needs_a_proper_secret(monkeypatch, capsys) -> None:
    _clean_env(monkeypatch)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:x")
    monkeypatch.setenv("ALIAT_WEBHOOK_URL", "https://bot.example.org/telegram")
    assert main(["run"]) == 2
    assert "ALIAT_WEBHOOK_SECRET" in capsys.readouterr().err


def test_the_file_url_follows_the_api_url() -> None:
    assert _file_url("http://127.0.0.1:8081/bot") == "http://127.0.0.1:8081/file/bot"
    assert _file_url("https://api.telegram.org/bot/") == "https://api.telegram.org/file/bot"


async def test_aliat_run_as_a_subprocess_holds_a_conversation(fake, tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ALIAT_"))}
    env.update({
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "ALIAT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'run.db'}",
        "ALIAT_TELEGRAM__POLLING_TIMEOUT_SECONDS": "1",
    })
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        await fake.wait_for("deleteWebhook", timeout=20)
        since = len(fake.calls)
        await fake.push_update(U.make_command("start", language_code="en"))
        (greet,) = await wait_sends(fake, 1, since=since, timeout=10)
        assert greet.text.startswith("Hi! I'm")
        since = len(fake.calls)
        await fake.push_update(press(fake, keyboard_message(fake, U.DEFAULT_USER_ID), "Language"))
        await wait_sends(fake, 1, since=since, timeout=10)
        since = len(fake.calls)
        await fake.push_update(press(fake, keyboard_message(fake, U.DEFAULT_USER_ID), "Català"))
        (changed,) = await wait_sends(fake, 1, since=since, timeout=10)
        assert changed.text == "Perfecte, parlarem en català."
        since = len(fake.calls)
        await fake.push_update(U.make_sticker())
        (sticker,) = await wait_sends(fake, 1, since=since, timeout=10)
        assert sticker.text.startswith("😄")
        assert len(fake.calls_to("setMyCommands", ok_only=True)) == 4
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 0, err.decode()[-2000:]
    assert b"Perfecte" not in err and b"Hi! I'm" not in err  # no message text in the logs


async def test_aliat_notifier_alone_delivers_a_lead_card(fake, tmp_path) -> None:
    """`aliat notifier --once` as its own process (beside a bot that only takes conversations)."""
    from bot.app.runtime import build_runtime
    from tests.auxil.runtime import ask_for_a_facilitator, settings_for_tests

    url = f"sqlite+aiosqlite:///{tmp_path / 'notify.db'}"
    runtime = await build_runtime(settings_for_tests(url))
    try:
        await ask_for_a_facilitator(runtime, "tg:555", "Coop Notifier")
    finally:
        await runtime.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ALIAT_"))}
    env.update({"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url,
                "ALIAT_DATABASE_URL": url, "ALIAT_FACILITATOR_CHAT_ID": "-100321"})
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "notifier", "--once", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()[-2000:]
    (card,) = [c for c in fake.calls_to("sendMessage", ok_only=True) if c.chat_id == -100321]
    assert "Coop Notifier" in card.text and card.params["reply_markup"]["inline_keyboard"]
