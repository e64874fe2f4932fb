"""The cohort's charts as inline SVG made on the server, for the analytics page and the cohort PDF alike: the
primitives of reports.charts (measured, escaped labels; a viewBox grown to hold them). No script, no style
attribute: presentation attributes only, which the Content-Security-Policy allows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reports.charts import ACCENT, INK, MUTED, PEER, Box, _svg, legend, text_block, text_width
from scoring.templatetags.figures import figure

VERIFIED = "#7c3aed"
FONT = 9


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{figure(value * 100)}%"


def level_bars(levels: Sequence[dict[str, Any]], title: str) -> str:
    """SMEs at each level, self-assessed beside verified."""
    top, base, step = 10.0, 130.0, 72.0
    most = max([1, *(max(lvl["self"], lvl["verified"]) for lvl in levels)])
    parts = [f'<line x1="0" y1="{base}" x2="{step * len(levels)}" y2="{base}" stroke="{MUTED}"/>']
    box = Box(0, 0, step * max(len(levels), 1), base)
    for index, lvl in enumerate(levels):
        for offset, (count, colour) in enumerate(((lvl["self"], ACCENT), (lvl["verified"], VERIFIED))):
            height = (base - top - 14) * count / most
            x = step * index + 12 + offset * 24
            parts.append(
                f'<rect x="{x:.1f}" y="{base - height:.1f}" width="22" height="{height:.1f}" fill="{colour}"/>'
            )
            markup, b = text_block([str(count)], x + 11, base - height - 12, FONT, "middle")
            parts.append(markup)
            box = box.union(b)
        markup, b = text_block([lvl["name"]], step * index + 35, base + 4, FONT, "middle")
        parts.append(markup)
        box = box.union(b)
    markup, b = legend([(ACCENT, _("self-assessed"), 1), (VERIFIED, _("verified"), 1)], box.right / 2, box.bottom + 8)
    parts.append(markup)
    return _svg(box.union(b), "".join(parts), title)


@dataclass(frozen=True)
class BoxRow:
    label: str
    summary: dict[str, Any]  # analytics.distribution()
    colour: str


def box_plots(rows: Sequence[BoxRow], title: str, width: float = 320) -> str:
    """One horizontal box plot per row on its own 0–maximum scale (min, quartiles, median, max), over a violin-like
    outline of its histogram."""
    label_width = max([60.0, *(text_width(r.label, FONT) for r in rows)]) + 8
    row_height = 34.0
    parts = []
    box = Box(0, 0, label_width + width, row_height * len(rows))
    for index, row in enumerate(rows):
        s = row.summary
        centre = row_height * index + 14
        maximum = Decimal(s["max_possible"]) or Decimal(1)

        def x(value: Any, maximum: Decimal = maximum) -> float:
            return label_width + width * float(min(max(Decimal(value), Decimal(0)), maximum) / maximum)

        markup, b = text_block([row.label], label_width - 8, centre - FONT * 0.6, FONT, "end")
        parts.append(markup)
        box = box.union(b)
        parts.append(
            f'<line x1="{label_width}" y1="{centre}" x2="{label_width + width}" y2="{centre}" '
            f'stroke="{MUTED}" stroke-width="0.5"/>'
        )
        bins = s["bins"]
        peak = max([1, *(b_["count"] for b_ in bins)])
        upper = " ".join(
            f"{(x(b_['from']) + x(b_['to'])) / 2:.1f},{centre - 11 * b_['count'] / peak:.1f}" for b_ in bins
        )
        lower = " ".join(
            f"{(x(b_['from']) + x(b_['to'])) / 2:.1f},{centre + 11 * b_['count'] / peak:.1f}" for b_ in reversed(bins)
        )
        if s["count"]:
            parts.append(f'<polygon points="{upper} {lower}" fill="{row.colour}" fill-opacity="0.15" stroke="none"/>')
            q1, median, q3 = x(s["q1"]), x(s["median"]), x(s["q3"])
            parts += [
                f'<line x1="{x(s["min"]):.1f}" y1="{centre}" x2="{x(s["max"]):.1f}" y2="{centre}" '
                f'stroke="{row.colour}" stroke-width="1.2"/>',
                f'<rect x="{q1:.1f}" y="{centre - 6}" width="{max(q3 - q1, 1):.1f}" height="12" fill="{row.colour}" '
                'fill-opacity="0.35" stroke="none"/>',
                f'<line x1="{median:.1f}" y1="{centre - 8}" x2="{median:.1f}" y2="{centre + 8}" '
                f'stroke="{INK}" stroke-width="2"/>',
            ]
            label = f"{figure(s['median'])} ({s['count']})"
            markup, b = text_block([label], label_width + width + 6, centre - FONT * 0.6, FONT, "start")
        else:
            markup, b = text_block(["—"], label_width + width + 6, centre - FONT * 0.6, FONT, "start", fill=MUTED)
        parts.append(markup)
        box = box.union(b)
    return _svg(box, "".join(parts), title)


def heatmap(scenarios: Sequence[dict[str, Any]], title: str) -> str:
    """Share of the assessed SMEs at each level (columns 0–4) of each scenario (rows), darker for more."""
    cell_w, cell_h = 46.0, 16.0
    label_width = max([60.0, *(text_width(s["name"], FONT) for s in scenarios)]) + 8
    parts = []
    box = Box(0, 0, label_width + cell_w * 5, cell_h * (len(scenarios) + 1))
    for level in range(5):
        markup, b = text_block([str(level)], label_width + cell_w * (level + 0.5), 2, FONT, "middle")
        parts.append(markup)
        box = box.union(b)
    for row_index, scenario in enumerate(scenarios):
        y = cell_h * (row_index + 1)
        markup, b = text_block([scenario["name"]], label_width - 6, y + 3, FONT, "end")
        parts.append(markup)
        box = box.union(b)
        for cell in scenario["levels"]:
            value = float(cell["share"] or 0)
            x = label_width + cell_w * cell["level"]
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{cell_w - 1}" height="{cell_h - 1}" fill="{ACCENT}" '
                f'fill-opacity="{0.06 + 0.94 * value:.3f}"/>'
            )
            ink = "#ffffff" if value > 0.5 else INK
            markup, b = text_block([_pct(cell["share"])], x + cell_w / 2, y + 3, 8, "middle", fill=ink)
            parts.append(markup)
    return _svg(box, "".join(parts), title)


def count_bars(items: Sequence[tuple[str, int]], title: str, colour: str = PEER, width: float = 260) -> str:
    """Horizontal bars of counts, one per labelled item."""
    label_width = max([60.0, *(text_width(label, FONT) for label, _n in items)]) + 8
    most = max([1, *(n for _label, n in items)])
    parts = []
    box = Box(0, 0, label_width + width, 18.0 * len(items))
    for index, (label, count) in enumerate(items):
        y = 18.0 * index
        markup, b = text_block([label], label_width - 6, y + 2, FONT, "end")
        parts.append(markup)
        box = box.union(b)
        length = width * count / most
        parts.append(f'<rect x="{label_width}" y="{y + 2}" width="{length:.1f}" height="12" fill="{colour}"/>')
        markup, b = text_block([str(count)], label_width + length + 4, y + 2, FONT, "start")
        parts.append(markup)
        box = box.union(b)
    return _svg(box, "".join(parts), title)


def progress_lines(progress: dict[str, Any], title: str) -> str:
    """Share at the target level or above by month, self-assessed and verified, with the target share."""
    months = progress["months"]
    step, height = 40.0, 120.0
    width = max(step * max(len(months) - 1, 1), 360)
    target = float(progress["target_share"])

    def y(value: Decimal | None) -> float:
        return height - height * float(value or 0)

    parts = [
        f'<line x1="0" y1="{height}" x2="{width}" y2="{height}" stroke="{MUTED}"/>',
        f'<line x1="0" y1="0" x2="0" y2="{height}" stroke="{MUTED}"/>',
        f'<line x1="0" y1="{height - height * target:.1f}" x2="{width}" y2="{height - height * target:.1f}" '
        f'stroke="{PEER}" stroke-dasharray="4 3" stroke-width="1.5"/>',
    ]
    box = Box(0, 0, width, height)
    for tick in (0, 25, 50, 75, 100):
        markup, b = text_block([f"{tick}%"], -4, height - height * tick / 100 - 5, 8, "end", fill=MUTED)
        parts.append(markup)
        box = box.union(b)
    gap = width / max(len(months) - 1, 1)
    for kind, colour in (("self", ACCENT), ("verified", VERIFIED)):
        points = " ".join(f"{gap * i:.1f},{y(m[kind]['share']):.1f}" for i, m in enumerate(months))
        if points:
            parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
            parts += [
                f'<circle cx="{gap * i:.1f}" cy="{y(m[kind]["share"]):.1f}" r="2.5" fill="{colour}"/>'
                for i, m in enumerate(months)
            ]
    every = max(1, len(months) // 8)
    for i, m in enumerate(months):
        if i % every == 0 or i == len(months) - 1:
            markup, b = text_block([m["month"]], gap * i, height + 4, 8, "middle")
            parts.append(markup)
            box = box.union(b)
    entries = [
        (ACCENT, _("self-assessed"), 1),
        (VERIFIED, _("verified"), 1),
        (PEER, _("target share"), 1),
    ]
    markup, b = legend(entries, width / 2, box.bottom + 8)
    parts.append(markup)
    return _svg(box.union(b), "".join(parts), title)


def summary_rows(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The distributions as table rows: the total, then each dimension; self-assessed, then verified."""
    rows = []
    metrics = [(_("Total"), "points", figures["total"])] + [(d["name"], d["scale"], d) for d in figures["dimensions"]]
    for name, scale, metric in metrics:
        for basis, label in (("self", _("self-assessed")), ("verified", _("verified"))):
            rows.append({"name": name, "scale": scale, "basis": label, "d": metric[basis]})
    return rows


