"""The HTTP listeners: /healthz, /readyz, /metrics (bot/web/health.py, bot/web/metrics.py) on `ops.host:ops.port`
and, with `web.enabled`, the staff dashboard (bot/web/dashboard) on `web.host:web.port`. `aliat run` starts
them in polling and in webhook mode alike."""

from bot.web.server import create_app, start, start_with_bot

__all__ = ["create_app", "start", "start_with_bot"]
