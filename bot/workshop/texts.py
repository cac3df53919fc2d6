"""Workshop wording: responses from dialogues/workshop.yml and contents from knowledge/, per language."""

from __future__ import annotations

import html
from typing import Any

from bot.content.domain import Domain
from bot.engine.render import Renderer, pick
from bot.text.formats import decimal
from bot.workshop.session import (
    FACTOR,
    RATINGS,
    FactorResult,
    Results,
    ScenarioResult,
    answer_options,
    factor_by_id,
    item_ident,
    position,
    scenario_by_id,
)

BAR_WIDTH = 12


def number(value: float, language: str) -> str:
    """One decimal, with a comma where the language writes one."""
    return decimal(value, language)


def percent(share: float | None) -> str:
    return "0" if share is None else str(round(share * 100))


def bar(count: int, total: int) -> str:
    filled = round(BAR_WIDTH * count / total) if total else 0
    return "▇" * filled or "·"


class WorkshopTexts:
    """Every text a workshop shows, in the workshop's language."""

    def __init__(self, domain: Domain, languages: tuple[str, ...], default_language: str) -> None:
        self.domain = domain
        self.languages = languages
        self.default = default_language
        self.renderer = Renderer(domain, default_language)

    @property
    def knowledge(self) -> dict[str, Any]:
        return self.domain.knowledge

    def language_for(self, *hints: str | None) -> str:
        """The first hint that is one of our languages (ignoring regions like es-ES), else the default."""
        for hint in hints:
            code = (hint or "").split("-")[0].lower()
            if code in self.languages:
                return code
        return self.default

    def t(self, name: str, language: str, **values: Any) -> str:
        return self.renderer.text(name, language, values)

    def kt(self, texts: dict[str, str] | None, language: str) -> str:
        """A {ca, es, en} mapping from knowledge/ in this language."""
        return pick(texts or {}, language, self.default) if texts else ""

    # ------------------------------------------------------------------ labels
    def option_label(self, option: str, language: str) -> str:
        options = (self.knowledge.get("scenarios") or {}).get("options") or {}
        return self.kt(options.get(option), language) or option

    def rating_label(self, value: str, language: str) -> str:
        scale = (self.knowledge.get("success_factors") or {}).get("scale") or {}
        return self.kt(scale.get(int(value)) or scale.get(value), language) or value

    def factor_title(self, item: str, language: str) -> str:
        factor = factor_by_id(self.knowledge, item_ident(item))
        return self.kt(factor.get("title"), language) if factor else item_ident(item)

    def programme_label(self, programme: str, language: str) -> str:
        return self.t(f"workshop_programme_{programme}", language)

    # ------------------------------------------------------------------ items
    def scenario_poll(self, items: list[dict[str, str]], step: int, language: str) -> tuple[str, str]:
        """(question, explanation) of the quiz poll for the scenario at `step` (Telegram limits kept)."""
        scenario = scenario_by_id(self.knowledge, item_ident(items[step]["id"])) or {}
        n, total = position(items, step)
        text = self.kt(scenario.get("text"), language)
        question = self.t("workshop_scenario_question", language, n=n, total=total, text=text)
        if len(question) > 300:
            question = text[:300]
        return question, self.kt(scenario.get("explanation"), language)[:200]

    def factor_card(self, items: list[dict[str, str]], step: int, language: str) -> str:
        """The HTML card of the factor at `step`."""
        factor = factor_by_id(self.knowledge, item_ident(items[step]["id"])) or {}
        n, total = position(items, step)
        values = {key: html.escape(self.kt(factor.get(key), language)) for key in ("title", "explanation", "question")}
        return self.t("workshop_factor_card", language, n=n, total=total, **values)

    def tally(self, items: list[dict[str, str]], step: int, counts: dict[str, int], language: str,
              *, closed: bool = False) -> str:
        """The live tally of the item at `step`: one line per option with a bar and its count."""
        item = items[step]["id"]
        total = sum(counts.values())
        if item.startswith(FACTOR + ":"):
            lines = [f"{value} · {self.rating_label(value, language)} {bar(counts.get(value, 0), total)} "
                     f"{counts.get(value, 0)}" for value in RATINGS]
            mean = sum(int(v) * c for v, c in counts.items()) / total if total else 0.0
            text = self.t("workshop_tally_factor", language, title=self.factor_title(item, language), count=total,
                          mean=number(mean, language) if total else "–", lines="\n".join(lines))
        else:
            n, of = position(items, step)
            lines = [f"{self.option_label(option, language)} {bar(counts.get(option, 0), total)} "
                     f"{counts.get(option, 0)}" for option in answer_options(self.knowledge)]
            text = self.t("workshop_tally_scenario", language, n=n, total=of, count=total, lines="\n".join(lines))
        if closed:
            text += "\n" + self.t("workshop_tally_closed", language)
        return text

    # ------------------------------------------------------------------ results
    def summary(self, results: Results) -> str:
        lang = results.language
        parts = [self.t("workshop_summary_head", lang, participants=results.participants)]
        answered = [s for s in results.scenarios if s.total]
        if answered:
            hardest: ScenarioResult = min(answered, key=lambda s: (s.right_share or 0.0, s.number))
            parts.append(self.t("workshop_summary_scenarios", lang, right=percent(results.right_share),
                                cases=len(answered), hardest=hardest.number,
                                hardest_right=percent(hardest.right_share)))
        rated = [f for f in results.factors if f.total]
        if rated:
            best: FactorResult = max(rated, key=lambda f: (f.mean or 0.0, -f.number))
            weakest: FactorResult = min(rated, key=lambda f: (f.mean or 0.0, f.number))
            parts.append(self.t("workshop_summary_factors", lang, best=self.factor_title(best.item, lang),
                                best_mean=number(best.mean or 0.0, lang),
                                weakest=self.factor_title(weakest.item, lang),
                                weakest_mean=number(weakest.mean or 0.0, lang)))
        if not answered and not rated:
            parts.append(self.t("workshop_summary_no_votes", lang))
        return "\n\n".join(parts)
