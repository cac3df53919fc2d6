"""Whether an entity's answers qualify it for a facilitator, and with what priority and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from actions.verdict import urgency_of_answers
from bot.config import HandoffSettings

UNANSWERED = (None, "", "skipped", "other", "dont_know")


@dataclass(frozen=True)
class Qualification:
    passes: bool          # the answers pass the thresholds of config.yml `handoff:`
    priority: str         # high, normal, low
    reasons: list[str] = field(default_factory=list)  # codes; their wording is utter_reason_<code>


def _readiness(answers: dict[str, Any]) -> float | None:
    value = answers.get("readiness_overall")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _has_objective(answers: dict[str, Any]) -> bool:
    """A chosen objective; "other" counts when the person said what it is."""
    if answers.get("objective") == "other":
        return answers.get("objective_other") not in UNANSWERED
    return answers.get("objective") not in UNANSWERED


def passes_thresholds(answers: dict[str, Any], rules: HandoffSettings) -> bool:
    """An objective (if required), readiness >= min_readiness, a partner in mind (if required)."""
    readiness = _readiness(answers)
    has_objective = _has_objective(answers)
    partner = str(answers.get("partner_in_mind") or "").lower() == "yes"
    ready = readiness is not None and readiness >= rules.min_readiness
    return ready and (has_objective or not rules.require_objective) and (partner or not rules.require_partner_in_mind)


def qualify(answers: dict[str, Any], rules: HandoffSettings, *, asked_for_human: bool = False) -> Qualification:
    """Whether the answers pass the thresholds, and the lead's priority: "high" only when the person stated
    time pressure (knowledge/verdict.yml `urgency`), else "normal". Asking for a person, a partner in mind or
    a reactive motivation are not reasons to jump the queue: the one urgent lead must stand out
    (tests/data/priority_leads.yml). Readiness is the other dimension, shown beside it, never mixed in."""
    urgent = urgency_of_answers(answers).urgent
    return Qualification(passes=passes_thresholds(answers, rules), priority="high" if urgent else "normal",
                         reasons=["urgent"] if urgent else [])
