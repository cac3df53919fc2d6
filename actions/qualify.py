"""Whether an entity's answers qualify it for a facilitator, and with what priority and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from actions.base import knowledge
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
    """Thresholds: an objective (if required), readiness >= min_readiness, a partner in mind (if required).

    Priority points: passing the thresholds 2, asking for a human 1, a partner in mind 1, a reactive
    motivation 1 (an entity under threat has less time). High from 3 points, normal from 1, else low;
    always high when the entity is in urgent trouble (`is_urgent`).
    """
    reasons: list[str] = []
    readiness = _readiness(answers)
    has_objective = _has_objective(answers)
    partner = str(answers.get("partner_in_mind") or "").lower() == "yes"
    passes = passes_thresholds(answers, rules)
    points = 0
    if passes:
        reasons.append("passes_thresholds")
        points += 2
    if asked_for_human:
        reasons.append("asked_for_human")
        points += 1
    if partner:
        reasons.append("partner_in_mind")
        points += 1
    if str(answers.get("motivation") or "") == "reactive":
        reasons.append("reactive")
        points += 1
    if readiness is None:
        reasons.append("no_assessment")
    else:
        # the same words the entity read in its summary: one set of bands (knowledge/journey.yml readiness)
        bands = knowledge("journey")["readiness"]
        level = "high" if readiness >= bands["high_from"] else "medium" if readiness >= bands["medium_from"] else "low"
        reasons.append(f"readiness_{level}")
    if not has_objective and readiness is not None:
        reasons.append("no_objective")
    priority = "high" if points >= 3 else "normal" if points >= 1 else "low"
    if is_urgent(answers):
        # an entity that may close soon cannot wait in the queue, whatever its other points
        reasons.insert(0, "urgent")
        priority = "high"
    return Qualification(passes=passes, priority=priority, reasons=reasons)


def is_urgent(answers: dict[str, Any]) -> bool:
    """Serious finances with services at risk, or the person's own words about closing
    (the rule is knowledge/journey.yml `priority.urgent`)."""
    rule = knowledge("journey").get("priority", {}).get("urgent", {})
    wanted = rule.get("answers") or {}
    if wanted and all(str(answers.get(slot) or "").lower() in {str(v).lower() for v in values}
                      for slot, values in wanted.items()):
        return True
    text = answers.get("why_partner")
    cues = set(rule.get("cues") or [])
    if cues and isinstance(text, str) and text.strip() and text != "skipped":
        from actions.classifier import classify

        return any(e.source == "text" and e.key in cues and not e.negated for e in classify(text).evidence)
    return False
