"""The report's SVG charts, drawn by WeasyPrint and read back: every label whole (never split inside a word, a
Chinese label on one line), inside the chart's viewBox, a legend when an earlier assessment is drawn, a scale."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from decimal import Decimal
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.utils import translation
from weasyprint import HTML

from reports.charts import peer_bar, radar
from scoring.results import Axis

FRAMEWORKS = Path(settings.BASE_DIR) / "frameworks"
SVG = "{http://www.w3.org/2000/svg}"
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def node_names(slug: str, language: str) -> tuple[list[str], list[str]]:
    """The framework's dimension names and its indicator names (every level), as its file gives them."""
    data = yaml.safe_load((FRAMEWORKS / f"{slug}.yaml").read_text(encoding="utf-8"))
    indicators: list[str] = []

    def walk(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            indicators.append(node["text"][language])
            walk(node.get("indicators", []))

    for dimension in data["dimensions"]:
        walk(dimension.get("indicators", []))
    return [d["text"][language] for d in data["dimensions"]], indicators


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - the charts' own markup, made by the code under test


def cut_off(words: list[tuple[float, float, float, float, str]], width: float, height: float) -> list[str]:
    """The words that reach outside a page of `width` × `height` pt (half a point of rounding allowed)."""
    return [w for x0, y0, x1, y1, w in words if min(x0, y0) < 0 or x1 > width + 0.5 or y1 > height + 0.5]


def drawn_words(svg: str, tmp_path: Path) -> tuple[list[tuple[float, float, float, float, str]], float, float]:
    """The words WeasyPrint draws for `svg` on a page exactly its size: (x0, y0, x1, y1, text) each, and the
    page's width and height in pt."""
    root = parse(svg)
    width, height = float(root.get("width", 0)), float(root.get("height", 0))
    page = f"@page {{ size: {width}px {height}px; margin: 0 }} body {{ margin: 0 }} svg {{ display: block }}"
    pdf = tmp_path / "chart.pdf"
    HTML(string=f"<html><head><style>{page}</style></head><body>{svg}</body></html>").write_pdf(pdf)
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    words = [(float(a), float(b), float(c), float(d), unescape(text)) for a, b, c, d, text in WORD.findall(bbox)]
    return words, width * 0.75, height * 0.75


def label_lines(svg: str) -> dict[str, list[str]]:
    """Each <text>'s lines (its tspans), keyed by the lines joined with a space."""
    root = parse(svg)
    found = {}
    for text in root.iter(f"{SVG}text"):
        lines = [span.text or "" for span in text.iter(f"{SVG}tspan")] or [text.text or ""]
        found[" ".join(lines)] = lines
    return found


def axes(names: list[str], before: bool = False) -> list[Axis]:
    return [
        Axis(f"k{n}", name, Decimal(n % 5) / 4, Decimal((n + 2) % 5) / 4 if before else None)
        for n, name in enumerate(names)
    ]


@pytest.mark.parametrize("slug", ["miit-2024-manufacturing", "eu-dma"])
@pytest.mark.parametrize("language", ["zh-Hans", "en"])
@pytest.mark.parametrize("level", ["dimensions", "indicators"])
def test_radar_labels_are_whole_and_inside_the_chart(slug: str, language: str, level: str, tmp_path: Path) -> None:
    dimensions, indicators = node_names(slug, language)
    names = dimensions if level == "dimensions" else indicators[:14]
    with translation.override(language):
        svg = radar(axes(names, before=True), "t", size=300, legend_labels=("This assessment", "Previous (2025-11-02)"))
    lines = label_lines(svg)
    for name in names:
        assert name in lines, f"{name!r} is not drawn whole: {sorted(lines)}"
        if language == "zh-Hans" and " " not in name:
            assert lines[name] == [name], f"a Chinese label was broken across lines: {lines[name]}"
        else:  # broken, if at all, only between words
            assert " ".join(lines[name]).split() == name.split()

    words, width, height = drawn_words(svg, tmp_path)
    drawn = [w[4] for w in words]
    expected = {word for name in names for word in name.split()}
    expected |= {"This", "assessment", "Previous", "(2025-11-02)", "25%", "50%", "75%", "100%"}
    assert set(drawn) <= expected, f"words drawn that are no label's: {set(drawn) - expected}"
    if language == "zh-Hans":
        assert {n for n in names if " " not in n} <= set(drawn)  # each on one line: one word to pdftotext
    assert cut_off(words, width, height) == []


def test_the_legend_names_this_and_the_previous_assessment_only_when_both_are_drawn(tmp_path: Path) -> None:
    names = node_names("miit-2024-manufacturing", "en")[0]
    legend = ("This assessment", "Previous assessment (2025-11-02)")
    with_previous = " ".join(
        w[4] for w in drawn_words(radar(axes(names, True), "t", legend_labels=legend), tmp_path)[0]
    )
    alone = " ".join(w[4] for w in drawn_words(radar(axes(names), "t", legend_labels=legend), tmp_path)[0])
    assert "This assessment" in with_previous
    assert "Previous assessment (2025-11-02)" in with_previous
    assert "Previous" not in alone
    assert "This" not in alone


def test_the_radar_legend_shows_the_colours_of_its_two_outlines() -> None:
    names = node_names("eu-dma", "en")[0]
    root = parse(radar(axes(names, True), "t", legend_labels=("now", "before")))
    outlines = {p.get("fill") for p in root.iter(f"{SVG}polygon") if p.get("fill") != "none"}
    swatches = {r.get("fill") for r in root.iter(f"{SVG}rect")}
    assert len(outlines) == 2
    assert swatches == outlines


@pytest.mark.parametrize("score", [Decimal(0), Decimal("37.5"), Decimal(100)])
def test_a_peer_bar_has_a_scale_and_keeps_you_inside_it(score: Decimal, tmp_path: Path) -> None:
    svg = peer_bar(score, (Decimal(20), Decimal(45), Decimal(70)), Decimal(100), "t", "You")
    words, width, height = drawn_words(svg, tmp_path)
    assert [w[4] for w in words if w[4] != "You"] == ["0", "25", "50", "75", "100"]
    assert [w[4] for w in words].count("You") == 1
    assert cut_off(words, width, height) == []


def test_charts_name_the_report_fonts_as_weasyprint_reads_them() -> None:
    with translation.override("zh-hans"):
        root = parse(radar(axes(["数字化基础", "数字化经营", "数字化管理"]), "t"))
    assert root.get("font-family") == "Noto Sans, Noto Sans CJK SC, sans-serif"  # quoted names go unread
    assert root.get("lang") == "zh-hans"
