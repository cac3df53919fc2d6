"""Every pair of profiles scored at once with the seed's indicators, by aim (numpy: a thousand entities,
half a million pairs, in a few tens of milliseconds; bench/matching_bench.py measures it).

Each indicator is a number from 0 (bad for the pair) to 1 (good), the same whoever reads the pair:
- complementarities: how much of what each looks for the other offers; for joined-up care, different
  services for the same people in the same area;
- gains: both sides gain (a one-sided fit ranks lower); for efficiency, both looking for the same back office;
- duplications: the same services for the same people in the same area is a risk of competing, except
  for efficiency, where similar entities sharing their management is the point;
- conflicts: both bidding in the same field and area; a large size gap with a stated fear of losing power;
- readiness: both sides' readiness from the journey (1-4).
The score is the aim's weighted sum (knowledge/matching.yml `aims`), less for different aims or areas.
`explain` scores one pair with the very same code, so a reason never disagrees with the ranking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where it is used: the bot loads this module on an introduction's button, not
    import numpy as np  # NumPy (~20 MB, 0.2 s) at start; the scoring itself runs on the dashboard and the CLI

from bot.matching.rules import Rules, services_of

# what "both looking for the same thing" means for efficiency: what similar entities can share
SHAREABLE = ("back_office", "digital", "premises")


@dataclass(frozen=True)
class Profile:
    """What the scoring reads of one consenting entity."""

    id: int
    name: str
    field: str | None = None
    territory: str | None = None
    size_staff: str | None = None
    objective: str | None = None
    motivation: str | None = None
    readiness: float | None = None
    fear_power: int | None = None
    offers: tuple[str, ...] = ()
    seeks: tuple[str, ...] = ()
    groups_served: tuple[str, ...] = ()
    language: str = "ca"
    services: tuple[str, ...] = ()  # read from `field` by `with_services`

    def aim(self, rules: Rules) -> str | None:
        return rules.aim_of_objective.get(self.objective or "")


def with_services(profile: Profile, rules: Rules) -> Profile:
    if profile.services:
        return profile
    return replace(profile, services=tuple(services_of(profile.field, rules)))


@dataclass
class Matrices:
    """The scores (N×N) of a list of profiles; `mine[a, b]` is the pair scored for a's own aim."""

    profiles: list[Profile]
    score: np.ndarray
    mine: np.ndarray
    aims: list[str | None]         # each profile's aim (None: the default weights)


def _bits(values: Sequence[Sequence[str]], ids: Sequence[str]) -> np.ndarray:
    """Each profile's items as the bits of one integer: a pair's overlap is then one AND and a popcount
    (a thousand profiles: 2 ms, where a matrix product of one-hot rows took 30)."""
    import numpy as np

    index = {item: 1 << i for i, item in enumerate(ids)}
    return np.array([sum({index[i] for i in items if i in index}) for items in values], dtype=np.uint32)


def _pairs(bits: np.ndarray, op: Any = None) -> np.ndarray:
    import numpy as np

    op = np.bitwise_and if op is None else op
    return np.bitwise_count(op(bits[:, None], bits[None, :])).astype(np.float32)


def _areas(profiles: Sequence[Profile], rules: Rules) -> tuple[np.ndarray, np.ndarray]:
    """(same_area, far): the same area or one working everywhere; both known and different."""
    import numpy as np

    everywhere = set(rules.settings.get("same_area_everywhere") or [])
    areas = [p.territory if p.territory and p.territory not in ("skipped", "other") else None for p in profiles]
    codes = {a: i for i, a in enumerate(sorted({a for a in areas if a}))}
    area = np.array([-2 if a in everywhere else codes.get(a, -1) for a in areas])
    known, anywhere = area != -1, area == -2
    same = ((area[:, None] == area[None, :]) & known[:, None]) | anywhere[:, None] | anywhere[None, :]
    return same, known[:, None] & known[None, :] & ~same


