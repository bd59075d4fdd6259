"""Server-side SVG charts (no JavaScript, no external library): readable without
scripts, printable, and identical for every viewer."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from audit.selectors import BrandStatistics

BAR = 22
GAP = 10
LABEL_WIDTH = 170
CHART_WIDTH = 420
NUMBER_WIDTH = 90


def brand_access_chart(stats: Sequence[BrandStatistics], *, limit: int = 15) -> SafeString:
    """Horizontal bars per brand: allowed requests, with the denied part in a second colour."""
    rows = list(stats)[:limit]
    if not rows:
        return mark_safe("")  # noqa: S308 (constant)
    peak = max(entry.total for entry in rows) or 1
    height = len(rows) * (BAR + GAP) + GAP + 24
    width = LABEL_WIDTH + CHART_WIDTH + NUMBER_WIDTH
    title = escape(_("Accesses per brand: allowed and denied"))
    parts = [
        f'<svg class="audit-chart" role="img" aria-labelledby="brand-chart-title" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="brand-chart-title">{title}</title>',
    ]
    for position, entry in enumerate(rows):
        y = GAP + position * (BAR + GAP)
        allowed = entry.total - entry.denied
        allowed_width = CHART_WIDTH * allowed / peak
        denied_width = CHART_WIDTH * entry.denied / peak
        name = escape(entry.name if len(entry.name) <= 24 else entry.name[:23] + "…")
        allowed_text = escape(_("%(n)d allowed") % {"n": allowed})
        denied_text = escape(_("%(n)d denied") % {"n": entry.denied})
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR * 0.7:.1f}" text-anchor="end" '
            f'class="label">{name}</text>'
        )
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{allowed_width:.1f}" height="{BAR}" '
            f'class="allowed"><title>{allowed_text}</title></rect>'
        )
        if entry.denied:
            parts.append(
                f'<rect x="{LABEL_WIDTH + allowed_width:.1f}" y="{y}" width="{max(denied_width, 1.5):.1f}" '
                f'height="{BAR}" class="denied"><title>'
                f'{denied_text}</title></rect>'
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + allowed_width + denied_width + 6:.1f}" y="{y + BAR * 0.7:.1f}" '
            f'class="value">{entry.total}</text>'
        )
    legend_y = height - 8
    allowed_legend, denied_legend = escape(_("allowed")), escape(_("denied"))
    parts.append(
        f'<rect x="{LABEL_WIDTH}" y="{legend_y - 10}" width="10" height="10" class="allowed"/>'
        f'<text x="{LABEL_WIDTH + 14}" y="{legend_y}" class="legend">{allowed_legend}</text>'
        f'<rect x="{LABEL_WIDTH + 90}" y="{legend_y - 10}" width="10" height="10" class="denied"/>'
        f'<text x="{LABEL_WIDTH + 104}" y="{legend_y}" class="legend">{denied_legend}</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)
