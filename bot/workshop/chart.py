"""The results chart (PNG, matplotlib with the Agg backend): answers per case, factor ratings."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from bot.workshop.session import RATINGS, Results
from bot.workshop.texts import WorkshopTexts, number

OPTION_COLOURS = {"reactive": "#e07a5f", "proactive": "#3d8bbd", "mixed": "#f2cc8f"}
RATING_COLOURS = ("#d1495b", "#edae49", "#66a182", "#00798c")
FALLBACK_COLOURS = ("#8d99ae", "#2b2d42", "#ef233c")

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def render_chart(results: Results, texts: WorkshopTexts) -> bytes:
    """The chart as PNG bytes: one panel for the cases, one for the factors (those the room saw)."""
    # The object API with the Agg canvas, never pyplot: no global state, so charts can be drawn in a
    # worker thread while the bot goes on, and no display is needed on a server. Imported here, when a
    # workshop's results are shown: matplotlib costs the bot ~1 s at start-up and tens of MB otherwise.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    panels = [p for p in (results.scenarios, results.factors) if p]
    rows = max(1, len(panels))
    heights = [max(2.5, 0.45 * len(p) + 1.4) for p in panels] or [2.5]
    fig = Figure(figsize=(9, sum(heights) + 0.8 * rows), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(rows, 1, height_ratios=heights)
    panel = 0
    if results.scenarios:
        _scenarios(fig, grid[panel], results, texts)
        panel += 1
    if results.factors:
        _factors(fig, grid[panel], results, texts)
    if not panels:
        ax = fig.add_subplot(grid[0])
        ax.axis("off")
        ax.text(0.5, 0.5, texts.t("workshop_chart_no_votes", results.language), ha="center", va="center")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _scenarios(fig: Figure, spec, results: Results, texts: WorkshopTexts) -> None:
    lang = results.language
    ax = fig.add_subplot(spec)
    labels = [texts.t("workshop_chart_case", lang, n=s.number) for s in results.scenarios]
    positions = list(range(len(results.scenarios)))
    left = [0] * len(positions)
    for index, option in enumerate(results.options):
        counts = [s.counts.get(option, 0) for s in results.scenarios]
        colour = OPTION_COLOURS.get(option, FALLBACK_COLOURS[index % len(FALLBACK_COLOURS)])
        right = [s.answer == option for s in results.scenarios]
        ax.barh(positions, counts, left=left, color=colour, label=texts.option_label(option, lang),
                edgecolor=["black" if r else "white" for r in right], linewidth=[2.0 if r else 0.5 for r in right])
        for pos, (count, start, is_right) in enumerate(zip(counts, left, right, strict=True)):
            if count:
                mark = f"✓ {count}" if is_right else str(count)
                ax.text(start + count / 2, pos, mark, ha="center", va="center", fontsize=8,
                        fontweight="bold" if is_right else "normal")
        left = [a + b for a, b in zip(left, counts, strict=True)]
    for pos, scenario in enumerate(results.scenarios):
        ax.text(left[pos] + 0.2, pos, f"✓ {texts.option_label(scenario.answer, lang)}", va="center", fontsize=8)
    ax.set_yticks(positions, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, max([*left, 1]) * 1.3 + 1)
    ax.set_xlabel(texts.t("workshop_chart_answers", lang))
    ax.set_title(texts.t("workshop_chart_title_scenarios", lang), fontsize=11)
    from matplotlib.patches import Patch

    # Plain patches: the bars' own handles would show the right-answer outline of the first case.
    handles = [Patch(facecolor=OPTION_COLOURS.get(o, FALLBACK_COLOURS[i % len(FALLBACK_COLOURS)]),
                     label=texts.option_label(o, lang)) for i, o in enumerate(results.options)]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)


def _factors(fig: Figure, spec, results: Results, texts: WorkshopTexts) -> None:
    lang = results.language
    ax = fig.add_subplot(spec)
    labels = [texts.factor_title(f.item, lang) for f in results.factors]
    positions = list(range(len(results.factors)))
    left = [0] * len(positions)
    for value, colour in zip(RATINGS, RATING_COLOURS, strict=True):
        counts = [f.counts.get(value, 0) for f in results.factors]
        ax.barh(positions, counts, left=left, color=colour, height=0.6,
                label=f"{value} · {texts.rating_label(value, lang)}", edgecolor="white")
        for pos, (count, start) in enumerate(zip(counts, left, strict=True)):
            if count:
                ax.text(start + count / 2, pos, str(count), ha="center", va="center", fontsize=8)
        left = [a + b for a, b in zip(left, counts, strict=True)]
    for pos, factor in enumerate(results.factors):
        mean = factor.mean
        note = texts.t("workshop_chart_mean", lang, mean=number(mean, lang)) if mean is not None else \
            texts.t("workshop_chart_no_votes", lang)
        ax.text(left[pos] + 0.2, pos, note, va="center", fontsize=8)
    ax.set_yticks(positions, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, max([*left, 1]) * 1.3 + 1)
    ax.set_xlabel(texts.t("workshop_chart_ratings", lang))
    ax.set_title(texts.t("workshop_chart_title_factors", lang), fontsize=11)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
