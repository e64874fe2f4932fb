"""Charts as inline SVG made on the server (WeasyPrint runs no JavaScript). Every label is escaped.

The results page and the PDF draw a result with the same charts: `result_charts`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils.translation import gettext

from scoring.results import Axis, PeerRow, ResultsView
from scoring.templatetags.figures import figure

FONT = "'Noto Sans', 'Noto Sans CJK SC', sans-serif"
INK, MUTED, ACCENT, PEER = "#1f2937", "#9ca3af", "#0f766e", "#f59e0b"


def _svg(width: int, height: int, body: str, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title, {chr(34): "&quot;"})}" font-family="{FONT}">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def _lines(label: str, width: int = 12) -> list[str]:
    """A label broken into lines of at most `width` Latin characters (at spaces), or half as many Chinese ones
    (a Chinese character is about twice as wide)."""
    if " " not in label:
        longest = width // 2 if any(ord(c) > 0x2E80 for c in label) else width
        step = math.ceil(len(label) / math.ceil(len(label) / longest)) if label else 1  # balanced: no lone end
        return [label[i : i + step] for i in range(0, len(label), step)] or [""]
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def radar(axes: Sequence[Axis], title: str, size: int = 200) -> str:
    """A radar of shares 0–1 per axis; where the axes have an earlier share, that is drawn underneath."""
    width, height = size + 140, size + 40  # room for the labels beside and above
    cx, cy, radius = width / 2, height / 2, size / 2 - 20
    count = max(len(axes), 3)

    def point(index: int, share: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / count
        return cx + radius * share * math.cos(angle), cy + radius * share * math.sin(angle)

    parts = []
    for ring in (0.25, 0.5, 0.75, 1.0):
        ring_points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, ring) for i in range(count)))
        parts.append(f'<polygon points="{ring_points}" fill="none" stroke="{MUTED}" stroke-width="0.5"/>')
    for index, axis in enumerate(axes):
        label = axis.name
        x, y = point(index, 1.0)
        lx, ly = point(index, 1.12)
        anchor = "middle" if abs(lx - cx) < 5 else ("start" if lx > cx else "end")
        lines = _lines(label)  # 12 Latin characters fit the 70 px beside the rings
        if abs(lx - cx) < 5:  # above or below the centre: grow away from it
            top = ly - 12 * (len(lines) - 1) if ly < cy else ly + 4
        else:  # beside it: centred on the axis end, nudged away from the horizontal middle
            top = ly - 6 * (len(lines) - 1) + (4 if ly > cy + 5 else -4 if ly < cy - 5 else 0)
        spans = "".join(
            f'<tspan x="{lx:.1f}" y="{top + 12 * n:.1f}">{escape(line)}</tspan>' for n, line in enumerate(lines)
        )
        parts.append(f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="{MUTED}" stroke-width="0.5"/>')
        parts.append(
            f'<text font-size="10" fill="{INK}" text-anchor="{anchor}" dominant-baseline="middle">{spans}</text>'
        )
    before = [float(a.before or 0) for a in axes] if any(a.before is not None for a in axes) else None
    for shares, colour, opacity in ((before, MUTED, 0.25), ([float(a.share) for a in axes], ACCENT, 0.35)):
        if shares:
            outline = " ".join(
                f"{x:.1f},{y:.1f}" for x, y in (point(i, max(0.0, min(1.0, s))) for i, s in enumerate(shares))
            )
            parts.append(
                f'<polygon points="{outline}" fill="{colour}" fill-opacity="{opacity}" '
                f'stroke="{colour}" stroke-width="1.5"/>'
            )
    return _svg(width, height, "".join(parts), title)


def peer_bar(
    value: Decimal, quartiles: tuple[Decimal, Decimal, Decimal], maximum: Decimal, title: str, you: str
) -> str:
    """The peer group's quartile box on a 0–maximum scale, with the organisation's score marked."""
    width, height, left, right = 420, 46, 10, 10
    span = width - left - right

    def x(score: Decimal) -> float:
        return left + span * float(min(max(score, Decimal(0)), maximum) / maximum) if maximum else left

    q1, median, q3 = quartiles
    body = (
        f'<line x1="{left}" y1="22" x2="{width - right}" y2="22" stroke="{MUTED}" stroke-width="1"/>'
        f'<rect x="{x(q1):.1f}" y="14" width="{max(x(q3) - x(q1), 1):.1f}" height="16" '
        f'fill="{PEER}" fill-opacity="0.35"/>'
        f'<line x1="{x(median):.1f}" y1="12" x2="{x(median):.1f}" y2="32" stroke="{PEER}" stroke-width="2"/>'
        f'<circle cx="{x(value):.1f}" cy="22" r="5" fill="{ACCENT}"/>'
        f'<text x="{x(value):.1f}" y="44" font-size="9" fill="{INK}" text-anchor="middle">{escape(you)}</text>'
    )
    return _svg(width, height, body, title)


def progress_bars(
    bars: list[tuple[str, Decimal, str]], maximum: Decimal, title: str, thresholds: Sequence[Decimal] = ()
) -> str:
    """Totals of successive assessments as bars on a 0–maximum scale: (date, total, level name) each.

    A total is shown so that it reads on the right side of `thresholds` (the level rules' minimums).
    """
    step, top, base = 84, 22, 128
    width = max(step * len(bars) + 20, 200)
    parts = [f'<line x1="10" y1="{base}" x2="{width - 10}" y2="{base}" stroke="{MUTED}" stroke-width="1"/>']
    for index, (label, total, level) in enumerate(bars):
        share = float(min(max(total, Decimal(0)), maximum) / maximum) if maximum else 0.0
        height = (base - top) * share
        x = 10 + step * index + (step - 36) / 2
        centre = x + 18
        shown = figure(total, thresholds)
        parts.append(
            f'<rect x="{x:.1f}" y="{base - height:.1f}" width="36" height="{height:.1f}" '
            f'fill="{ACCENT if index == len(bars) - 1 else MUTED}"/>'
            f'<text x="{centre:.1f}" y="{base - height - 5:.1f}" font-size="10" fill="{INK}" '
            f'text-anchor="middle">{escape(shown)}</text>'
            f'<text x="{centre:.1f}" y="{base + 14}" font-size="9" fill="{INK}" '
            f'text-anchor="middle">{escape(label)}</text>'
            f'<text x="{centre:.1f}" y="{base + 27}" font-size="9" fill="{INK}" '
            f'text-anchor="middle">{escape(level)}</text>'
        )
    return _svg(width, base + 34, "".join(parts), title)


def peer_chart(row: PeerRow) -> str:
    """One metric's peer quartiles with the organisation's score marked; empty when the comparison is withheld."""
    if row.quartiles is None:
        return ""
    title = gettext("%(name)s: your score against the middle half of your peers") % {"name": row.name}
    return peer_bar(row.score, row.quartiles, row.max, title, gettext("You"))


@dataclass(frozen=True)
class ResultCharts:
    radar: str
    indicator_radar: str  # empty where the indicators would tell no more than the dimensions
    peers: tuple[tuple[PeerRow, str], ...]  # each peer row with its chart


def result_charts(view: ResultsView) -> ResultCharts:
    """The charts of a result, in the active language: the same on the results page and in the PDF."""
    return ResultCharts(
        radar=radar(view.radar, gettext("Dimension scores as a share of their maximum")),
        indicator_radar=radar(view.indicator_radar, gettext("Indicator scores"), size=320)
        if view.indicator_radar
        else "",
        peers=tuple((row, peer_chart(row)) for row in view.peers.rows),
    )
