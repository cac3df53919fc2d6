"""Staff on Telegram: /dashboard in a private chat gives a registered facilitator or coordinator a one-time
login link to the dashboard (bot/web/dashboard); an invite link (/start inv_…) registers a person; /whoami."""

from __future__ import annotations

import logging

from telegram import LinkPreviewOptions, Update, User
from telegram.ext import ApplicationHandlerStop, CommandHandler

from bot.app.runtime import Runtime
from bot.config import Settings
from bot.engine.render import Renderer
from bot.store import invites, staff
from bot.telegram.context import Context, TelegramApp, channel_of

log = logging.getLogger(__name__)


class DashboardLink:
    def __init__(self, runtime: Runtime | None = None) -> None:
        self._runtime = runtime

    def runtime(self, context: Context) -> Runtime:
        return self._runtime or channel_of(context).runtime

    async def on_command(self, update: Update, context: Context) -> None:
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


class Onboarding:
    """An invite link opened in Telegram (`/start inv_<token>`) registers the person; /whoami says who
    anyone is to the programme: their Telegram number and their roles."""

    def __init__(self, runtime: Runtime | None = None) -> None:
        self._runtime = runtime

    def runtime(self, context: Context) -> Runtime:
        return self._runtime or channel_of(context).runtime

    async def on_start(self, update: Update, context: Context) -> None:
        token = invites.token_of((context.args or [None])[0])
        if token is None:
            return  # an ordinary /start: the assistant's
        message, user = update.effective_message, update.effective_user
        runtime = self.runtime(context)
        r = Renderer(runtime.domain, runtime.settings.default_language)
        lang = _language(user, runtime.settings)
        name = " ".join(filter(None, [user.first_name, user.last_name])) or (user.username or "")
        async with runtime.sessionmaker() as session, session.begin():
            joined = await invites.use_invite(session=session, token=token, telegram_user_id=user.id, name=name,
                                              language=lang) if message.chat.type == "private" else None
        log.info("invite opened by user %s: %s", user.id, joined.role if joined else "refused")
        if joined is None:
            await message.reply_text(r.text("utter_invite_bad", lang))
        else:
            await message.reply_text(r.text(f"utter_invite_welcome_{joined.role}", lang, {"name": joined.name}))
        raise ApplicationHandlerStop

    async def on_whoami(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        runtime = self.runtime(context)
        r = Renderer(runtime.domain, runtime.settings.default_language)
        async with runtime.sessionmaker() as session:
            roles = await invites.roles_of(session=session, telegram_user_id=user.id)
            member = await staff.staff_member(session=session, telegram_user_id=user.id)
        lang = (member.language if member else None) or _language(user, runtime.settings)
        names = ", ".join(r.text(f"utter_role_{role}", lang) for role in roles) or r.text("utter_role_none", lang)
        await message.reply_text(r.text("utter_whoami", lang, {"user_id": user.id, "roles": names}))
        raise ApplicationHandlerStop


def _language(user: User | None, settings: Settings) -> str:
    """The person's Telegram language when the programme speaks it, else the programme's."""
    code = ((user.language_code if user else None) or "").split("-")[0].lower()
    return code if code in settings.languages else settings.default_language


def register(app: TelegramApp, runtime: Runtime | None = None, *, group: int = -1) -> None:
    """/dashboard, invite links (/start inv_…) and /whoami, before the assistant's handlers."""
    app.add_handler(CommandHandler("dashboard", DashboardLink(runtime).on_command), group=group)
    onboarding = Onboarding(runtime)
    app.add_handler(CommandHandler("start", onboarding.on_start), group=group)
    app.add_handler(CommandHandler("whoami", onboarding.on_whoami), group=group)
