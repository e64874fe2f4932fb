"""Charts as inline SVG made on the server (WeasyPrint runs no JavaScript). Every label is escaped.

The results page and the PDF draw a result with the same charts: `result_charts`. Labels are measured with
the fonts' own advance widths (`text_width`), wrapped only between words, and every chart's viewBox is
grown to hold its labels, so nothing is clipped; a Chinese label stays on one line.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from xml.sax.saxutils import escape

from django.utils.dateformat import format as date_format
from django.utils.timezone import is_aware, localtime
from django.utils.translation import get_language, gettext

from scoring.results import Axis, PeerRow, ResultsView
from scoring.templatetags.figures import figure

# Unquoted: WeasyPrint's SVG reader keeps the quotes of a quoted family name and then finds no such font
# (Chinese text fell back to Noto Sans CJK JP). The same families, in the same order, as reports/assets/report.css.
FONT = "Noto Sans, Noto Sans CJK SC, sans-serif"
LATIN_FONT = "Noto Sans"
INK, MUTED, ACCENT, PEER = "#1f2937", "#9ca3af", "#0f766e", "#f59e0b"
LINE = 1.2  # line height, in font sizes
ASCENT = 0.9  # from a line's top to its baseline, in font sizes (Noto Sans CJK's ascender is 0.88 em)


@lru_cache(maxsize=1)
def _latin_advances() -> tuple[dict[int, float], float]:
    """Advance widths of the Latin font in ems, by code point; and a fallback for characters it lacks."""
    try:
        from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

        fc_match = shutil.which("fc-match")  # fontconfig's own answer: the file Pango will draw with
        if fc_match is None:
            raise OSError("fc-match not found")
        command = [fc_match, "-f", "%{file}", LATIN_FONT]
        path = subprocess.run(command, capture_output=True, text=True, check=True, timeout=10).stdout  # noqa: S603
        font = TTFont(path, lazy=True)
        em = font["head"].unitsPerEm
        metrics = font["hmtx"].metrics
        advances = {code: metrics[glyph][0] / em for code, glyph in font.getBestCmap().items()}
        return advances, 0.6
    except (OSError, subprocess.SubprocessError, KeyError, ImportError):
        return {}, 0.6  # no font to measure: a generous average width keeps labels inside the chart


def text_width(text: str, size: float) -> float:
    """Width in px of `text` at font size `size`: full-width (CJK) characters are 1 em, others measured."""
    advances, fallback = _latin_advances()
    ems = 0.0
    for char in text:
        if unicodedata.east_asian_width(char) in ("W", "F"):
            ems += 1.0
        else:
            ems += advances.get(ord(char), fallback)
    return ems * size


def wrap(label: str, size: float, width: float) -> list[str]:
    """`label` in lines of at most `width` px, broken only at spaces: a word (or an unspaced Chinese label)
    is never split, even when it is wider than `width`."""
    lines: list[str] = []
    for word in label.split():
        if lines and text_width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [""]


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    def union(self, other: Box) -> Box:
        return Box(
            min(self.left, other.left),
            min(self.top, other.top),
            max(self.right, other.right),
            max(self.bottom, other.bottom),
        )


def text_block(
    lines: Sequence[str], x: float, top: float, size: float, anchor: str, fill: str = INK
) -> tuple[str, Box]:
    """Lines of text whose first line's top is at `top`, anchored at `x`; the markup and its bounding box."""
    widest = max(text_width(line, size) for line in lines)
    left = {"start": x, "middle": x - widest / 2, "end": x - widest}[anchor]
    attributes = f'font-size="{size:g}" fill="{fill}" text-anchor="{anchor}"'
    if len(lines) == 1:  # one line: the text itself, no span
        markup = f'<text x="{x:.1f}" y="{top + size * ASCENT:.1f}" {attributes}>{escape(lines[0])}</text>'
    else:
        spans = "".join(
            f'<tspan x="{x:.1f}" y="{top + size * (ASCENT + LINE * n):.1f}">{escape(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        markup = f"<text {attributes}>{spans}</text>"
    return markup, Box(left, top, left + widest, top + size * LINE * len(lines))


def _overlap(one: Box, other: Box) -> bool:
    return one.left < other.right and other.left < one.right and one.top < other.bottom and other.top < one.bottom


def _svg(box: Box, body: str, title: str, margin: float = 4) -> str:
    """The chart, its viewBox the drawing's bounding box plus `margin`: whatever is drawn is inside it."""
    x, y = box.left - margin, box.top - margin
    width, height = math.ceil(box.right - box.left + 2 * margin), math.ceil(box.bottom - box.top + 2 * margin)
    label = escape(title, {'"': "&quot;"})
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{x:.1f} {y:.1f} {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{label}" lang="{get_language() or "en"}" '
        f'font-family="{FONT}"><title>{escape(title)}</title>{body}</svg>'
    )


def legend(entries: Sequence[tuple[str, str, float]], centre: float, top: float, size: float = 9) -> tuple[str, Box]:
    """Swatches (colour, label, opacity) in one row centred on `centre`, or one under another if too wide."""
    swatch, gap = size, 12
    widths = [swatch + 4 + text_width(label, size) for _, label, _ in entries]
    parts = []
    x, y = centre - (sum(widths) + gap * (len(widths) - 1)) / 2, top
    box = Box(x, top, x, top)
    for (colour, label, opacity), width in zip(entries, widths, strict=True):
        parts.append(
            f'<rect x="{x:.1f}" y="{y + 0.15 * size:.1f}" width="{swatch}" height="{swatch}" fill="{colour}" '
            f'fill-opacity="{opacity}" stroke="{colour}" stroke-width="1.5"/>'
        )
        markup, text_box = text_block([label], x + swatch + 4, y, size, "start")
        parts.append(markup)
        box = box.union(text_box).union(Box(x, y, x + swatch, y + swatch))
        x += width + gap
    return "".join(parts), box


def radar(
    axes: Sequence[Axis],
    title: str,
    size: int = 200,
    *,
    label_width: float = 96,
    legend_labels: tuple[str, str] | None = None,
) -> str:
    """A radar of shares 0–1 per axis with its scale (25–100 %); where the axes have an earlier share, that is
    drawn underneath and `legend_labels` (this assessment, the previous one) name the two outlines."""
    font = 10
    radius = size / 2 - 20
    count = max(len(axes), 3)

    def point(index: int, distance: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / count
        return distance * math.cos(angle), distance * math.sin(angle)

    # The rings and the spokes as one path: WeasyPrint spends about as much on an SVG element as on a line of text.
    grid = [
        "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, radius * ring) for i in range(count))) + " Z"
        for ring in (0.25, 0.5, 0.75, 1.0)
    ]
    grid += [f"M0,0 L{x:.1f},{y:.1f}" for x, y in (point(i, radius) for i in range(len(axes)))]
    parts = [f'<path d="{" ".join(grid)}" fill="none" stroke="{MUTED}" stroke-width="0.5"/>']
    box = Box(-radius, -radius, radius, radius)
    placed: list[Box] = []
    for index, axis in enumerate(axes):
        lines = wrap(axis.name, font, label_width)
        lx, ly = point(index, radius + 6)
        height = font * LINE * len(lines)
        # Beside the rings the label starts (or ends) at the spoke's end; above and below it is centred on it.
        anchor = "middle" if abs(lx) < 0.2 * radius else ("start" if lx > 0 else "end")
        top = ly - height if ly < -0.2 * radius else ly if ly > 0.2 * radius else ly - height / 2
        _, label_box = text_block(lines, lx, top, font, anchor)
        # Where it would overlap a label already placed, move it away from the centre (up or down) until free.
        away = -1 if ly < 0 else 1
        while clash := next((other for other in placed if _overlap(label_box, other)), None):
            shift = (clash.bottom - label_box.top if away > 0 else clash.top - label_box.bottom) + away * 1
            top += shift
            _, label_box = text_block(lines, lx, top, font, anchor)
        markup, label_box = text_block(lines, lx, top, font, anchor)
        placed.append(label_box)
        parts.append(markup)
        box = box.union(label_box)
    before = [float(a.before or 0) for a in axes] if any(a.before is not None for a in axes) else None
    for shares, colour, opacity in ((before, MUTED, 0.25), ([float(a.share) for a in axes], ACCENT, 0.35)):
        if shares:
            outline = " ".join(
                f"{x:.1f},{y:.1f}" for x, y in (point(i, radius * max(0.0, min(1.0, s))) for i, s in enumerate(shares))
            )
            parts.append(
                f'<polygon points="{outline}" fill="{colour}" fill-opacity="{opacity}" '
                f'stroke="{colour}" stroke-width="1.5"/>'
            )
    for ring in (0.25, 0.5, 0.75, 1.0):  # the scale, up the first spoke, over the shapes
        parts.append(
            f'<text x="3" y="{-radius * ring + 7:.1f}" font-size="6.5" fill="{INK}" fill-opacity="0.6">'
            f"{ring * 100:.0f}%</text>"
        )
    if before is not None and legend_labels:
        current, previous = legend_labels
        markup, legend_box = legend([(ACCENT, current, 0.35), (MUTED, previous, 0.25)], 0, box.bottom + 10)
        parts.append(markup)
        box = box.union(legend_box)
    return _svg(box, "".join(parts), title)


def peer_bar(
    value: Decimal, quartiles: tuple[Decimal, Decimal, Decimal], maximum: Decimal, title: str, you: str
) -> str:
    """The peer group's quartile box on a 0–maximum scale with ticks, the organisation's score marked."""
    width, font = 300, 9  # drawn at about a table column's width, so its labels read at about 7 pt

    def x(score: Decimal) -> float:
        return width * float(min(max(score, Decimal(0)), maximum) / maximum) if maximum else 0.0

    q1, median, q3 = quartiles
    parts = [
        f'<line x1="0" y1="22" x2="{width}" y2="22" stroke="{MUTED}" stroke-width="1"/>',
        f'<rect x="{x(q1):.1f}" y="14" width="{max(x(q3) - x(q1), 1):.1f}" height="16" fill="{PEER}" '
        'fill-opacity="0.35"/>',
        f'<line x1="{x(median):.1f}" y1="12" x2="{x(median):.1f}" y2="32" stroke="{PEER}" stroke-width="2"/>',
        f'<circle cx="{x(value):.1f}" cy="22" r="5" fill="{ACCENT}"/>',
    ]
    box = Box(-5, 9, width + 5, 32)
    ticks = [maximum * quarter / 4 for quarter in range(5)]
    parts.append(f'<path d="{" ".join(f"M{x(tick):.1f},33 V36" for tick in ticks)}" fill="none" stroke="{MUTED}"/>')
    for tick in ticks:
        markup, tick_box = text_block([figure(tick)], x(tick), 37, font, "middle", fill=MUTED)
        parts.append(markup)
        box = box.union(tick_box)
    # "You" above the dot, kept inside the scale's ends
    you_width = text_width(you, font)
    anchor = "start" if x(value) < you_width / 2 else "end" if x(value) > width - you_width / 2 else "middle"
    markup, you_box = text_block([you], x(value), 0, font, anchor)
    parts.append(markup)
    return _svg(box.union(you_box), "".join(parts), title, margin=2)


def progress_bars(
    bars: list[tuple[str, Decimal, str]], maximum: Decimal, title: str, thresholds: Sequence[Decimal] = ()
) -> str:
    """Totals of successive assessments as bars on a 0–maximum scale: (date, total, level name) each.

    A total is shown so that it reads on the right side of `thresholds` (the level rules' minimums).
    """
    step, top, base, font = 84, 22, 128, 9
    width = max(step * len(bars), 190)
    parts = [f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" stroke="{MUTED}" stroke-width="1"/>']
    box = Box(0, 0, width, base)
    for index, (label, total, level) in enumerate(bars):
        share = float(min(max(total, Decimal(0)), maximum) / maximum) if maximum else 0.0
        height = (base - top) * share
        x = step * index + (step - 36) / 2
        centre = x + 18
        parts.append(
            f'<rect x="{x:.1f}" y="{base - height:.1f}" width="36" height="{height:.1f}" '
            f'fill="{ACCENT if index == len(bars) - 1 else MUTED}"/>'
        )
        for lines, line_top, size in (
            ([figure(total, thresholds)], base - height - 15, 10),
            ([label], base + 4, font),
            (wrap(level, font, step - 6), base + 4 + font * LINE, font),
        ):
            markup, text_box = text_block(lines, centre, line_top, size, "middle")
            parts.append(markup)
            box = box.union(text_box)
    return _svg(box, "".join(parts), title)


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
    labels = None
    if view.previous is not None:
        when = view.previous.date
        day = date_format(localtime(when) if is_aware(when) else when, "Y-m-d")  # as the report's tables show it
        labels = (gettext("This assessment"), gettext("Previous assessment (%(date)s)") % {"date": day})
    return ResultCharts(
        radar=radar(view.radar, gettext("Dimension scores as a share of their maximum"), legend_labels=labels),
        indicator_radar=radar(
            view.indicator_radar, gettext("Indicator scores"), size=300, label_width=92, legend_labels=labels
        )
        if view.indicator_radar
        else "",
        peers=tuple((row, peer_chart(row)) for row in view.peers.rows),
    )
