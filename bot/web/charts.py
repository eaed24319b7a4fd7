"""The desk's charts, drawn on the server as inline SVG: no JavaScript bundle, nothing to load, and
the strict CSP holds (colours come from classes in the stylesheet, not from style attributes).

Every label is escaped; numbers are the only other thing written into the markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

from claims.service.pages import DeskCharts

WIDTH, HEIGHT = 640, 220
LEFT, BOTTOM, TOP = 40, 28, 12
VERDICT_ORDER = ("accurate", "misleading", "disputed", "false", "unverified")


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
    svg: Markup
    summary: str
    """What the chart shows in words (its text alternative)."""


def _frame(title: str, body: list[str], height: int = HEIGHT) -> Markup:
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>", *body, "</svg>"]
    return Markup("".join(parts))  # every text above is escaped


def _axis(top: int, labels: Sequence[str], step: float) -> list[str]:
    """The baseline, the largest value at the top, and a few day labels along the bottom."""
    base = HEIGHT - BOTTOM
    out = [f'<line class="axis" x1="{LEFT}" y1="{base}" x2="{WIDTH}" y2="{base}"/>',
           f'<text class="tick" x="{LEFT - 4}" y="{TOP + 8}" text-anchor="end">{top}</text>',
           f'<text class="tick" x="{LEFT - 4}" y="{base}" text-anchor="end">0</text>']
    every = max(1, len(labels) // 6)
    for i in range(0, len(labels), every):
        x = LEFT + step * i + step / 2
        out.append(f'<text class="tick" x="{x:.1f}" y="{HEIGHT - 8}" text-anchor="middle">'
                   f"{escape(labels[i])}</text>")
    return out


def stacked_bars(title: str, days: Sequence[date], series: Sequence[tuple[str, Sequence[int]]]) -> Markup:
    """One bar per day, its parts stacked in the order given; each part has the CSS class named."""
    totals = [sum(values[i] for _, values in series) for i in range(len(days))]
    top = max(totals, default=0) or 1
    step = (WIDTH - LEFT) / max(1, len(days))
    scale = (HEIGHT - BOTTOM - TOP) / top
    body = _axis(top, [d.strftime("%-d %b") for d in days], step)
    for i, day in enumerate(days):
        y = float(HEIGHT - BOTTOM)
        for css, values in series:
            if values[i] <= 0:
                continue
            h = values[i] * scale
            y -= h
            body.append(f'<rect class="{escape(css)}" x="{LEFT + step * i + 1:.1f}" y="{y:.1f}" '
                        f'width="{max(1.0, step - 2):.1f}" height="{h:.1f}"><title>'
                        f"{escape(day.isoformat())}: {values[i]} {escape(css.removeprefix('v-'))}"
                        "</title></rect>")
    return _frame(title, body)


def share_line(title: str, days: Sequence[date], part: Sequence[int], whole: Sequence[int]) -> Markup:
    """A percentage per day (``part`` of ``whole``) as a line; days with nothing asked are gaps."""
    step = (WIDTH - LEFT) / max(1, len(days))
    span = HEIGHT - BOTTOM - TOP
    body = _axis(100, [d.strftime("%-d %b") for d in days], step)
    run: list[str] = []
    for i, (p, w) in enumerate(zip(part, whole, strict=True)):
        if w == 0:
            if len(run) > 1:
                body.append(f'<polyline class="line" points="{" ".join(run)}"/>')
            run = []
            continue
        x, y = LEFT + step * i + step / 2, HEIGHT - BOTTOM - span * p / w
        run.append(f"{x:.1f},{y:.1f}")
        body.append(f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="3"><title>'
                    f"{escape(days[i].isoformat())}: {round(100 * p / w)}%</title></circle>")
    if len(run) > 1:
        body.append(f'<polyline class="line" points="{" ".join(run)}"/>')
    return _frame(title, body)


def horizontal_bars(title: str, items: Sequence[tuple[str, int]]) -> Markup:
    """One labelled bar per item (claims per topic), longest first."""
    row, label_width = 22, 180
    height = TOP + row * max(1, len(items)) + 8
    top = max((n for _, n in items), default=0) or 1
    room = WIDTH - label_width - 60
    body = []
    for i, (label, n) in enumerate(items):
        y = TOP + row * i
        body.append(f'<text class="label" x="{label_width - 6}" y="{y + 15}" text-anchor="end">'
                    f"{escape(label[:28])}</text>")
        body.append(f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{max(1.0, room * n / top):.1f}" '
                    f'height="{row - 6}"/>')
        body.append(f'<text class="tick" x="{label_width + room * n / top + 6:.1f}" y="{y + 15}">{n}</text>')
    return _frame(title, body, height)


def desk_charts(series: DeskCharts) -> list[Chart]:
    """The four charts of the desk's stats page."""
    asked, unanswered = sum(series.questions), sum(series.unanswered)
    answered = tuple(q - u for q, u in zip(series.questions, series.unanswered, strict=True))
    verdicts = [(f"v-{v}", series.verdicts[v]) for v in (*VERDICT_ORDER, *sorted(series.verdicts))
                if v in series.verdicts]
    verdicts = list(dict(verdicts).items())
    given = sum(sum(v) for _, v in verdicts)
    topics = [(t.label or t.name, t.claims) for t in series.topics[:15]]
    share = f"{round(100 * unanswered / asked)}%" if asked else "no questions"
    return [
        Chart("Questions per day", stacked_bars("Questions per day", series.days,
                                                [("bar", answered), ("bar-unanswered", series.unanswered)]),
              f"{asked} questions in {len(series.days)} days, {unanswered} of them unanswered."),
        Chart("Unanswered share", share_line("Unanswered share per day", series.days, series.unanswered,
                                             series.questions),
              f"Unanswered over the whole window: {share}."),
        Chart("Claims per topic", horizontal_bars("Live claims per topic", topics),
              f"{len(series.topics)} topics with live claims; the {len(topics)} largest shown."),
        Chart("Verdicts over time", stacked_bars("Verdicts given per day", series.days, verdicts),
              f"{given} verdicts given in {len(series.days)} days."),
    ]
