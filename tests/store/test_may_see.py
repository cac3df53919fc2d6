"""Who may see a lead: the caller always says who is looking (`store.Seer`), and "no facilitator id" never
means "may see everything".

Before: `may_see(lead, facilitator_id=None)` (a trainer only, anyone with no facilitator id) let them read
every unclaimed lead, dossier and contact included; the lists' `visible_to=None` meant no filter at all.
"""

from __future__ import annotations

import pytest

from bot.reporting import figures as reports
from bot.store import leads as store
from bot.store.models import Lead
from tests.auxil.dashboard import LAIA, PAU, seed

LAIA_ID, PAU_ID = 1, 2  # (as `seed` adds them)


def _lead(assignee_id: int | None) -> Lead:
    return Lead(id=1, status="claimed" if assignee_id else "notified", assignee_id=assignee_id)


ROLES = {  # who is looking -> (may see an unclaimed lead, may see Laia's lead)
    "facilitator Laia": (store.Seer.facilitator(LAIA_ID), True, True),
    "facilitator Pau": (store.Seer.facilitator(PAU_ID), True, False),
    "coordinator": (store.Seer.coordinator(), True, True),
    "operator (CLI)": (store.Seer.operator(), True, True),
    "trainer only / unknown user": (store.Seer.nobody(), False, False),
}


@pytest.mark.parametrize("role", ROLES)
def test_the_rule_per_role(role) -> None:
    who, unclaimed, laias = ROLES[role]
    assert store.may_see(_lead(None), who) is unclaimed
    assert store.may_see(_lead(LAIA_ID), who) is laias


def test_no_facilitator_id_is_refused_not_taken_for_anyone() -> None:
    """The old call shape (a viewer with no facilitator id) is an error now, not a pass to every unclaimed lead."""
    with pytest.raises(TypeError):
        store.may_see(_lead(None), facilitator_id=None)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        store.may_see(_lead(None), None)  # type: ignore[arg-type]
    with pytest.raises((TypeError, ValueError)):
        store.Seer.facilitator(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        store.Seer("facilitator")
    with pytest.raises(ValueError):
        store.Seer("coordinator", 3)  # only a facilitator is named by an id
    with pytest.raises(ValueError):
        store.Seer("trainer")  # a trainer is nobody to leads: Seer.nobody()


async def test_lists_follow_the_same_rule(any_runtime) -> None:
    """`lead_rows(visible_to=)` (the dashboard's list, overview and exports; the CLI's report) per role; it
    has no default, so a caller cannot forget to say who is looking."""
    runtime = any_runtime
    ids = await seed(runtime, leads=3)
    async with runtime.sessionmaker() as s, s.begin():
        laia = await store.get_facilitator(session=s, telegram_user_id=LAIA)
        pau = await store.get_facilitator(session=s, telegram_user_id=PAU)
        assert (await store.claim_lead(session=s, lead_id=ids[0], facilitator=laia)).ok
    async with runtime.sessionmaker() as s:
        seen = {role: sorted(r.id for r in await reports.lead_rows(s, visible_to=who)) for role, who in {
            "laia": store.Seer.facilitator(laia.id), "pau": store.Seer.facilitator(pau.id),
            "coordinator": store.Seer.coordinator(), "operator": store.Seer.operator(),
            "nobody": store.Seer.nobody()}.items()}
        with pytest.raises(TypeError):
            await reports.lead_rows(s)  # type: ignore[call-arg]
    assert seen["laia"] == ids
    assert seen["pau"] == ids[1:]  # Laia's lead is not there
    assert seen["coordinator"] == seen["operator"] == ids
    assert seen["nobody"] == []
