"""charts.render_time_bars: clocks on one time axis, accessible (named image, words for every
lane, state by pattern and symbol as well as colour), with long clocks cut at ``until``."""

from datetime import UTC, datetime, timedelta

from hygie.core.charts import TimeBar, render_time_bars

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


def _render(bars, **extra):
    return str(
        render_time_bars(
            "Regulatory clocks",
            "Three clocks, one late.",
            bars,
            NOW,
            "clocks-1",
            moment=lambda value: value.strftime("%d/%m %H:%M"),
            now_label="now",
            lane_header="Obligation",
            summary_header="Clock",
            **extra,
        )
    )


def test_lanes_are_drawn_and_said_in_words():
    start = NOW - timedelta(hours=30)
    html = _render(
        [
            TimeBar("Early warning", start, start + timedelta(hours=24), "late", "overdue by 6 h"),
            TimeBar("CNIL <72 h>", start, start + timedelta(hours=72), "pending", "42 h left"),
            TimeBar("CERT Santé", start, None, "ok", "done", mark=start + timedelta(hours=2)),
        ]
    )
    assert 'role="img"' in html and 'aria-labelledby="clocks-1-title clocks-1-desc"' in html
    assert '<title id="clocks-1-title">Regulatory clocks</title>' in html
    assert "CNIL &lt;72 h&gt;" in html and "<72 h>" not in html  # escaped
    assert 'fill="url(#clocks-1-late)"' in html and ">!</text>" in html  # late: hatch and "!"
    assert ">✓</text>" in html  # done: a check mark
    assert 'stroke-dasharray="4 3"' in html  # no fixed deadline: an open-ended bar
    assert '<tr><th scope="row">Early warning</th><td>overdue by 6 h</td></tr>' in html
    assert ">now</text>" in html


def test_a_long_clock_runs_past_a_shorter_axis():
    start = NOW - timedelta(hours=2)
    bars = [
        TimeBar("24 h", start, start + timedelta(hours=24), "pending", "22 h left"),
        TimeBar("1 month", start, start + timedelta(days=30), "pending", "29 days left"),
    ]
    assert 'fill="none"' not in _render(bars)
    cut = _render(bars, until=start + timedelta(hours=26))
    assert 'fill="none"' in cut  # the month-long clock ends in an arrow
    assert "29 days left" in cut  # and keeps its words


def test_nothing_to_draw():
    assert _render([]) == ""
