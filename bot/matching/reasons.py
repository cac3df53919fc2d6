"""One line per indicator for a scored pair, in the reader's language (texts: knowledge/matching.yml `reasons`)."""

from __future__ import annotations

from bot.matching.rules import INDICATORS, Rules
from bot.matching.scoring import Pair
from bot.text.formats import decimal
from bot.text.grammar import join_list


def _text(rules: Rules, indicator: str, case: str, lang: str, **values: object) -> str:
    texts = rules.reasons[indicator][case]
    text = texts.get(lang) or texts["ca"]
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text


def _items(rules: Rules, kind: str, ids: list[str], lang: str) -> str:
    labels = [rules.label(kind, i, lang) for i in ids]
    return join_list([label[:1].lower() + label[1:] for label in labels], lang)


def reasons(pair: Pair, rules: Rules, lang: str) -> dict[str, str]:
    """{indicator: line} for complementarities, gains, duplications, conflicts and readiness."""
    a, b, f = pair.a.name, pair.b.name, pair.facts
    out: dict[str, str] = {}
    # complementarities
    if f["a_gets"] and f["b_gets"]:
        line = _text(rules, "complementarities", "both", lang, a=a, b=b,
                     a_gets=_items(rules, "resources", f["a_gets"], lang),
                     b_gets=_items(rules, "resources", f["b_gets"], lang))
    elif f["a_gets"] or f["b_gets"]:
        taker, giver, got = (a, b, f["a_gets"]) if f["a_gets"] else (b, a, f["b_gets"])
        line = _text(rules, "complementarities", "one_way", lang, a=taker, b=giver,
                     a_gets=_items(rules, "resources", got, lang))
    else:
        line = _text(rules, "complementarities", "none", lang)
    if f["joined_up"]:
        line += " " + _text(rules, "complementarities", "joined_up", lang,
                            services=_items(rules, "services", f["all_services"], lang),
                            groups=_items(rules, "groups", f["common_people"], lang))
    out["complementarities"] = line
    # gains
    if f["the_point"] and f["both_seek"]:
        out["gains"] = _text(rules, "gains", "shared", lang, shared=_items(rules, "resources", f["both_seek"], lang))
    elif f["a_gets"] and f["b_gets"]:
        out["gains"] = _text(rules, "gains", "both", lang)
    elif f["a_gets"] or f["b_gets"]:
        winner, other = (a, b) if f["a_gets"] else (b, a)
        out["gains"] = _text(rules, "gains", "one_sided", lang, winner=winner, other=other)
    else:
        out["gains"] = _text(rules, "gains", "none", lang)
    # duplications
    services = _items(rules, "services", f["shared_services"], lang)
    if f["shared_services"] and f["same_area"] and f["the_point"]:
        out["duplications"] = _text(rules, "duplications", "the_point", lang, services=services)
    elif f["shared_services"] and f["same_area"] and f["common_people"] and f["overlap"] >= 0.5:
        out["duplications"] = _text(rules, "duplications", "risk", lang, services=services)
    elif f["shared_services"]:
        out["duplications"] = _text(rules, "duplications", "some", lang, services=services)
    else:
        out["duplications"] = _text(rules, "duplications", "none", lang)
    # conflicts: every one that applies
    found = [_text(rules, "conflicts", "tenders", lang)] if f["rivals"] else []
    if f["power"]:
        found.append(_text(rules, "conflicts", "power", lang, fearful=f["fearful"]))
    if f["far"]:
        found.append(_text(rules, "conflicts", "area", lang))
    out["conflicts"] = " ".join(found) or _text(rules, "conflicts", "none", lang)
    # readiness
    ra, rb = f["readiness"]
    low = float(rules.settings.get("low_readiness_below", 2.5))
    if ra is None or rb is None:
        out["readiness"] = _text(rules, "readiness", "unknown", lang)
    else:
        sa, sb = decimal(ra, lang), decimal(rb, lang)
        if ra >= low and rb >= low:
            out["readiness"] = _text(rules, "readiness", "both", lang, ra=sa, rb=sb)
        elif ra < low and rb < low:
            out["readiness"] = _text(rules, "readiness", "both_low", lang, ra=sa, rb=sb)
        else:
            name, value = (a, sa) if ra < low else (b, sb)
            out["readiness"] = _text(rules, "readiness", "one_low", lang, low=name, r=value)
    return {k: out[k] for k in INDICATORS}


def titled(lines: dict[str, str], rules: Rules, lang: str) -> list[tuple[str, str]]:
    """(title, line) per indicator, for a message or a page."""
    titles = rules.reasons["titles"]
    return [(titles[k].get(lang) or titles[k]["ca"], line) for k, line in lines.items()]
