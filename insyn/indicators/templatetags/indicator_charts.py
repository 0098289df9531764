"""The indicator chart and its table rows, written in Python (the markup line_chart.html and
table.html used to loop over in the template language).

A goal page carries one chart and one table per indicator; as template loops they cost about a
third of the page's render (every point, tick and cell a variable lookup and an include). The
markup is the same: role="img" named by its title and desc, a line pattern, a marker shape and an
end label per series (nothing rests on colour), presentation attributes only (CSP forbids
style=""), numbers already formatted for the language by the selector.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()


def _dash(style: Any) -> str:
    return f' stroke-dasharray="{escape(style.dash)}"' if style.dash else ""


@register.simple_tag
def line_chart(chart: Any, legend: Any = None) -> SafeString:
    """The chart as an SVG <figure> with its legend (or a note when it has no values)."""
    if chart is None or chart.empty:
        note = escape(gettext("Det finns inga värden att visa i ett diagram ännu."))
        return mark_safe(f'<p class="note">{note}</p>')
    cid = escape(chart.id)
    out = [
        '<figure class="ind-chart">\n'
        f'<svg class="ind-chart-svg" viewBox="0 0 {chart.width} {chart.height}" width="100%" '
        f'role="img" aria-labelledby="{cid}-title {cid}-desc">\n'
        f'<title id="{cid}-title">{escape(chart.title)}</title>\n'
        f'<desc id="{cid}-desc">{escape(chart.description)}</desc>\n<defs>'
    ]
    for s in chart.series:
        out.append(
            f'<marker id="{escape(s.marker_id)}" markerUnits="userSpaceOnUse" markerWidth="14" '
            f'markerHeight="14" refX="7" refY="7"><path d="{escape(s.marker)}" '
            f'fill="{escape(s.style.stroke)}" stroke="#fff"/></marker>'
        )
    left = int(chart.left) - 8  # as the template's `add` filter wrote it
    bottom = int(chart.bottom) + 20
    out.append(
        '</defs>\n<g class="ind-axes" font-size="13" fill="#0b0c0c">\n'
        f'<path d="{escape(chart.grid_path)}" fill="none" stroke="#d8d8d8"/>\n<g text-anchor="end">'
    )
    out.extend(
        f'<text x="{left}" y="{escape(y)}" dy="4">{escape(label)}</text>'
        for y, label in chart.y_ticks
    )
    out.append(
        f'</g>\n<path d="{escape(chart.axis_path)}" fill="none" stroke="#505a5f"/>\n'
        '<g text-anchor="middle">'
    )
    out.extend(
        f'<text x="{escape(x)}" y="{bottom}">{escape(label)}</text>' for x, label in chart.x_ticks
    )
    out.append("</g>\n</g>\n")
    for number, s in enumerate(chart.series, 1):
        marker = f"url(#{escape(s.marker_id)})"
        out.append(
            f'<g class="ind-series ind-series-{number}">\n'
            f'<path d="{escape(s.path)}" fill="none" stroke="{escape(s.style.stroke)}" '
            f'stroke-width="{escape(s.style.width)}"{_dash(s.style)} stroke-linejoin="round" '
            f'marker-start="{marker}" marker-mid="{marker}" marker-end="{marker}"/>\n'
        )
        if s.end_label:
            x, y, text = s.end_label
            out.append(
                f'<text x="{escape(x)}" y="{escape(y)}" font-size="13" fill="#0b0c0c">'
                f"{escape(text)}</text>\n"
            )
        out.append("</g>\n")
    out.extend(
        f'<path class="ind-target" d="{escape(t)}" fill="none" stroke="#0f5132" '
        'stroke-width="2.5"/>'
        for t in chart.targets
    )
    out.append("\n</svg>\n")
    if legend:
        key = escape(gettext("Teckenförklaring"))
        out.append(f'<figcaption>\n<p class="visually-hidden">{key}</p>\n<ul class="ind-legend">\n')
        for label, style in legend:
            out.append(
                '<li><svg class="ind-legend-sample" viewBox="0 0 44 16" width="44" height="16" '
                'aria-hidden="true" focusable="false">'
            )
            stroke = escape(style.stroke)
            if style.marker != "cross":
                out.append(
                    f'<line x1="2" x2="42" y1="8" y2="8" stroke="{stroke}" '
                    f'stroke-width="{escape(style.width)}"{_dash(style)}/>'
                    f'<path d="{escape(style.sample_marker)}" fill="{stroke}"/>'
                )
            else:
                out.append(
                    f'<path d="{escape(style.sample_marker)}" fill="none" stroke="{stroke}" '
                    'stroke-width="2.5"/>'
                )
            out.append(
                f'</svg> {escape(label)} <span class="ind-legend-pattern">'
                f"({escape(style.pattern)})</span></li>\n"
            )
        out.append("</ul>\n</figcaption>")
    out.append("\n</figure>")
    return mark_safe("".join(out))


@register.simple_tag
def table_rows(summary: Any) -> SafeString:
    """The <tr>s of an indicator's value table: year, home, women and men, comparisons, target."""
    gender = summary.has_gender
    targets = bool(summary.targets)
    out = []
    for row in summary.rows:
        cells = [f'<tr>\n<th scope="row">{escape(row.year)}</th>\n<td>{escape(row.home)}</td>\n']
        if gender:
            cells.append(f"<td>{escape(row.women)}</td><td>{escape(row.men)}</td>\n")
        cells.extend(f"<td>{escape(value)}</td>" for value in row.comparisons)
        cells.append("\n")
        if targets:
            cells.append(f"<td>{escape(row.target or '–')}</td>\n")
        cells.append("</tr>")
        out.append("".join(cells))
    return mark_safe("".join(out))


@register.simple_tag
def signal_rows(group: Any) -> SafeString:
    """The <tr>s of a resident signal's breakdown table: group, value, basis ("–" when none)."""
    return mark_safe(
        "".join(
            f'<tr><th scope="row">{escape(label)}</th><td>{escape(value)}</td>'
            f"<td>{escape(basis or '–')}</td></tr>"
            for label, value, basis in group.rows
        )
    )