@dataclass(frozen=True)
class CohortCharts:
    levels: str
    totals: str
    dimensions: str
    heatmap: str
    held_back: str
    path_steps: str
    uplift: str
    progress: str


def cohort_charts(figures: dict[str, Any]) -> CohortCharts:
    """Every chart of the cohort's figures, in the active language: the same on the page and in the PDF."""
    total = figures["total"]
    dimension_rows = []
    for d in figures["dimensions"]:
        dimension_rows.append(BoxRow(f"{d['name']} · {_('self-assessed')}", d["self"], ACCENT))
        dimension_rows.append(BoxRow(f"{d['name']} · {_('verified')}", d["verified"], VERIFIED))
    held = figures["held_back"]
    uplift = figures["uplift"]
    return CohortCharts(
        levels=level_bars(figures["levels"], _("SMEs at each level, self-assessed and verified")),
        totals=box_plots(
            [BoxRow(_("self-assessed"), total["self"], ACCENT), BoxRow(_("verified"), total["verified"], VERIFIED)],
            _("Distribution of the total score"),
        ),
        dimensions=box_plots(dimension_rows, _("Distribution of each dimension")),
        heatmap=heatmap(figures["scenarios"], _("Share of assessed SMEs at each level of each scenario")),
        held_back=count_bars(
            [
                (_("score gate only"), held["score_only"]),
                (_("scenario gate only"), held["scenarios_only"]),
                (_("both gates"), held["both"]),
                (_("at the top level"), held["at_top"]),
            ],
            _("What holds SMEs below the next level"),
        ),
        path_steps=count_bars(
            [(s["name"][:40], s["count"]) for s in figures["path_steps"]],
            _("The most common steps on the path to the next level"),
            colour=ACCENT,
        ),
        uplift=count_bars(
            [
                (
                    ngettext("%(change)+d level", "%(change)+d levels", abs(c["change"])) % {"change": c["change"]},
                    c["count"],
                )
                for c in uplift["level_changes"]
            ],
            _("Level change from T0 to T1"),
            colour=VERIFIED,
        ),
        progress=progress_lines(figures["progress"], _("Share at the target level or above, by month")),
    )
