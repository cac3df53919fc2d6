"""Issue 13: what an adversarial probe broke, each defect as a test through the real Application and the
fake Bot API (a hostile user, a curious facilitator, an unlucky operator)."""

from __future__ import annotations

import pytest

from bot.store import leads as store
from tests.auxil import updates as U
from tests.auxil.fake_bot_api import FakeBotApi
from tests.auxil.runtime import make_runtime
from tests.auxil.telegram_bot import bot_settings, channel, running_bot, settle

FACILITATOR = 7001


@pytest.fixture
async def bot(sqlite_url):
    """(fake, app, runtime): the bot polling the fake Bot API, with one registered facilitator."""
    async with FakeBotApi() as fake:
        settings = bot_settings(sqlite_url, fake)
        runtime = await make_runtime(sqlite_url)
        runtime.settings = settings
        async with runtime.sessionmaker() as session, session.begin():
            await store.add_facilitator(session=session, telegram_user_id=FACILITATOR, name="Laia")
        try:
            async with running_bot(settings, fake, runtime) as app:
                yield fake, app, runtime
        finally:
            await runtime.close()


# ---------------------------------------------------------------------- 2. numbers read safely
@pytest.mark.parametrize("arg, answer", [("፩", "/lead"), ("99999999999999999999999", "/lead"),
                                         ("#٣", "/lead"), ("²", "#2")])  # NFKC: ² is 2, a lead not found
async def test_lead_with_an_exotic_or_endless_number_gets_an_answer_not_an_apology(bot, arg, answer) -> None:
    fake, app, _runtime = bot
    since = len(fake.calls)
    await fake.push_update(U.make_command("lead", arg, user_id=FACILITATOR))
    await settle(fake)
    texts = [c.text for c in fake.calls[since:] if c.method == "sendMessage" and c.ok]
    assert len(texts) == 1 and "Ui" not in texts[0]
    assert answer in texts[0] or answer == "#2"
    assert channel(app).counters["handler_errors"] == 0
