"""Coordinators, one-time login links and dashboard sessions (bot/store/staff.py, aliat coordinators)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.store import leads as store
from bot.store import staff
from bot.store.models import WebLogin, WebSession
from tests.auxil.cli import aliat


async def test_a_login_link_works_once_and_for_ten_minutes(any_runtime) -> None:
    async with any_runtime.sessionmaker() as session, session.begin():
        token = await staff.create_login(session=session, telegram_user_id=11)
        late = await staff.create_login(session=session, telegram_user_id=12)
        stored = list(await session.scalars(select(WebLogin.token_hash)))
    assert token not in stored and staff.token_hash(token) in stored  # only the hash is kept
    async with any_runtime.sessionmaker() as session, session.begin():
        assert await staff.use_login(session=session, token=token) == 11
        assert await staff.use_login(session=session, token=token) is None  # used
        assert await staff.use_login(session=session, token="forged") is None
        later = staff.now_utc() + timedelta(minutes=10, seconds=1)
        assert await staff.use_login(session=session, token=late, now=later) is None  # expired


async def test_sessions_end_when_idle_and_roles_are_read_live(any_runtime) -> None:
    async with any_runtime.sessionmaker() as session, session.begin():
        await store.add_facilitator(session=session, telegram_user_id=21, name="Jordi")
        await staff.add_coordinator(session=session, telegram_user_id=22, name="Núria", language="es")
        opened = await staff.open_session(session=session, telegram_user_id=21)
    async with any_runtime.sessionmaker() as session, session.begin():
        member = await staff.staff_member(session=session, telegram_user_id=21)
        assert member.role == "facilitator" and member.facilitator is not None
        coordinator = await staff.staff_member(session=session, telegram_user_id=22)
        assert coordinator.role == "coordinator" and coordinator.language == "es"
        assert await staff.staff_member(session=session, telegram_user_id=23) is None
        idle = timedelta(minutes=60)
        assert await staff.touch_session(session=session, token=opened.token, idle=idle) is not None
        far = staff.now_utc() + timedelta(minutes=61)
        assert await staff.touch_session(session=session, token=opened.token, idle=idle, now=far) is None
        assert await session.scalar(select(func.count()).select_from(WebSession)) == 0  # ended, not kept
        await store.remove_facilitator(session=session, telegram_user_id=21)
        assert await staff.staff_member(session=session, telegram_user_id=21) is None


def test_coordinators_command(sqlite_url) -> None:
    done = aliat("coordinators", "add", "501", "--name", "Núria Puig", "--lang", "ca", database_url=sqlite_url)
    assert done.returncode == 0 and "registered" in done.stdout, done.stderr
    aliat("coordinators", "add", "502", "--name", "Pau", database_url=sqlite_url)
    listed = aliat("coordinators", "list", database_url=sqlite_url).stdout.splitlines()
    assert listed == ["501\tNúria Puig\tca", "502\tPau\t-"]
    assert aliat("coordinators", "remove", "501", database_url=sqlite_url).returncode == 0
    assert aliat("coordinators", "remove", "501", database_url=sqlite_url).returncode == 1
    assert aliat("coordinators", "list", database_url=sqlite_url).stdout.splitlines() == ["502\tPau\t-"]


def test_a_coordinators_name_is_stored_and_printed_without_control_characters(sqlite_url) -> None:
    aliat("coordinators", "add", "503", "--name", "Pep\x1b]0;PWNED\x07 Roca", database_url=sqlite_url)
    listed = aliat("coordinators", "list", database_url=sqlite_url).stdout
    assert "\x1b" not in listed and "\x07" not in listed and "503\t" in listed
