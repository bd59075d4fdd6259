"""Charts drawn on the server as inline SVG: no script, no external request.

Every label is escaped by ``format_html``; colours come from the portal's CSS
variables through classes (``analytics/insights.css``), so dark mode works.
Each chart has a title and a description for screen readers, and the page
shows the same figures in a table.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

_ids = itertools.count(1)

WIDTH = 640
BAR_HEIGHT = 220
BAR_WIDTH = 420  # horizontal bar charts sit in narrower columns


@dataclass(frozen=True)
class Point:
    label: str
    value: float
    note: str = ""  # tooltip text (already formatted)
    muted: bool = False


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10.0 * magnitude


def column_chart(points: Sequence[Point], *, title: str, description: str,
                 axis_label: str = "") -> SafeString:
    """Vertical bars (spending by month)."""
    chart_id = f"chart-{next(_ids)}"
    left, right, top, bottom = 56, 8, 12, 36
    inner_width = WIDTH - left - right
    inner_height = BAR_HEIGHT - top - bottom
    top_value = _nice_max(max((point.value for point in points), default=0.0))
    slot = inner_width / max(len(points), 1)
    bars = []
    for index, point in enumerate(points):
        height = max(point.value, 0) / top_value * inner_height
        x = left + index * slot + slot * 0.15
        y = top + inner_height - height
        bars.append((
            "chart-bar muted" if point.muted else "chart-bar",
            f"{x:.1f}", f"{y:.1f}", f"{slot * 0.7:.1f}", f"{height:.1f}",
            point.note or f"{point.label}: {point.value:.2f}",
            f"{x + slot * 0.35:.1f}", f"{BAR_HEIGHT - bottom + 16:.1f}", point.label,
        ))
    grid = []
    for fraction in (0, 0.5, 1):
        y = top + inner_height - fraction * inner_height
        grid.append((f"{y:.1f}", f"{WIDTH - right}", f"{left - 6}", f"{y + 4:.1f}",
                     formats.number_format(round(top_value * fraction), 0, force_grouping=True)))
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-t {}-d" '
        'preserveAspectRatio="xMidYMid meet"><title id="{}-t">{}</title><desc id="{}-d">{}</desc>'
        '{}{}<text class="chart-axis" x="4" y="{}">{}</text></svg>',
        WIDTH, BAR_HEIGHT, chart_id, chart_id, chart_id, title, chart_id, description,
        format_html_join(
            "", '<line class="chart-grid" x1="56" y1="{0}" x2="{1}" y2="{0}"/>'
                '<text class="chart-tick" x="{2}" y="{3}" text-anchor="end">{4}</text>', grid),
        format_html_join(
            "", '<rect class="{}" x="{}" y="{}" width="{}" height="{}" rx="2"><title>{}</title>'
                '</rect><text class="chart-label" x="{}" y="{}" text-anchor="middle">{}</text>',
            bars),
        BAR_HEIGHT - 8, axis_label,
    )


def bar_chart(points: Sequence[Point], *, title: str, description: str) -> SafeString:
    """Horizontal bars (categories, merchants, channels), largest first."""
    chart_id = f"chart-{next(_ids)}"
    row = 24
    label_width = 130
    value_width = 96
    height = max(len(points), 1) * row + 8
    inner = BAR_WIDTH - label_width - value_width
    top_value = max((point.value for point in points), default=0.0) or 1.0
    bars = []
    for index, point in enumerate(points):
        y = 4 + index * row
        length = max(point.value, 0) / top_value * inner
        label = point.label if len(point.label) <= 20 else point.label[:19] + "…"
        bars.append((
            f"{label_width - 8}", f"{y + row * 0.62:.1f}", label,
            "chart-bar muted" if point.muted else "chart-bar",
            f"{label_width}", f"{y + 3:.1f}", f"{length:.1f}", f"{row - 8}",
            point.note or f"{point.label}: {point.value:.2f}",
            f"{label_width + length + 6:.1f}", f"{y + row * 0.62:.1f}",
            point.note or f"{point.value:,.2f}",
        ))
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-t {}-d" '
        'preserveAspectRatio="xMidYMid meet"><title id="{}-t">{}</title><desc id="{}-d">{}</desc>'
        '{}</svg>',
        BAR_WIDTH, height, chart_id, chart_id, chart_id, title, chart_id, description,
        format_html_join(
            "", '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>'
                '<rect class="{}" x="{}" y="{}" width="{}" height="{}" rx="2"><title>{}</title>'
                '</rect><text class="chart-value" x="{}" y="{}">{}</text>', bars),
    )
