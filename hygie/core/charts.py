"""Small server-side SVG charts for the dashboard (bars or lines over a few dozen labels).

Server-side so the page needs no script and prints as it shows. Accessible by construction:
the ``<svg>`` is an image named by its ``<title>`` and ``<desc>`` (a sentence with the totals),
every bar or point carries its own ``<title>`` (the tooltip), a visually hidden table repeats
every value for screen readers, and series differ by pattern (solid, hatched, dotted) or line
style and marker shape, plus a legend in words, so colour is never the only cue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.utils.formats import number_format
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from hygie.core.registries import Series

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

WIDTH = 360
HEIGHT = 150
LEFT = 30  # room for the y-axis figures
TOP = 22  # room for the legend
BOTTOM = 18  # room for the x-axis labels
RIGHT = 6
# One look per series: (colour, pattern kind, line dash, marker shape).
STYLES = (
    ("#0b5d6b", "solid", "", "circle"),
    ("#a4231b", "hatch", "6 3", "square"),
    ("#7a4d00", "dots", "2 3", "diamond"),
)


def _pattern(chart_id: str, index: int) -> str:
    colour, kind, _dash, _marker = STYLES[index % len(STYLES)]
    pid = f"{chart_id}-p{index}"
    if kind == "solid":
        body = f'<rect width="6" height="6" fill="{colour}"/>'
    elif kind == "hatch":
        body = (
            f'<rect width="6" height="6" fill="#fff"/>'
            f'<path d="M0,6 L6,0 M-1,1 L1,-1 M5,7 L7,5" stroke="{colour}" stroke-width="2"/>'
        )
    else:
        body = (
            f'<rect width="6" height="6" fill="#fff"/>'
            f'<circle cx="3" cy="3" r="1.6" fill="{colour}"/>'
        )
    return (
        f'<pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse">{body}</pattern>'
    )


def _marker(index: int, x: float, y: float, tooltip: str) -> str:
    colour, _kind, _dash, shape = STYLES[index % len(STYLES)]
    title = f"<title>{escape(tooltip)}</title>"
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}">{title}</circle>'
    if shape == "square":
        return (
            f'<rect x="{x - 2.5:.1f}" y="{y - 2.5:.1f}" width="5" height="5" '
            f'fill="{colour}">{title}</rect>'
        )
    return (
        f'<path d="M{x:.1f},{y - 3.5:.1f} L{x + 3.5:.1f},{y:.1f} L{x:.1f},{y + 3.5:.1f} '
        f'L{x - 3.5:.1f},{y:.1f} Z" fill="{colour}">{title}</path>'
    )


def describe(series: Series) -> str:
    """The sentence read out for the chart: what it shows, then each series' total and peak."""
    sentences = [str(series.description)]
    for name, values in series.values.items():
        total = sum(values)
        if total and series.labels:
            peak = max(range(len(values)), key=lambda i: values[i])
            sentences.append(
                _("%(name)s: %(total)s in total, at most %(peak)s (%(label)s).")
                % {
                    "name": name,
                    "total": number_format(total),
                    "peak": number_format(values[peak]),
                    "label": series.labels[peak],
                }
            )
        else:
            sentences.append(_("%(name)s: none.") % {"name": name})
    return " ".join(sentences)


# Estimated width of a character of a 10 px axis label (a little over the average, so that a
# label that "fits" does fit).
CHAR_WIDTH = 5.8


def _axis_label(label: str, x: float, lo: float, hi: float, anchor: str, y: float) -> str:
    """One axis label kept inside [lo, hi] (its share of the width, so neighbours never
    overlap): its usual anchor when it fits, else the anchor with the most room, else cut with
    "…" (the full label in its tooltip; the data table has it too)."""
    rooms = {"start": hi - x, "end": x - lo, "middle": 2 * min(x - lo, hi - x)}
    if len(label) * CHAR_WIDTH > rooms[anchor]:
        anchor = max(rooms, key=lambda name: rooms[name])
    limit = max(4, int(rooms[anchor] / CHAR_WIDTH))
    text = escape(label)
    title = ""
    if len(label) > limit:
        text = escape(label[: limit - 1].rstrip() + "…")
        title = f"<title>{escape(label)}</title>"
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="10" '
        f'text-anchor="{anchor}" fill="#4a5a63">{title}{text}</text>'
    )


