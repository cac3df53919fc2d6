"""Bar charts drawn on the server as HTML: no JavaScript, text at the page's own size on any screen.

Each bar is a <progress> element (its length is its value against the chart's largest): no inline style,
and screen readers read it. A label, the bar and the figure sit on one line on a computer and stack on
a phone (style.css), so a label is never shrunk to fit (an SVG scaled to 390 px made it 6 px tall).
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape


def bars(rows: Sequence[tuple[str, float, str]], *, scale: float | None = None, title: str = "",
         targets: Sequence[float] | None = None) -> Markup:
    """Horizontal bars: (label, value, text shown after the bar); with `targets`, each bar runs against its
    own target (the figure then reads "formed / target")."""
    top = max([scale or 0.0, *(v for _, v, _ in rows), *(targets or [])]) or 1.0
    parts = [f'<div class="chart" role="group" aria-label="{escape(title)}">']
    for i, (label, value, shown) in enumerate(rows):
        limit = (targets[i] or top) if targets is not None else top
        limit = max(limit, value, 0.0) or 1.0
        parts.append(f'<div class="bar-row"><span class="bar-label">{escape(label)}</span>'
                     f'<progress max="{limit:g}" value="{max(value, 0.0):g}" aria-label="{escape(label)}: '
                     f'{escape(shown)}"></progress><span class="bar-value">{escape(shown)}</span></div>')
    parts.append("</div>")
    return Markup("".join(parts))
