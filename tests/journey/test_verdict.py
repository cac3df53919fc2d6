"""Issue 24: the readiness verdict tells the truth (knowledge/verdict.yml, actions/verdict.py) and urgency is
time pressure the person stated, with its quote; the priority evaluation on tests/data/priority_leads.yml."""

from __future__ import annotations

import pytest

from actions.verdict import judge, reason_line, urgency_of, verdict_text
from bot.shared import yamlio
from tests.auxil.paths import DATA

FIVE = ("clear_objective", "trust", "commitment", "investment", "sharing")


def factors(*values) -> dict:
    return {f"factor_{fid}": v for fid, v in zip(FIVE, values, strict=True)}


def test_the_crisis_case_of_the_issue_is_not_well_prepared() -> None:
    # an esplai that "may close within weeks", trusts its partner 2/4 and fears losing power "a lot"
    answers = {**factors(4, 2, 4, 3, 3), "why_partner": "l'esplai pot tancar en qüestió de setmanes",
               "financial_situation": "tight", "services_threatened": "yes"}
    verdict = judge(answers, ["power_risk"])
    assert verdict.code == "crisis" and verdict.crisis and verdict.urgency.urgent
    for lang in ("ca", "es", "en"):
        text = verdict_text(verdict.code, lang) + reason_line(verdict, lang)
        assert "ben preparada" not in text and "bien preparada" not in text and "well prepared" not in text
    assert "setmana" in verdict_text("crisis", "ca")  # what to do first: this week, not "take your time"
    assert "«l'esplai pot tancar en qüestió de setmanes»" in reason_line(verdict, "ca")


def test_serious_finances_with_services_at_risk_is_a_crisis_without_a_date() -> None:
    verdict = judge({**factors(4, 4, 4, 3, 4), "financial_situation": "serious", "services_threatened": "yes"})
    assert verdict.code == "crisis" and not verdict.urgency.urgent


def test_a_high_score_held_back_by_a_relationship_risk_or_a_factor_at_one() -> None:
    assert judge(factors(4, 4, 4, 3, 4)).code == "ready"
    held = judge(factors(4, 4, 4, 3, 4), ["power_risk"])
    assert held.code == "held" and held.holding == ["power_risk"]
    assert "por de perdre poder" in reason_line(held, "ca")
    assert judge(factors(4, 4, 4, 4, 1)).code == "held"
    assert "ben preparada" not in verdict_text("held", "ca")


def test_a_dont_know_lowers_confidence_not_the_score_and_is_named_as_a_gap() -> None:
    sure = judge(factors(3, 3, 3, 3, 3))
    one = judge(factors(3, "dont_know", 3, 3, 3))
    two = judge(factors(3, "dont_know", 3, "dont_know", 3))
    assert sure.score == one.score == two.score == 3.0  # never dropped to a lower (or raised) mean
    assert (sure.confidence, one.confidence, two.confidence) == ("sure", "fairly_sure", "unsure")
    assert one.gaps == ["trust"] and two.gaps == ["trust", "investment"]
    assert "1 resposta per esbrinar" in reason_line(one, "ca")
    assert "2 answers to find out" in reason_line(two, "en")
    assert judge(factors("dont_know", "dont_know", "dont_know", "dont_know", "dont_know")).code == "unknown"


@pytest.mark.parametrize(("text", "urgent"), [
    ("si no trobem diners haurem de tancar a l'estiu", True),
    ("la licitación cierra el 15 de enero y solos no llegamos", True),
    ("we might have to shut down within weeks", True),
    ("hem de decidir abans de l'assemblea, d'aquí a dues setmanes, si ens fusionem", True),  # one sentence
    ("és urgent", True),
    ("volem créixer i obrir a una altra comarca", False),
    ("no tenim pressa: volem tancar l'acord abans de l'estiu de l'any que ve", False),
    ("ens costa arribar a final de mes", False),  # making ends meet, not a date
    ("we may have to close", False),  # "may" is no month
    ("ens han retallat la subvenció i tenim serveis en perill", False),  # money trouble: no time said
    ("", False), (None, False), ("skipped", False),
])
def test_urgency_is_stated_time_pressure(text, urgent) -> None:
    found = urgency_of(text)
    assert found.urgent is urgent
    if urgent:
        assert found.quote and found.quote in text  # the sentence, as written


def _scores(half: str) -> tuple[int, int, list[str], int]:
    leads = yamlio.safe_load((DATA / "priority_leads.yml").read_text(encoding="utf-8"))[half]
    urgent = {lead["id"] for lead in leads if urgency_of(lead.get("why_partner")).urgent}
    missed = [lead["id"] for lead in leads if lead["call_first"] and lead["id"] not in urgent]
    return len(leads), len(urgent), missed, sum(lead["call_first"] for lead in leads)


def test_held_out_priority_set_a_third_urgent_at_most_and_every_lead_to_call_first_among_them() -> None:
    total, urgent, missed, first = _scores("heldout")
    assert total >= 30 and first >= 1
    assert urgent <= total / 3, f"{urgent} of {total} urgent"
    assert missed == []


def test_tuning_priority_set_every_lead_to_call_first_is_urgent() -> None:
    # the tuning half holds more leads to call first than a third (6 of 16): only the recall is asserted
    _total, _urgent, missed, _first = _scores("tuning")
    assert missed == []
