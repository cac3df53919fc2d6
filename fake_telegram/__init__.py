"""Telegram without Telegram, for the tests and the benches: a fake Bot API server on 127.0.0.1
(`bot_api.py`) and builders of the updates Telegram sends (`updates.py`). Not part of the bot:
a package of its own so that the benches need nothing from `tests/`."""
