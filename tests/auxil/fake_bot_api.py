"""The fake Bot API lives in `fake_telegram/bot_api.py` (shared with the benches); tests import it from here."""

from fake_telegram.bot_api import *  # noqa: F403
