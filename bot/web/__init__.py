"""The one HTTP server: /healthz, /readyz, /metrics (bot/web/health.py, bot/web/metrics.py) and, with
`web.enabled`, the staff dashboard (bot/web/dashboard). `aliat run` starts it when `web.enabled`,
`ops.enabled` or `ops.metrics` is set, in polling and in webhook mode alike."""

from bot.web.server import create_app, start, start_with_bot

__all__ = ["create_app", "start", "start_with_bot"]
