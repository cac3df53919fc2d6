"""The journey's picture: readiness per success factor and the motivation balance, readable on a phone."""

from __future__ import annotations

import logging
import multiprocessing
import os
import uuid
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

from actions.base import knowledge, tr
from actions.journey import FACTOR_IDS
from bot.charts import chart_dir

log = logging.getLogger(__name__)

WIDTH_IN, HEIGHT_IN, DPI = 6.4, 7.2, 110  # 704 x 792 px: full width on a phone, cheap to draw
COLOURS = {1: "#d9534f", 2: "#f0ad4e", 3: "#8cc152", 4: "#37a354"}
REACTIVE_COLOUR, PROACTIVE_COLOUR, NEUTRAL_COLOUR = "#e07b39", "#3a7dc9", "#bbbbbb"


def render_chart(*, readiness: dict[str, int | None], scores: dict[str, float], lang: str,
                 entity_name: str | None = None, path: Path | None = None) -> Path:
    """Draw the chart as a PNG and return its path (a fresh file in chart_dir() unless `path` is given)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    labels = knowledge("journey")["chart"]
    factors = {f["id"]: f for f in knowledge("success_factors")["factors"]}
    ids = [fid for fid in FACTOR_IDS if fid in factors]
    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    fig.subplots_adjust(left=0.05, right=0.95, top=0.84, bottom=0.04)
    grid = fig.add_gridspec(2, 1, height_ratios=[4, 1.1], hspace=0.35)
    title = tr(labels["title"], lang) + (f"\n{entity_name}" if entity_name else "")
    fig.suptitle(title, fontsize=17, fontweight="bold", y=0.98)

    # Factor names sit above their bars, so the bars keep the full width of a narrow screen.
    ax = fig.add_subplot(grid[0])
    values = [readiness.get(fid) for fid in ids]
    rows = list(range(len(ids)))[::-1]
    ax.barh(rows, [v or 0 for v in values], color=[COLOURS.get(v or 0, NEUTRAL_COLOUR) for v in values],
            height=0.45)
    for y, fid, value in zip(rows, ids, values, strict=True):
        ax.text(0, y + 0.3, tr(factors[fid]["title"], lang), va="bottom", fontsize=14)
        text = f"{value}/4" if value else tr(labels["no_answer"], lang)
        ax.text((value or 0) + 0.06, y, text, va="center", fontsize=14, fontweight="bold")
    ax.set_xlim(0, 4.6)
    ax.set_ylim(-0.5, len(ids) - 0.1)
    ax.set_xticks([1, 2, 3, 4])
    ax.set_yticks([])
    ax.tick_params(axis="x", labelsize=12)
    ax.set_title(tr(labels["factors"], lang), fontsize=15, loc="left", color="#555555")
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.grid(axis="x", color="#dddddd")
    ax.set_axisbelow(True)

    bx = fig.add_subplot(grid[1])
    reactive, proactive = max(scores.get("reactive", 0.0), 0.0), max(scores.get("proactive", 0.0), 0.0)
    total = reactive + proactive
    share = reactive / total if total else 0.5
    if total:
        bx.barh([0], [share], color=REACTIVE_COLOUR, height=0.6)
        bx.barh([0], [1 - share], left=[share], color=PROACTIVE_COLOUR, height=0.6)
    else:
        bx.barh([0], [1], color=NEUTRAL_COLOUR, height=0.6)
    bx.text(0, 0.4, f"{tr(labels['reactive'], lang)}\n{round(share * 100)}%", fontsize=13, va="bottom")
    bx.text(1, 0.4, f"{tr(labels['proactive'], lang)}\n{round((1 - share) * 100)}%", fontsize=13,
            va="bottom", ha="right")
    bx.set_xlim(0, 1)
    bx.set_ylim(-0.4, 1.6)
    bx.axis("off")
    bx.set_title(tr(labels["motivation"], lang), fontsize=15, loc="left", color="#555555")

    target = path or chart_dir() / f"journey-{uuid.uuid4().hex}.png"
    fig.savefig(target, format="png", facecolor="white", pil_kwargs={"compress_level": 3})
    return target


_drawer: Executor | None = None


def _draw(target: Path, readiness: dict[str, int | None], scores: dict[str, float], lang: str,
          entity_name: str | None) -> None:
    """In the drawing process: draw aside, then rename into place so a reader never sees half a file."""
    part = target.with_name(target.name + ".part")
    render_chart(readiness=readiness, scores=scores, lang=lang, entity_name=entity_name, path=part)
    os.replace(part, target)


def _drawn(future: Future[None]) -> None:
    if future.exception() is not None:  # the summary goes out without its picture
        log.error("journey chart could not be drawn", exc_info=future.exception())


def render_chart_soon(*, readiness: dict[str, int | None], scores: dict[str, float], lang: str,
                      entity_name: str | None = None) -> Path:
    """The chart's path at once; it is drawn in a separate process (matplotlib costs tens of ms of CPU
    and ~60 MB), so turns and other chats never wait for it and the bot stays small. Channels wait
    briefly for the file when they send it."""
    global _drawer
    if _drawer is None:
        # A daemonic process (an action server's worker) may not have children: draw in a thread there.
        _drawer = (ThreadPoolExecutor(max_workers=1, thread_name_prefix="aliat-chart")
                   if multiprocessing.current_process().daemon else
                   ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")))
    target = chart_dir() / f"journey-{uuid.uuid4().hex}.png"
    _drawer.submit(_draw, target, dict(readiness), dict(scores), lang, entity_name).add_done_callback(_drawn)
    return target
