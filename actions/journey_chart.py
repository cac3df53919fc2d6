"""The journey's picture: readiness per success factor and the motivation balance, readable on a phone."""

from __future__ import annotations

import functools
import importlib.util
import logging
import os
import uuid
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path

from actions.base import knowledge, tr
from actions.journey import FACTOR_IDS
from bot.shared.chart_files import chart_dir, draw_later

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 704, 792  # full width on a phone
SUFFIX = ".jpg"
COLOURS = {1: "#d9534f", 2: "#f0ad4e", 3: "#8cc152", 4: "#37a354"}
REACTIVE_COLOUR, PROACTIVE_COLOUR, NEUTRAL_COLOUR = "#e07b39", "#3a7dc9", "#bbbbbb"
INK, MUTED, GRID = "#111111", "#555555", "#dddddd"
LEFT, RIGHT = 35, 669  # the plot's edges, in pixels
SCALE_MAX = 4.6  # the factors' axis runs from 0 to 4.6, so "4/4" fits right of a full bar


@functools.cache
def _font_file(bold: bool) -> str | None:
    """DejaVu Sans (it has every letter of ca/es/en), from matplotlib's data, found without importing it."""
    spec = importlib.util.find_spec("matplotlib")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "mpl-data" / "fonts" / "ttf" / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
        if path.is_file():
            return str(path)
    return None


@functools.cache
def _font(size: int, bold: bool = False):
    from PIL import ImageFont

    path = _font_file(bold)
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size)


def _fit(draw, text: str, size: int, width: int, *, bold: bool = False) -> tuple[str, object]:
    """The text in the largest size up to `size` (not below 70 % of it) that fits, ellipsised if need be."""
    smallest = max(8, int(size * 0.7))
    for each in range(size, smallest - 1, -1):
        if draw.textlength(text, font=_font(each, bold)) <= width:
            return text, _font(each, bold)
    font = _font(smallest, bold)
    while len(text) > 1 and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "…", font


def render_chart(*, readiness: dict[str, int | None], scores: dict[str, float], lang: str,
                 entity_name: str | None = None, path: Path | None = None) -> Path:
    """Draw the chart as a JPEG and return its path (a fresh file in chart_dir() unless `path` is given).

    Drawn with Pillow and saved as JPEG (Telegram turns every photo into a JPEG anyway; full-resolution
    colour keeps text and flat colours clean): about 6 ms of CPU, where matplotlib took 120 ms and a
    PNG encoder alone takes 10.
    """
    from PIL import Image, ImageDraw

    labels = knowledge("journey")["chart"]
    factors = {f["id"]: f for f in knowledge("success_factors")["factors"]}
    ids = [fid for fid in FACTOR_IDS if fid in factors]
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    width = RIGHT - LEFT

    # Title, and the entity's name under it.
    y = 16
    for line in [tr(labels["title"], lang), *([entity_name] if entity_name else [])]:
        text, font = _fit(draw, line, 26, WIDTH - 40, bold=True)
        draw.text((WIDTH / 2, y), text, font=font, fill=INK, anchor="ma")
        y += 32
    y += 14
    draw.text((LEFT, y), tr(labels["factors"], lang), font=_font(22), fill=MUTED)

    # Factors: the name above its bar, so bars keep the full width of a narrow screen.
    top = y + 40
    row = min(78, (560 - top) // max(len(ids), 1))
    bottom = top + row * len(ids)

    def x_of(value: float) -> float:
        return LEFT + width * value / SCALE_MAX

    for tick in (1, 2, 3, 4):
        draw.line([(x_of(tick), top - 8), (x_of(tick), bottom)], fill=GRID, width=1)
    for index, fid in enumerate(ids):
        value = readiness.get(fid)
        y0 = top + index * row
        name, font = _fit(draw, tr(factors[fid]["title"], lang), 21, width)
        draw.text((LEFT, y0), name, font=font, fill=INK)
        bar_top, bar_bottom = y0 + 30, y0 + 64
        if value:
            draw.rectangle([LEFT, bar_top, x_of(value), bar_bottom], fill=COLOURS.get(value, NEUTRAL_COLOUR))
        note = f"{value}/4" if value else tr(labels["no_answer"], lang)
        draw.text((x_of(value or 0) + 9, (bar_top + bar_bottom) / 2), note, font=_font(21, True), fill=INK,
                  anchor="lm")
    draw.line([(LEFT, bottom), (RIGHT, bottom)], fill=INK, width=1)
    for tick in (1, 2, 3, 4):
        draw.line([(x_of(tick), bottom), (x_of(tick), bottom + 5)], fill=INK, width=1)
        draw.text((x_of(tick), bottom + 8), str(tick), font=_font(17), fill=INK, anchor="ma")

    # Motivation: the reactive and proactive shares of what the entity said.
    y = bottom + 66
    draw.text((LEFT, y), tr(labels["motivation"], lang), font=_font(22), fill=MUTED)
    reactive, proactive = max(scores.get("reactive", 0.0), 0.0), max(scores.get("proactive", 0.0), 0.0)
    total = reactive + proactive
    share = reactive / total if total else 0.5
    y += 50
    half = width // 2 - 8
    left_label, font = _fit(draw, tr(labels["reactive"], lang), 19, half)
    draw.multiline_text((LEFT, y), f"{left_label}\n{round(share * 100)}%", font=font, fill=INK, spacing=4)
    right_label, font = _fit(draw, tr(labels["proactive"], lang), 19, half)
    draw.multiline_text((RIGHT, y), f"{right_label}\n{round((1 - share) * 100)}%", font=font, fill=INK,
                        spacing=4, align="right", anchor="ra")
    bar_top = y + 54
    if total:
        middle = LEFT + width * share
        draw.rectangle([LEFT, bar_top, middle, bar_top + 34], fill=REACTIVE_COLOUR)
        draw.rectangle([middle, bar_top, RIGHT, bar_top + 34], fill=PROACTIVE_COLOUR)
    else:
        draw.rectangle([LEFT, bar_top, RIGHT, bar_top + 34], fill=NEUTRAL_COLOUR)

    target = path or chart_dir() / f"journey-{uuid.uuid4().hex}{SUFFIX}"
    image.save(target, format="JPEG", quality=90, subsampling=0)
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
    """The chart's path at once; it is drawn in a helper thread once the turn is over (when the channel
    waits for it to send it, bot/shared/chart_files.py), so the turn never waits for it."""
    target = chart_dir() / f"journey-{uuid.uuid4().hex}{SUFFIX}"
    args = (target, dict(readiness), dict(scores), lang, entity_name)

    def start() -> Future[None]:
        global _drawer
        if _drawer is None:
            _drawer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aliat-chart")
        future = _drawer.submit(_draw, *args)
        future.add_done_callback(_drawn)
        return future

    draw_later(target, start)
    return target
