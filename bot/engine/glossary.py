"""What a word of the journey means, for a question back ("què és atenció integral?", "what does trust mean
here?", "what do you mean by paid staff?"): the term the question names (an objective, a success factor, a
relationship indicator, a reading, or any word of a question in knowledge/glossary.yml, by any of their names)
and its explanation from knowledge/, in the person's language."""

from __future__ import annotations

from typing import Any

from bot.content.domain import Domain, FormSlot
from bot.engine.render import knowledge_text
from bot.engine.textnorm import normalize


def _singular(term: str) -> str:
    """The term with its last word in the singular, as people ask about one: -ies -> -y, -des/-nes -> -d/-n, -s."""
    if term.endswith("ies"):
        return term[:-3] + "y"
    if term.endswith(("des", "nes")):
        return term[:-2]
    return term[:-1] if term.endswith("s") and not term.endswith("ss") else term


class Glossary:
    def __init__(self, domain: Domain, default_language: str, correction_targets: dict[str, Any]) -> None:
        self.domain = domain
        self.default = default_language
        self.targets = correction_targets
        self._terms: list[tuple[str, str, str]] | None = None  # (folded term, kind, id)

    def also_named(self, norm: str, first: str, lang: str, slot: FormSlot | None = None) -> tuple[str, str] | None:
        """Another term the question names besides `first` (already explained): "quina diferència hi ha
        entre eficiència i estalviar?" is answered with both; not one named by the same words ("idea nova" is
        the question's own term, and a name of the objective "innovation" too)."""
        best = self._best(norm, slot)
        used = f" {best[0]} " if best else ""
        found = [(len(t), k, i) for t, k, i in self._term_list() if f" {t} " in f" {norm} " and f" {t} " not in used]
        for _length, kind, ident in sorted(found, reverse=True):
            said = self._explained(kind, ident, lang)
            if said is not None and said[0] != first:
                return said
        return None

    def meaning(self, norm: str, slot: FormSlot, lang: str) -> tuple[str, str] | None:
        """The term the question names ("atenció integral") and its explanation, in `lang`; else what the
        pending question itself is about (a factor, a relationship indicator, a word of knowledge/glossary.yml)."""
        best = self._best(norm, slot)
        if best is None:
            own = self._own_topic(slot)
            if own is None:
                return None
            kind, ident = own
        else:
            _, kind, ident = best
        return self._explained(kind, ident, lang)

    def on_topic(self, norm: str, slot: FormSlot, asked: str) -> bool:
        """Whether the term a message names is the pending question's own, or a word of it (`asked`, its text
        folded): "what does trust mean" at the trust question is; "uns 30 voluntaris" at "where do you work?"
        is not. A message that names no term is on no other topic."""
        best = self._best(norm, slot)
        if best is None:
            return False
        term, kind, ident = best
        return (kind, ident) == self._own_topic(slot) or f" {term} " in f" {asked} "

    def _best(self, norm: str, slot: FormSlot | None) -> tuple[str, str, str] | None:
        """The longest term named; of two named by the same words, the pending question's own."""
        own = self._own_topic(slot) if slot is not None else None
        best: tuple[str, str, str] | None = None
        for term, kind, ident in self._term_list():
            if f" {term} " not in f" {norm} ":
                continue
            if best is None or len(term) > len(best[0]) or (len(term) == len(best[0]) and (kind, ident) == own):
                best = (term, kind, ident)
        return best

    def _term_list(self) -> list[tuple[str, str, str]]:
        if self._terms is None:
            terms: list[tuple[str, str, str]] = []
            know = self.domain.knowledge
            for item in (know.get("objectives") or {}).get("objectives") or []:
                terms += [(normalize(str(t)), "objective", str(item["id"])) for t in (item.get("label") or {}).values()]
            for form in self.domain.forms.values():
                for s in form.slots:
                    if s.name == "objective":
                        terms += [(normalize(str(w)), "objective", str(opt)) for opt, per in s.synonyms.items()
                                  for words in (per or {}).values() for w in words or [] if opt != "other"]
            for item in (know.get("success_factors") or {}).get("factors") or []:
                terms += [(normalize(str(t)), "factor", str(item["id"])) for t in (item.get("title") or {}).values()]
            targets = self.targets
            for slot_name, per in targets.items():
                if str(slot_name).startswith("factor_"):
                    terms += [(normalize(str(w)), "factor", str(slot_name)[len("factor_"):])
                              for words in (per or {}).values() for w in words or []]
            for item in (know.get("relationship_indicators") or {}).get("indicators") or []:
                terms += [(normalize(str(t)), "indicator", str(item["id"])) for t in (item.get("title") or {}).values()]
            for ident in ("reactive", "proactive", "mixed"):
                item = ((know.get("motivations") or {}).get("motivations") or {}).get(ident) or {}
                terms += [(normalize(str(t)), "motivation", ident) for t in (item.get("label") or {}).values()]
            for item in (know.get("glossary") or {}).get("terms") or []:
                words = [*(item.get("title") or {}).values(), *[w for per in (item.get("names") or {}).values()
                                                                 for w in per or []]]
                terms += [(normalize(str(w)), "term", str(item["id"])) for w in words]
            # a plural term is asked about in the singular too ("què vol dir complementarietat?", "¿qué significa
            # complementariedad?", "what's a complementarity?": the indicator is titled in the plural)
            terms += [(_singular(t), k, i) for t, k, i in terms if _singular(t) != t]
            self._terms = [t for t in terms if len(t[0]) >= 4]
        return self._terms

    def _own_topic(self, slot: FormSlot) -> tuple[str, str] | None:
        for item in (self.domain.knowledge.get("glossary") or {}).get("terms") or []:
            if slot.name in (item.get("slots") or ()):
                return "term", str(item["id"])
        if slot.name.startswith("factor_"):
            return "factor", slot.name[len("factor_"):]
        if slot.name.startswith("rel_"):
            ident = slot.name[len("rel_"):]
            for item in (self.domain.knowledge.get("relationship_indicators") or {}).get("indicators") or []:
                if any(str(q.get("id")) == ident for q in item.get("questions") or []):
                    return "indicator", str(item["id"])
        return None

    def _explained(self, kind: str, ident: str, lang: str) -> tuple[str, str] | None:
        know, default = self.domain.knowledge, self.default
        paths = {"objective": ("objectives.objectives", "label", "description"),
                 "factor": ("success_factors.factors", "title", "explanation"),
                 "indicator": ("relationship_indicators.indicators", "title", "explanation"),
                 "motivation": ("motivations.motivations", "label", "meaning"),
                 "term": ("glossary.terms", "title", "explanation")}
        base, title, text = paths[kind]
        term = knowledge_text(know, f"{base}.{ident}.{title}", lang, default)
        meaning = knowledge_text(know, f"{base}.{ident}.{text}", lang, default)
        return (term, meaning) if term and meaning else None
