"""/dashboard in a private chat: a registered facilitator or coordinator gets a one-time login link."""

from __future__ import annotations

import logging

from telegram import LinkPreviewOptions, Update
from telegram.ext import Application, ApplicationHandlerStop, CommandHandler, ContextTypes

from bot.engine.render import Renderer
from bot.store import staff

log = logging.getLogger(__name__)


class DashboardLink:
    def __init__(self, runtime=None) -> None:
        self._runtime = runtime

    def runtime(self, context: ContextTypes.DEFAULT_TYPE):
        return self._runtime or context.application.bot_data.channel.runtime

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        runtime = self.runtime(context)
        settings = runtime.settings
        r = Renderer(runtime.domain, settings.default_language)
        async with runtime.sessionmaker() as session, session.begin():
            member = await staff.staff_member(session=session, telegram_user_id=user.id) if user else None
            lang = (member.language if member else None) or settings.default_language
            if member is None:
                text = r.text("utter_web_not_staff", lang)
            elif message.chat.type != "private":
                text = r.text("utter_web_private_only", lang)
            elif not settings.web.enabled or not settings.web.base_url:
                text = r.text("utter_web_not_configured", lang)
            else:
                token = await staff.create_login(session=session, telegram_user_id=user.id)
                url = f"{settings.web.base_url.rstrip('/')}/login?t={token}"
                text = r.text("utter_web_link", lang, {"url": url})
        log.info("/dashboard from user %s: %s", user.id if user else "?", "link" if member else "refused")
        # No preview: a preview fetch would spend the one-time link before its owner opens it.
        await message.reply_text(text, link_preview_options=LinkPreviewOptions(is_disabled=True))
        raise ApplicationHandlerStop


def register_dashboard_handler(app: Application, runtime=None, *, group: int = -1) -> None:
    """Add /dashboard (before the assistant's handlers, like the facilitators' commands)."""
    app.add_handler(CommandHandler("dashboard", DashboardLink(runtime).on_command), group=group)
