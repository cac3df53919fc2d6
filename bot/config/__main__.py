"""`python -m bot.config > docs/config.schema.json` (a test checks it is current)."""

from bot.config import schema_text

print(schema_text())