def score_all(profiles: Sequence[Profile], rules: Rules) -> Matrices:
    """All pairs of `profiles` (a profile is never paired with itself: its score is -1).

    Written with arithmetic on masks rather than np.where, and bit sets rather than matrix products:
    both were most of the time at a thousand entities."""
    import numpy as np

    profiles = [with_services(p, rules) for p in profiles]
    n = len(profiles)
    if n < 2:
        return Matrices(profiles=profiles, score=np.full((n, n), -1.0, dtype=np.float32),
                        mine=np.full((n, n), -1.0, dtype=np.float32), aims=[p.aim(rules) for p in profiles])
    cfg = rules.settings
    resources, groups, services = rules.ids["resources"], rules.ids["groups"], rules.ids["services"]
    offers = _bits([p.offers for p in profiles], resources)
    seeks = _bits([p.seeks for p in profiles], resources)
    served = _bits([p.groups_served for p in profiles], groups)
    does = _bits([p.services for p in profiles], services)
    same_area, far = _areas(profiles, rules)
    f32 = np.float32

    # ---- complementarities: what each looks for that the other offers
    wanted = np.maximum(np.bitwise_count(seeks), 1).astype(f32)
    frac = np.bitwise_count(seeks[:, None] & offers[None, :]).astype(f32) / wanted[:, None]
    resource_fit = (frac + frac.T) * f32(0.5)
    common_people = (served[:, None] & served[None, :]) != 0
    shared_services = _pairs(does)
    overlap = shared_services / np.maximum(_pairs(does, np.bitwise_or), f32(1))
    described = does != 0
    joined_up = same_area & common_people & described[:, None] & described[None, :] & (overlap < 0.5)

    # ---- gains: both sides, or one; for efficiency, both looking for something they can share
    low, high = np.minimum(frac, frac.T), np.maximum(frac, frac.T)
    gains = (low > 0) * (f32(0.6) + f32(0.4) * low / np.maximum(high, f32(1e-6))) + ((low == 0) & (high > 0)) * f32(0.25)
    share_mask = sum(1 << i for i, r in enumerate(resources) if r in SHAREABLE)
    both_seek = ((seeks & share_mask)[:, None] & seeks[None, :]) != 0

    # ---- duplications: the same services for the same people in the same area
    same_here = overlap * same_area
    duplication = f32(1) - same_here * common_people
    the_point = f32(0.5) + f32(0.5) * same_here

    # ---- conflicts: bidding for the same contracts; a size gap with a fear of losing power
    tenders = 1 << resources.index("tenders") if "tenders" in resources else 0
    bids = (offers & tenders) != 0
    rivals = bids[:, None] & bids[None, :] & (shared_services > 0) & same_area
    order = {band: i for i, band in enumerate(cfg.get("size_order") or [])}
    size = np.array([order.get(p.size_staff or "", -99) for p in profiles])
    gap = (np.abs(size[:, None] - size[None, :]) >= int(cfg.get("large_size_gap", 2)))
    gap &= (size >= 0)[:, None] & (size >= 0)[None, :]
    fear = np.array([(p.fear_power or 0) >= int(cfg.get("fear_of_power_from", 3)) for p in profiles])
    conflicts = np.maximum(f32(1) - f32(0.6) * rivals - f32(0.6) * (gap & (fear[:, None] | fear[None, :])), f32(0))

    # ---- readiness of both (unknown: halfway)
    known = np.array([p.readiness is not None for p in profiles])
    ready = np.array([p.readiness or 0.0 for p in profiles], dtype=f32)
    both_known = known[:, None] & known[None, :]
    lowest = np.minimum(ready[:, None], ready[None, :])
    value = ((ready[:, None] + ready[None, :]) * f32(0.5) - f32(1)) / f32(3) - f32(0.2) * (lowest < float(cfg.get("low_readiness_below", 2.5)))
    readiness = both_known * np.clip(value, f32(0), f32(1)) + ~both_known * f32(0.5)

    # ---- by aim: each row scored with its entity's aim; the pair keeps the better of its two aims
    names = list(rules.aims)
    aims = [a if (a := p.aim(rules)) in names else None for p in profiles]
    aim_index = np.array([names.index(a) if a else -1 for a in aims])
    mine = np.empty((n, n), dtype=f32)
    for k, aim in [*enumerate(names), (-1, None)]:
        rows = np.flatnonzero(aim_index == k)
        if rows.size == 0:
            continue
        w = rules.weights(aim)
        point = bool((rules.aims.get(aim or "") or {}).get("duplication_is_the_point"))
        bonus = f32(0.5 if aim == "integral_attention" else 0.25)
        comp = np.minimum(resource_fit[rows] + bonus * joined_up[rows], f32(1))
        gain = np.maximum(gains[rows], f32(0.75) * both_seek[rows]) if point else gains[rows]
        dup = the_point[rows] if point else duplication[rows]
        mine[rows] = (f32(w["complementarities"]) * comp + f32(w["gains"]) * gain + f32(w["duplications"]) * dup
                      + f32(w["conflicts"]) * conflicts[rows] + f32(w["readiness"]) * readiness[rows])
    score = np.maximum(mine, mine.T)
    score *= f32(1) - f32(1 - float(cfg.get("different_aims_factor", 0.85))) * (aim_index[:, None] != aim_index[None, :])
    score *= f32(1) - f32(1 - float(cfg.get("other_area_factor", 0.6))) * far
    np.fill_diagonal(score, -1.0)
    return Matrices(profiles=profiles, score=score, mine=mine, aims=aims)


