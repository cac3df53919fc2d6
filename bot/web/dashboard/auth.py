"""Who is asking: the session cookie, the person's live role, CSRF tokens on every form.

The cookie holds a random token (HttpOnly, SameSite=Lax, Secure when the dashboard is served over https);
the database keeps its hash, its CSRF token and when it was last used. The role is read again on every
request, so a facilitator removed with `aliat facilitators remove` is out at their next click.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web

from bot.store import staff
from bot.store.leads import Seer

COOKIE = "aliat_session"


@dataclass(frozen=True)
class Viewer:
    member: staff.StaffMember
    token: str
    csrf: str
    lang: str

    @property
    def coordinator(self) -> bool:
        return self.member.coordinator

    @property
    def facilitator_id(self) -> int | None:
        return self.member.facilitator.id if self.member.facilitator is not None else None

    @property
    def seer(self) -> Seer:
        """Who is looking at leads (`store.may_see`): a coordinator every lead, a facilitator the unclaimed
        and their own, anyone else (a trainer only) none, whatever page asks."""
        if self.coordinator:
            return Seer.coordinator()
        if self.facilitator_id is not None:
            return Seer.facilitator(self.facilitator_id)
        return Seer.nobody()

    # What each role may open: the one rule for the pages' guards and the menu, so no link leads nowhere.
    @property
    def sees_leads(self) -> bool:
        """Leads and partner matching: coordinators and facilitators, not trainers only."""
        return self.coordinator or self.facilitator_id is not None

    @property
    def sees_workshops(self) -> bool:
        """Workshops: coordinators, and trainers (their own)."""
        return self.coordinator or self.member.trainer


def secure_cookies(request: web.Request, base_url: str) -> bool:
    """Secure cookies behind https: the configured address, or a proxy that says so."""
    return (base_url.startswith("https://") or request.secure
            or request.headers.get("X-Forwarded-Proto", "").lower() == "https")


def set_session_cookie(response: web.StreamResponse, request: web.Request, token: str, base_url: str) -> None:
    response.set_cookie(COOKIE, token, httponly=True, samesite="Lax", path="/",
                        secure=secure_cookies(request, base_url))


def clear_session_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path="/")


async def viewer_for(request: web.Request, runtime, idle_minutes: int) -> Viewer | None:
    """The signed-in staff member for this request, or None (no cookie, idle too long, no longer staff)."""
    token = request.cookies.get(COOKIE)
    if not token or len(token) > 128:
        return None
    settings = runtime.settings
    async with runtime.sessionmaker() as session, session.begin():
        row = await staff.touch_session(session=session, token=token, idle=timedelta(minutes=idle_minutes))
        if row is None:
            return None
        member = await staff.staff_member(session=session, telegram_user_id=row.telegram_user_id)
        if member is None:
            await staff.end_sessions_of(session=session, telegram_user_id=row.telegram_user_id)
            return None
        lang = row.language or member.language or settings.default_language
        if lang not in settings.languages:
            lang = settings.default_language
        return Viewer(member=member, token=token, csrf=row.csrf, lang=lang)


def csrf_ok(viewer: Viewer, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(viewer.csrf.encode(), str(sent).encode())
