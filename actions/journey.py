"""Names shared by the journey's actions: which slots hold what, and a few small helpers."""

from __future__ import annotations

from typing import Any

from actions import services
from actions.base import knowledge
from bot.content.domain import INTERVIEW_FORM
from bot.text.grammar import join_list

# The interview's answers: its form's questions and the slots it keeps (dialogues/journey/interview.yml)
INTERVIEW_SLOTS = services.domain().forms[INTERVIEW_FORM].answers
# The structured answers the motivation classifier reads (knowledge/motivation_cues.yml `answers:`).
CUE_SLOTS = ("financial_situation", "services_threatened", "need_voice", "new_idea", "replicate_expand", "objective")
MOTIVATION_SLOTS = (
    "motivation", "motivation_confidence", "motivation_dominant", "motivation_scores", "motivation_evidence",
    "motivation_clarify", "motivation_feedback", "motivation_alternative", "motivation_disagreement",
)
FACTOR_IDS = tuple(f["id"] for f in knowledge("success_factors").get("factors", []))
FACTOR_SLOTS = tuple(f"factor_{i}" for i in FACTOR_IDS)
RELATIONSHIP_QUESTION_IDS = tuple(q["id"] for ind in knowledge("relationship_indicators").get("indicators", [])
                                  for q in ind.get("questions", []))
RELATIONSHIP_SLOTS = tuple(f"rel_{q}" for q in RELATIONSHIP_QUESTION_IDS)
# results, and the journey's working slots (not answers: not stored with the assessment nor shown on cards)
RESULT_SLOTS = ("readiness", "readiness_overall", "readiness_level", "relationship_check", "relationship", "flags",
                "assessment_id", "journey_chart", "financial_hint", "prefilled_answers", "interrupted_form", "language_offered")
JOURNEY_SLOTS = INTERVIEW_SLOTS + MOTIVATION_SLOTS + FACTOR_SLOTS + RELATIONSHIP_SLOTS + RESULT_SLOTS

SKIPPED = "skipped"


def answered(value: Any) -> bool:
    return value not in (None, "", SKIPPED)


def bullets(lines: list[str]) -> str:
    return "\n".join(f"• {line}" for line in lines if line)


def join_words(items: list[str], lang: str) -> str:
    """'a, b and c' in the conversation's language (bot/text/grammar.py: Spanish 'e', semicolons when needed)."""
    return join_list(items, lang)


def score_of(value: Any) -> int | None:
    """A 1-4 scale answer as an int, or None when skipped, missing or "dont_know" (never a score)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= 4 else None