def _axis_labels(labels: Sequence[str], x_of: list[float], baseline: float) -> str:
    if not labels:
        return ""
    picks = sorted({0, len(labels) // 2, len(labels) - 1})
    anchors = {0: "start", len(labels) - 1: "end"}
    parts = []
    for k, i in enumerate(picks):
        lo = 0.0 if k == 0 else (x_of[picks[k - 1]] + x_of[i]) / 2
        hi = float(WIDTH) if k == len(picks) - 1 else (x_of[i] + x_of[picks[k + 1]]) / 2
        parts.append(
            _axis_label(labels[i], x_of[i], lo, hi, anchors.get(i, "middle"), baseline + 13)
        )
    return "".join(parts)


def render_chart(series: Series, chart_id: str) -> SafeString:
    """The chart as an accessible ``<figure>``: SVG image plus a visually hidden data table."""
    names = list(series.values)
    count = len(series.labels)
    top = max((max(values, default=0) for values in series.values.values()), default=0)
    scale_max = max(top, 1)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_h
    slot = plot_w / max(count, 1)

    def y_of(value: int) -> float:
        return baseline - plot_h * value / scale_max

    marks: list[str] = []
    if series.kind == "lines":
        x_of = [LEFT + slot * (i + 0.5) for i in range(count)]
        for index, name in enumerate(names):
            colour, _kind, dash, _shape = STYLES[index % len(STYLES)]
            values = series.values[name]
            points = " ".join(f"{x_of[i]:.1f},{y_of(v):.1f}" for i, v in enumerate(values))
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            marks.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" '
                f'stroke-width="2"{dash_attr}/>'
            )
            marks.extend(
                _marker(index, x_of[i], y_of(v), f"{name}, {series.labels[i]}: {v}")
                for i, v in enumerate(values)
                if v
            )
    else:
        x_of = [LEFT + slot * (i + 0.5) for i in range(count)]
        bar_w = max(slot * 0.8 / max(len(names), 1), 1.0)
        for index, name in enumerate(names):
            for i, value in enumerate(series.values[name]):
                if not value:
                    continue
                x = LEFT + slot * i + slot * 0.1 + bar_w * index
                y = y_of(value)
                tooltip = escape(f"{name}, {series.labels[i]}: {value}")
                marks.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                    f'height="{baseline - y:.1f}" fill="url(#{chart_id}-p{index})" '
                    f'stroke="{STYLES[index % len(STYLES)][0]}" stroke-width="0.6">'
                    f"<title>{tooltip}</title></rect>"
                )
    legend = []
    offset = LEFT
    for index, name in enumerate(names):
        colour, _kind, dash, _shape = STYLES[index % len(STYLES)]
        if series.kind == "lines":
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            swatch = (
                f'<line x1="{offset}" y1="9" x2="{offset + 16}" y2="9" stroke="{colour}" '
                f'stroke-width="2"{dash_attr}/>'
            ) + _marker(index, offset + 8, 9, str(name))
        else:
            swatch = (
                f'<rect x="{offset}" y="3" width="12" height="12" '
                f'fill="url(#{chart_id}-p{index})" stroke="{colour}"/>'
            )
        legend.append(
            f'{swatch}<text x="{offset + 20}" y="13" font-size="11" fill="#17262e">'
            f"{escape(name)}</text>"
        )
        offset += 28 + 7 * len(str(name))
    # An empty chart labels its axis once ("0"), not "0" at the top and "0" at the bottom.
    top_label = (
        f'<text x="{LEFT - 4}" y="{TOP + 4}" font-size="10" text-anchor="end" '
        f'fill="#4a5a63">{number_format(top)}</text>'
        if top
        else ""
    )
    grid = (
        f'<line x1="{LEFT}" y1="{baseline}" x2="{WIDTH - RIGHT}" y2="{baseline}" '
        f'stroke="#7d8f98"/>'
        f'<line x1="{LEFT}" y1="{TOP}" x2="{WIDTH - RIGHT}" y2="{TOP}" stroke="#c9d4d9" '
        f'stroke-dasharray="2 2"/>'
        f"{top_label}"
        f'<text x="{LEFT - 4}" y="{baseline}" font-size="10" text-anchor="end" '
        f'fill="#4a5a63">0</text>'
    )
    defs = "".join(_pattern(chart_id, index) for index in range(len(names)))
    svg = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(series.title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(describe(series))}</desc>'
        f"<defs>{defs}</defs>{grid}{''.join(marks)}{''.join(legend)}"
        f"{_axis_labels(series.labels, x_of, baseline)}</svg>"
    )
    header = format_html_join("", '<th scope="col">{}</th>', ((name,) for name in names))
    rows = format_html_join(
        "",
        '<tr><th scope="row">{}</th>{}</tr>',
        (
            (
                label,
                format_html_join("", "<td>{}</td>", ((series.values[name][i],) for name in names)),
            )
            for i, label in enumerate(series.labels)
        ),
    )
    table = format_html(
        # Wrapped: a table ignores a 1-pixel width and would widen the page.
        '<div class="visually-hidden"><table><caption>{}</caption><thead><tr>'
        '<th scope="col">{}</th>{}</tr></thead><tbody>{}</tbody></table></div>',
        series.title,
        _("Period"),
        header,
        rows,
    )
    # The SVG is built from numbers and escaped text only, hence mark_safe.
    return format_html(
        '<figure class="chart-figure"><figcaption class="chart-caption">{}</figcaption>{}{}'
        "</figure>",
        series.title,
        mark_safe(svg),  # noqa: S308
        table,
    )


