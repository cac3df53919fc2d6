"""The update builders live in `fake_telegram/updates.py` (shared with the benches); tests import them from here."""

from fake_telegram.updates import *  # noqa: F403
