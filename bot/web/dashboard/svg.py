"""Charts drawn on the server as inline SVG: no JavaScript, sharp on a phone, readable by screen readers."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

BAR = "#2f6f5e"
TARGET = "#c9d8d2"
ROW = 26


def bars(rows: Sequence[tuple[str, float, str]], *, scale: float | None = None, title: str = "",
         targets: Sequence[float] | None = None) -> Markup:
    """Horizontal bars: (label, value, text shown after the bar); `targets` draws a lighter bar behind."""
    top = max([scale or 0.0, *(v for _, v, _ in rows), *(targets or [])]) or 1.0
    width, label_w, bar_w = 640, 210, 340
    height = ROW * len(rows) + 8
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for i, (label, value, shown) in enumerate(rows):
        y = 4 + i * ROW
        if targets is not None:
            tw = bar_w * (targets[i] / top)
            parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{tw:.1f}" height="{ROW - 8}" fill="{TARGET}"/>')
        w = bar_w * (max(value, 0.0) / top)
        parts.append(f'<text x="{label_w - 8}" y="{y + ROW / 2 + 4:.0f}" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{ROW - 8}" fill="{BAR}" rx="2"/>')
        parts.append(f'<text x="{label_w + max(w, tw if targets is not None else 0) + 6:.1f}" '
                     f'y="{y + ROW / 2 + 4:.0f}">{escape(shown)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