# --- a grid chart (a risk map: severity × likelihood) ---------------------------------------------

GRID_CELL = 64
GRID_LEFT = 92  # room for the row labels
GRID_TOP = 8
# Zone fills, from calm to urgent; every cell also carries its zone in words (tooltip, table).
ZONE_FILLS = {"ok": "#e3f1e6", "warning": "#fbefd5", "critical": "#f6dcda", "neutral": "#f2f5f6"}


@dataclass(frozen=True)
class GridPoint:
    """A mark on a grid chart: ``column`` and ``row`` count from 0 (bottom row first)."""

    column: int
    row: int
    short: str  # one or two characters drawn in the mark ("A", "M", "D")
    label: str  # what the mark stands for, in words (tooltip and table)
    filled: bool = True  # filled: a current value; hollow: a previous one


def render_grid(
    title: StrOrPromise,
    description: StrOrPromise,
    columns: Sequence[str],
    rows: Sequence[str],
    zones: Sequence[Sequence[str]],
    points: Sequence[GridPoint],
    chart_id: str,
    *,
    column_axis: StrOrPromise = "",
    row_axis: StrOrPromise = "",
    zone_labels: dict[str, StrOrPromise] | None = None,
    mark_header: StrOrPromise = "",
    zone_header: StrOrPromise = "",
) -> SafeString:
    """A grid of cells (``zones[row][column]``: a tile status) with marks placed on it, as an
    accessible ``<figure>``: the SVG is named by its title and description, every mark has a
    tooltip, and a visually hidden table lists every mark with its row and column in words."""
    width = GRID_LEFT + GRID_CELL * len(columns) + 8
    height = GRID_TOP + GRID_CELL * len(rows) + 40
    labels = zone_labels or {}
    cells: list[str] = []
    for r in range(len(rows)):
        y = GRID_TOP + GRID_CELL * (len(rows) - 1 - r)
        cells.append(
            f'<text x="{GRID_LEFT - 6}" y="{y + GRID_CELL / 2 + 4:.0f}" font-size="10" '
            f'text-anchor="end" fill="#17262e">{escape(rows[r])}</text>'
        )
        for c in range(len(columns)):
            status = zones[r][c] if r < len(zones) and c < len(zones[r]) else "neutral"
            x = GRID_LEFT + GRID_CELL * c
            cells.append(
                f'<rect x="{x}" y="{y}" width="{GRID_CELL}" height="{GRID_CELL}" '
                f'fill="{ZONE_FILLS.get(status, ZONE_FILLS["neutral"])}" stroke="#7d8f98">'
                f"<title>{escape(f'{rows[r]} / {columns[c]}: {labels.get(status, status)}')}"
                f"</title></rect>"
            )
    for c, name in enumerate(columns):
        cells.append(
            f'<text x="{GRID_LEFT + GRID_CELL * c + GRID_CELL / 2:.0f}" '
            f'y="{GRID_TOP + GRID_CELL * len(rows) + 13}" font-size="10" text-anchor="middle" '
            f'fill="#17262e">{escape(name)}</text>'
        )
    if column_axis:
        cells.append(
            f'<text x="{GRID_LEFT + GRID_CELL * len(columns) / 2:.0f}" y="{height - 6}" '
            f'font-size="11" font-weight="bold" text-anchor="middle" fill="#17262e">'
            f"{escape(column_axis)}</text>"
        )
    if row_axis:
        cells.append(
            f'<text x="4" y="{GRID_TOP + 10}" font-size="11" font-weight="bold" '
            f'fill="#17262e">{escape(row_axis)}</text>'
        )
    # Marks sharing a cell are spread along its width so none hides another.
    by_cell: dict[tuple[int, int], list[GridPoint]] = {}
    for point in points:
        by_cell.setdefault((point.column, point.row), []).append(point)
    marks: list[str] = []
    for (c, r), group in by_cell.items():
        for index, point in enumerate(group):
            # Up to three marks a line, as many lines as needed, centred in the cell.
            per_line = min(len(group), 3)
            lines = (len(group) + 2) // 3
            mx = GRID_LEFT + GRID_CELL * c + GRID_CELL / 2 + 19 * (index % 3 - (per_line - 1) / 2)
            my = (
                GRID_TOP
                + GRID_CELL * (len(rows) - 1 - r)
                + GRID_CELL / 2
                + 19 * (index // 3 - (lines - 1) / 2)
            )
            fill, text_fill = ("#0b5d6b", "#fff") if point.filled else ("#fff", "#0b5d6b")
            dash = "" if point.filled else ' stroke-dasharray="3 2"'
            marks.append(
                f"<g><title>{escape(point.label)}</title>"
                f'<circle cx="{mx:.1f}" cy="{my:.1f}" r="8" fill="{fill}" stroke="#0b5d6b" '
                f'stroke-width="1.5"{dash}/>'
                f'<text x="{mx:.1f}" y="{my + 3.5:.1f}" font-size="9" text-anchor="middle" '
                f'fill="{text_fill}">{escape(point.short)}</text></g>'
            )
    svg = (
        # Drawn at its own size (not stretched like the dashboard's charts: its labels must
        # stay legible) and scaled down only by the printing engine.
        f'<svg class="chart-matrix" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
        f"{''.join(cells)}{''.join(marks)}</svg>"
    )
    body = format_html_join(
        "",
        '<tr><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>',
        (
            (
                point.label,
                rows[point.row] if 0 <= point.row < len(rows) else "",
                columns[point.column] if 0 <= point.column < len(columns) else "",
                labels.get(zones[point.row][point.column], "")
                if 0 <= point.row < len(zones) and 0 <= point.column < len(zones[point.row])
                else "",
            )
            for point in points
        ),
    )
    table = format_html(
        '<div class="visually-hidden"><table><caption>{}</caption><thead><tr>'
        '<th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th>'
        '<th scope="col">{}</th></tr></thead><tbody>{}</tbody></table></div>',
        title,
        mark_header,
        row_axis,
        column_axis,
        zone_header,
        body,
    )
    return format_html(
        '<figure class="chart-figure"><figcaption class="chart-caption">{}</figcaption>{}{}'
        "</figure>",
        title,
        mark_safe(svg),  # noqa: S308  (built from numbers and escaped text only)
        table,
    )


# --- time bars: clocks running from a start to a deadline (the incident's regulatory clocks) ---

BAR_LEFT = 190  # room for the lane labels
BAR_WIDTH = 720
BAR_LANE = 28
BAR_TOP = 10
BAR_BOTTOM = 34  # room for the time axis
# A lane's state shows by its fill pattern and a symbol as well as its colour.
BAR_STATES = {
    "ok": ("#1b6334", "solid", "✓"),
    "pending": ("#0b5d6b", "solid", ""),
    "soon": ("#7a4d00", "dots", "!"),
    "late": ("#a4231b", "hatch", "!"),
}


@dataclass(frozen=True)
class TimeBar:
    """One lane: a clock from ``start`` to ``end`` (``None``: no fixed deadline), in ``state``
    (a key of ``BAR_STATES``), with an optional mark (``mark``: when it was done)."""

    label: str
    start: datetime
    end: datetime | None
    state: str
    summary: str  # the lane in words: due when, done when, time left (tooltip and table)
    mark: datetime | None = None


def render_time_bars(
    title: StrOrPromise,
    description: StrOrPromise,
    bars: Sequence[TimeBar],
    now: datetime,
    chart_id: str,
    *,
    moment: Callable[[datetime], str],
    now_label: StrOrPromise,
    lane_header: StrOrPromise,
    summary_header: StrOrPromise,
    until: datetime | None = None,
) -> SafeString:
    """Lanes on a shared time axis, with a "now" line, as an accessible ``<figure>``: the SVG is
    named by its title and description, every lane has a tooltip, and a visually hidden table
    gives every lane in words (``moment`` formats a moment for the axis, in the reader's zone).
    ``until`` ends the axis early (a month-long clock would crush the 24-hour ones): a lane
    running past it ends in an arrow, its deadline stays in its words."""
    if not bars:
        return mark_safe("")  # noqa: S308
    moments = [now] + [b.start for b in bars] + [m for b in bars for m in (b.end, b.mark) if m]
    first, last = min(moments), max(moments)
    if until is not None and first < until < last:
        last = until
    span = max((last - first).total_seconds(), 60.0)
    first -= timedelta(seconds=span * 0.02)
    span *= 1.06
    plot = BAR_WIDTH - BAR_LEFT - 12
    height = BAR_TOP + BAR_LANE * len(bars) + BAR_BOTTOM

    def x_of(moment_: datetime) -> float:
        return BAR_LEFT + plot * (moment_ - first).total_seconds() / span

    defs = "".join(
        _state_pattern(chart_id, state, colour, kind)
        for state, (colour, kind, _symbol) in BAR_STATES.items()
    )
    parts: list[str] = []
    for index, bar in enumerate(bars):
        y = BAR_TOP + BAR_LANE * index
        colour, _kind, symbol = BAR_STATES.get(bar.state, BAR_STATES["pending"])
        short = bar.label if len(bar.label) <= 30 else bar.label[:29] + "…"
        parts.append(
            f'<text x="{BAR_LEFT - 8}" y="{y + BAR_LANE / 2 + 4:.0f}" font-size="11" '
            f'text-anchor="end" fill="#17262e">{escape(short)}</text>'
        )
        start = x_of(bar.start)
        end = x_of(min(bar.end, last)) if bar.end else x_of(max(now, bar.mark or now))
        clipped = bar.end is not None and bar.end > last
        dash = "" if bar.end else ' stroke-dasharray="4 3"'  # no fixed deadline: open-ended
        parts.append(
            f"<g><title>{escape(f'{bar.label}: {bar.summary}')}</title>"
            f'<rect x="{start:.1f}" y="{y + 6}" width="{max(end - start, 3):.1f}" '
            f'height="{BAR_LANE - 12}" rx="3" fill="url(#{chart_id}-{bar.state})" '
            f'stroke="{colour}" stroke-width="1.5"{dash}/>'
        )
        if bar.mark:
            mx = x_of(bar.mark)
            parts.append(
                f'<circle cx="{mx:.1f}" cy="{y + BAR_LANE / 2:.1f}" r="7" fill="#fff" '
                f'stroke="{colour}" stroke-width="1.5"/>'
            )
        if clipped:  # runs on past the axis: an arrow, not an end
            parts.append(
                f'<path d="M{end - 2:.1f},{y + 4} L{end + 7:.1f},{y + BAR_LANE / 2:.1f} '
                f'L{end - 2:.1f},{y + BAR_LANE - 4}" fill="none" stroke="{colour}" '
                f'stroke-width="2"/>'
            )
        if symbol and not (clipped and not bar.mark):
            sx = x_of(bar.mark) if bar.mark else end
            parts.append(
                f'<text x="{sx:.1f}" y="{y + BAR_LANE / 2 + 4:.1f}" font-size="11" '
                f'font-weight="bold" text-anchor="middle" fill="{colour}">{symbol}</text>'
            )
        parts.append("</g>")
    baseline = BAR_TOP + BAR_LANE * len(bars)
    parts.append(
        f'<line x1="{BAR_LEFT}" y1="{baseline}" x2="{BAR_WIDTH - 8}" y2="{baseline}" '
        f'stroke="#7d8f98"/>'
    )
    ticks = [(first + timedelta(seconds=span * f), anchor) for f, anchor in _TICKS]
    for tick, anchor in ticks:
        parts.append(
            f'<text x="{x_of(tick):.1f}" y="{baseline + 14}" font-size="10" '
            f'text-anchor="{anchor}" fill="#4a5a63">{escape(moment(tick))}</text>'
        )
    now_x = x_of(now)
    parts.append(
        f'<line x1="{now_x:.1f}" y1="{BAR_TOP - 4}" x2="{now_x:.1f}" y2="{baseline + 18}" '
        f'stroke="#b34700" stroke-width="2" stroke-dasharray="5 3"/>'
        f'<text x="{now_x:.1f}" y="{height - 3}" font-size="10" font-weight="bold" '
        f'text-anchor="middle" fill="#b34700">{escape(now_label)}</text>'
    )
    svg = (
        f'<svg class="chart chart-time-bars" viewBox="0 0 {BAR_WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
        f"<defs>{defs}</defs>{''.join(parts)}</svg>"
    )
    table = format_html(
        '<div class="visually-hidden"><table><caption>{}</caption><thead><tr>'
        '<th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>'
        "</div>",
        title,
        lane_header,
        summary_header,
        format_html_join(
            "", '<tr><th scope="row">{}</th><td>{}</td></tr>', ((b.label, b.summary) for b in bars)
        ),
    )
    return format_html(
        '<figure class="chart-figure chart-figure--wide"><figcaption class="chart-caption">{}'
        "</figcaption>{}{}</figure>",
        title,
        mark_safe(svg),  # noqa: S308  (built from numbers and escaped text only)
        table,
    )


_TICKS = ((0.02, "start"), (0.5, "middle"), (0.98, "end"))


def _state_pattern(chart_id: str, state: str, colour: str, kind: str) -> str:
    pid = f"{chart_id}-{state}"
    if kind == "solid":
        body = f'<rect width="6" height="6" fill="{colour}" fill-opacity="0.35"/>'
    elif kind == "hatch":
        body = (
            f'<rect width="6" height="6" fill="#fff"/>'
            f'<path d="M0,6 L6,0 M-1,1 L1,-1 M5,7 L7,5" stroke="{colour}" stroke-width="2"/>'
        )
    else:
        body = (
            f'<rect width="6" height="6" fill="#fff"/>'
            f'<circle cx="3" cy="3" r="1.4" fill="{colour}"/>'
        )
    return (
        f'<pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse">{body}</pattern>'
    )