@dataclass(frozen=True)
class Pair:
    """One pair's score and aim, with the facts the reasons name."""

    a: Profile
    b: Profile
    score: float
    aim: str | None
    facts: dict[str, Any]


def pair_of(m: Matrices, i: int, j: int, rules: Rules) -> Pair:
    """Profiles i and j of a scoring: its score, the aim it was scored for, the facts behind it."""
    a, b = m.profiles[i], m.profiles[j]
    aim = m.aims[i] if m.mine[i, j] >= m.mine[j, i] else m.aims[j]
    return Pair(a=a, b=b, score=round(float(m.score[i, j]), 4), aim=aim, facts=facts_of(a, b, aim, rules))


def explain(a: Profile, b: Profile, rules: Rules) -> Pair:
    """One pair, scored by `score_all` itself (the same numbers as in the ranking)."""
    return pair_of(score_all([a, b], rules), 0, 1, rules)


def facts_of(a: Profile, b: Profile, aim: str | None, rules: Rules) -> dict[str, Any]:
    """What the reasons say: who gets what from whom, the services and people in common, the risks."""
    cfg = rules.settings
    everywhere = set(cfg.get("same_area_everywhere") or [])
    same_area = bool(a.territory and b.territory and (a.territory == b.territory or
                                                      {a.territory, b.territory} & everywhere))
    order = {band: i for i, band in enumerate(cfg.get("size_order") or [])}
    size_a, size_b = order.get(a.size_staff or ""), order.get(b.size_staff or "")
    gap = size_a is not None and size_b is not None and abs(size_a - size_b) >= int(cfg.get("large_size_gap", 2))
    fear_from = int(cfg.get("fear_of_power_from", 3))
    fearful = [p for p in (a, b) if (p.fear_power or 0) >= fear_from]
    shared_services = [s for s in a.services if s in b.services]
    common_people = [g for g in a.groups_served if g in b.groups_served]
    far = bool(a.territory and b.territory and not same_area and a.territory not in ("skipped", "other")
               and b.territory not in ("skipped", "other"))
    return {
        "a_gets": [r for r in a.seeks if r in b.offers],
        "b_gets": [r for r in b.seeks if r in a.offers],
        "both_seek": [r for r in a.seeks if r in b.seeks and r in SHAREABLE],
        "same_area": same_area,
        "far": far,
        "shared_services": shared_services,
        "overlap": len(shared_services) / max(len(set(a.services) | set(b.services)), 1),
        "all_services": list(dict.fromkeys([*a.services, *b.services])),
        "common_people": common_people,
        "joined_up": bool(same_area and common_people and a.services and b.services
                          and len(shared_services) * 2 < len(set(a.services) | set(b.services))),
        "rivals": "tenders" in a.offers and "tenders" in b.offers and bool(shared_services) and same_area,
        "power": bool(gap and fearful),
        "fearful": fearful[0].name if fearful else None,
        "readiness": (a.readiness, b.readiness),
        "the_point": bool((rules.aims.get(aim or "") or {}).get("duplication_is_the_point")),
    }


def top_for(m: Matrices, i: int, k: int, *, min_score: float, excluded: set[int] | None = None) -> list[int]:
    """The indexes of the best `k` candidates for profile i (score ≥ min_score), best first."""
    import numpy as np

    row = m.score[i].copy()
    if excluded:
        for j in excluded:
            row[j] = -1.0
    candidates = np.flatnonzero(row >= min_score)
    if candidates.size == 0:
        return []
    best = candidates[np.argsort(-row[candidates], kind="stable")[:k]]
    return [int(j) for j in best]
