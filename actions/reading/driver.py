"""Which part of a text states *why* they look for a partner (the cue file's ``driver`` section).

The text is cut into segments (at punctuation and at "però / but / so…"); what the person denies ("no és que
tinguem una idea nova…"), a crisis they say is over, what "the real reason" outweighs and the hardships of the
people they serve are background. `structure` says which segments those are, which directions were denied,
which side a "but" outweighs, and whether the text commits to nothing or joins two drivers ("a més").

It needs to read pieces of the text on their own; the caller passes how (`Reader`), so that this module does
not import the classifier that uses it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from actions.reading.cues import Driver, Knowledge
from actions.reading.hits import Hit, reassurance_spans
from actions.reading.labels import DIRECTIONS, PROACTIVE, REACTIVE, UNCLEAR, other
from actions.reading.patterns import spans
from actions.reading.text import Token


@dataclass(frozen=True)
class Reader:
    """How to read a piece of text on its own: its scores per direction, and its label."""

    scores: Callable[[str], dict[str, float]]
    label: Callable[[str], str]


def _segments(toks: list[Token], drv: Driver, hits: list[Hit] | None = None) -> list[tuple[int, int]]:
    """Token ranges [lo, hi): a new one at punctuation, where a splitter ("però", "but", "so") starts, and at a
    "perquè / because" whose reason holds a cue while nothing before it in the clause does (`_reasons`)."""
    starts = {0}
    for i in range(1, len(toks)):
        if toks[i].clause != toks[i - 1].clause:
            starts.add(i)
    for i, _end in spans(drv.splitters, toks, 1, len(toks)):
        starts.add(i)
    starts.update(_reasons(toks, drv, hits or []))
    edges = sorted(starts) + [len(toks)]
    # a connector alone ("i", "y" before "a més", "además") opens the segment that follows it
    edges = [e for i, e in enumerate(edges) if not (0 < i < len(edges) - 1 and e - edges[i - 1] == 1
                                                    and toks[e - 1].clause == toks[e].clause)]
    return [(a, b) for a, b in zip(edges, edges[1:], strict=False) if a < b]


def _reasons(toks: list[Token], drv: Driver, hits: list[Hit]) -> set[int]:
    """Where a "perquè / porque / because" gives the reason for a wish that names none ("volem optimitzar
    recursos perquè el finançament ha caigut"): the reason holds a live cue, the words before it in its clause
    none. What the wish says is then read apart from its reason (and the reason is the driver: `structure`)."""
    found: set[int] = set()
    live = [h for h in hits if not h.negated]
    for i, _end in spans(drv.because, toks, 1, len(toks)):
        clause = toks[i].clause
        lo = next(k for k in range(i, -1, -1) if k == 0 or toks[k - 1].clause != clause)
        hi = next((k for k in range(i, len(toks)) if toks[k].clause != clause), len(toks))
        if (i - lo >= 2 and not any(lo <= h.start < i for h in live)
                and any(i <= h.start < hi and not h.pattern.context_dependent for h in live)
                and not spans(drv.additive, toks, max(lo, i - 3), i)  # "i també perquè…": a second reason
                # "… because the families we serve are struggling": their hardship, not the entity's
                and not spans(drv.beneficiaries, toks, i, hi)):
            found.add(i)
    return found


@dataclass(frozen=True)
class Structure:
    segments: tuple[tuple[int, int], ...]
    background: frozenset[int]  # indexes of segments that do not state the driver
    denied: frozenset[str]  # the directions a denied segment says are NOT the driver ("not for money")
    outweighed: frozenset[str]  # the direction said before a "but" that turns the other way
    noncommitted: bool
    additive: bool
    unquoted: frozenset[int] = frozenset()  # the background and what only says a crisis is over


def structure(toks: list[Token], hits: list[Hit], kb: Knowledge, text: str, read: Reader) -> Structure:
    """Which segments state why they look for a partner, and which are background (module doc, cue file)."""
    drv = kb.driver
    assert drv is not None
    segs = _segments(toks, drv, hits)
    reassured = reassurance_spans(toks, kb)
    back: set[int] = set()
    denied: set[str] = set()
    outweighed: set[str] = set()
    unquoted: set[int] = set()
    resolved_at = [k for k, (lo, hi) in enumerate(segs) if spans(drv.resolved, toks, lo, hi)]
    for k, (lo, hi) in enumerate(segs):
        inside = [h for h in hits if lo <= h.start < hi]
        denial = [end for i, end in spans(drv.denial, toks, lo, min(hi, lo + 8)) if i <= lo + 2]
        if denial or (inside and all(h.negated for h in inside)):
            back.add(k)  # "no és que tinguem una idea nova, …", "ningú ens ha retallat res"
            if inside:
                denied.update(h.pattern.direction for h in inside if h.negated)
            elif text and max(denial) < hi:  # "no ho fem per necessitat": what follows the denial
                said = read.label(text[toks[max(denial)].start : toks[hi - 1].end])
                if said in DIRECTIONS:  # what it denies reads one way ("… per necessitat"); a word or two of
                    denied.add(said)    # context that reads no way denies nothing ("on paper we say…")
        if (any(lo <= a and b <= hi for a, b in reassured)
                and not any(h.pattern.direction == REACTIVE and not h.negated for h in inside)):
            denied.add(REACTIVE)  # "econòmicament estem bé; …"
            said_besides = (hi - lo) - sum(b - a for a, b in reassured if lo <= a and b <= hi)
            if not any(not h.negated for h in inside) and said_besides <= 3:
                back.add(k)  # only the reassurance: "today we're stable and what we want is…" says more
        if k in resolved_at and not any(not h.negated for h in inside):
            unquoted.add(k)  # "ja està superat": it only says the crisis is over (not a reason to quote)
        if spans(drv.past, toks, lo, hi) and any(r >= k for r in resolved_at):
            back.add(k)  # "fa tres anys gairebé tanquem, però ara anem bé"
            denied.add(REACTIVE)  # … and it is over
        focused = spans(drv.focus, toks, lo, hi) or (
            toks[lo].text in drv.contrast and spans(drv.focus_after_contrast, toks, lo, min(hi, lo + 4))) or (
            k > 0 and toks[lo].clause == toks[lo - 1].clause and bool(spans(drv.because, toks, lo, lo + 1)))
        if k and focused and text and not spans(drv.additive, toks, lo, hi):
            # "…, però el motiu real és que…": what it outweighs, said before it, is not the driver
            said = read.label(text[toks[lo].start : toks[segs[-1][1] - 1].end])
            if said in DIRECTIONS:
                before = {j: read.label(text[toks[segs[j][0]].start : toks[segs[j][1] - 1].end]) for j in range(k)
                          if j not in back}
                # a threat the entity states as a fact before "the real reason is a project" is still there: it
                # weighs less (a mix, the project first), it is not a pretext ("funding is shaky, but the real
                # reason is…"); a project talk before "the real reason is the cut" is the pretext, and so is what
                # only says a crisis is over ("ja està resolt")
                threats = {j for j, label in before.items() if label == REACTIVE and j not in unquoted} \
                    if said == PROACTIVE else set()
                back.update(j for j, label in before.items() if label != said and j not in threats)
                if threats:
                    outweighed.add(REACTIVE)
        elif k and text and toks[lo].text in drv.contrast and not spans(drv.additive, toks, lo, hi):
            # "X, però Y": Y weighs more
            after = read.label(text[toks[lo].start : toks[segs[-1][1] - 1].end])
            if after in DIRECTIONS and read.label(text[: toks[lo - 1].end]) == other(after):
                outweighed.add(other(after))
        served = spans(drv.beneficiaries, toks, lo, hi)
        # the entity's own words, outside the words naming the people it serves ("the families WE work with")
        naming = {i for a, b in served for i in range(a, b)}
        if (len(segs) > 1 and k not in back and text and served
                and not _entity(toks, lo, hi, drv, naming)
                and read.label(text[toks[lo].start : toks[hi - 1].end]) in (REACTIVE, UNCLEAR)):
            back.add(k)  # "les famílies que atenem ho passen malament" (or only lean that way, as context does)
    if len(back) >= len(segs):
        back, denied = set(), set()  # nothing would be left: read it all
    kept = [seg for k, seg in enumerate(segs) if k not in back]
    noncommitted = ((any(spans(drv.noncommitment, toks, lo, hi) for lo, hi in kept) or _options(toks, segs, back, drv))
                    and not _committed_elsewhere(toks, hits, segs, back, drv, text, read))
    additive = any(spans(drv.additive, toks, lo, hi) or toks[lo].text in drv.additive_openers for lo, hi in kept)
    return Structure(tuple(segs), frozenset(back), frozenset(denied), frozenset(outweighed), noncommitted,
                     additive, frozenset(unquoted | back))


def _entity(toks: list[Token], lo: int, hi: int, drv: Driver, skip: set[int] | frozenset[int] = frozenset()) -> bool:
    """True when tokens [lo, hi) (but those in `skip`) name the entity itself: a word ("ens", "our") or a whole
    phrase ("we're", "we have"; its words alone, "are" or "have", say nothing of who)."""
    if any(t.text in drv.entity for i, t in enumerate(toks[lo:hi], lo) if i not in skip):
        return True
    return any(not any(i in skip for i in range(a, b)) for a, b in spans(drv.entity_phrases, toks, lo, hi))


def _options(toks: list[Token], segs: list[tuple[int, int]], back: set[int], drv: Driver) -> bool:
    """True when two clauses or more each open an option ("potser diners, potser un projecte", "could be funding,
    could be a new project, could be both"): a list of options none of which is chosen keeps them open."""
    opening = [k for k, (lo, hi) in enumerate(segs) if k not in back
               and any(i <= lo + 1 for i, _end in spans(drv.alternatives, toks, lo, hi))]
    return len(opening) >= 2


def _committed_elsewhere(toks: list[Token], hits: list[Hit], segs: list[tuple[int, int]], back: set[int],
                         drv: Driver, text: str, read: Reader) -> bool:
    """True when the text, without the words that keep options open, states one driver clearly: a cue of one
    side only and a reading of that side that the other side does not approach. "ens han retallat la subvenció
    i encara no sabem què farem" is unsure of what to do, not of why; "diners, projectes… encara no sabem què
    ens mou" and "un poc de diners, un poc d'idees, no ho tenim clar" are unsure of why."""
    kept = [segs[k] for k in range(len(segs)) if k not in back]
    cut = {i for lo, hi in kept for a, b in spans(drv.noncommitment, toks, lo, hi) + spans(drv.alternatives, toks, lo, hi)
           for i in range(a, b)}
    live = [h for h in hits if not h.negated and any(lo <= h.start < hi for lo, hi in kept)
            and not any(i in cut for i in range(h.start, h.end))]
    sides = {h.pattern.direction for h in live}
    if len(sides) != 1 or not text:
        return False
    # … said of the entity ("ens han retallat", "the bank pulled our overdraft"), not a bare word in a list
    # ("el tema de la crisi, els projectes…")
    if not any(_entity(toks, lo, hi, drv) for lo, hi in kept if any(lo <= h.start < hi for h in live)):
        return False
    pieces: list[str] = []
    for lo, hi in kept:
        run: list[int] = []
        for i in list(range(lo, hi)) + [hi]:
            if i < hi and i not in cut:
                run.append(i)
            elif run:
                pieces.append(text[toks[run[0]].start : toks[run[-1]].end])
                run = []
    said = read.scores(". ".join(pieces)) if pieces else {}
    if not said:
        return False
    side = next(iter(sides))
    return said[side] > 0 and said[other(side)] <= drv.committed_ratio * said[side]


_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")


def asks_only(text: str) -> bool:
    """True when every sentence of the text is a question ("hi ha aparcament dijous?", "how much is it?")."""
    stripped = (text or "").strip()
    if not stripped.endswith("?"):
        return False
    return all(part.strip().endswith("?") for part in _SENTENCES.split(stripped) if part.strip())


def logistics_question(text: str, toks: list[Token], hits: list[Hit] | tuple[Hit, ...], drv: Driver) -> bool:
    """True for a text with no cue that asks something and speaks of the session's practicalities ("l'aula té
    projector? voldria portar una presentació", "is there parking on Thursday? we'll be three"): no driver."""
    # a word that takes its colour from the rest ("separately", "sols") is no cue in a practical question
    if not toks or "?" not in (text or "") or any(not h.negated and not h.pattern.context_dependent for h in hits):
        return False
    return bool(spans(drv.logistics, toks, 0, len(toks)))


def plain_wish(toks: list[Token], hits: list[Hit] | tuple[Hit, ...], drv: Driver) -> bool:
    """True for a short text that only wishes to partner ("volem col·laborar amb altres entitats", "we'd like
    to work with others") and holds no cue: the wish to collaborate is not a driver."""
    if not toks or len(toks) > drv.plain_wish_max_tokens or any(not h.negated for h in hits):
        return False
    return bool(spans(drv.plain_wish, toks, 0, len(toks)))


def says_no_why(toks: list[Token], hits: list[Hit] | tuple[Hit, ...], lo: int, hi: int, kb: Knowledge) -> bool:
    """True for a clause [lo, hi) of a long message that holds no live cue of its own and only says they look for a
    partner ("so that's why we're looking to team up with someone who has land", "per això busquem amb qui
    presentar-nos"), that things are fine ("les subvencions ens van bé") or what they cannot do alone ("sols no el
    podem fer", which takes its colour from the rest): it is not the clause that says why."""
    drv = kb.driver
    assert drv is not None
    live = [h for h in hits if lo <= h.start < hi and not h.negated]
    if any(not h.pattern.context_dependent for h in live):
        return False
    return bool(live) or bool(spans(drv.plain_wish, toks, lo, hi)) or any(
        lo <= a and b <= hi for a, b in reassurance_spans(toks, kb))
