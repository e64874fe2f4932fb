"""HTML → PDF with WeasyPrint, fetching nothing but the bundled assets."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from reports import charts

ASSETS_DIR = (Path(__file__).resolve().parent / "assets").resolve()


class BundledAssetsFetcher(URLFetcher):
    """Serves files under reports/assets/ and refuses every other URL (file:, http:, data: …)."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("file://"):
            path = Path(url.removeprefix("file://").split("?")[0]).resolve()
            if path.is_relative_to(ASSETS_DIR) and path.is_file():
                return URLFetcherResponse(path.as_uri(), path.read_bytes())
        raise ValueError(f"The report renderer fetches only its bundled assets, not {url[:100]!r}")


def _share(score: Any, maximum: Any) -> float:
    return float(Decimal(str(score)) / Decimal(str(maximum))) if maximum else 0.0


def report_html(content: dict[str, Any]) -> str:
    """The report's HTML: the template with server-made SVG charts."""
    language = content["language"]
    with translation.override("en" if language == "en" else "zh-hans"):
        scenario_levels = [s["level"] for s in content["scenarios"]]
        axes = []
        for dimension in content["dimensions"]:
            if dimension["max"]:
                axes.append((dimension["name"], _share(dimension["score"], dimension["max"])))
            elif scenario_levels:  # MIIT's operations: judged by scenario levels, not points
                axes.append((dimension["name"], sum(scenario_levels) / (4 * len(scenario_levels))))
        before = None
        if content["previous"]:
            earlier = {d["name"]: d["before"] for d in content["previous"]["dimensions"]}
            maxima = {d["name"]: d["max"] for d in content["dimensions"]}
            before = [_share(earlier.get(name) or 0, maxima.get(name) or 0) for name, _ in axes]
        you = translation.gettext("You")
        scales = {"total": (content["total"], content["max_total"])}
        scales |= {d["key"]: (d["score"], d["max"] or 1) for d in content["dimensions"]}
        peers = [
            {
                **row,
                "chart": charts.peer_bar(
                    Decimal(str(scales[row["key"]][0])),
                    row["quartiles"],
                    Decimal(str(scales[row["key"]][1])),
                    row["name"],
                    you,
                )
                if row["quartiles"]
                else "",
            }
            for row in content["peers"]
        ]
        return render_to_string(
            "reports/report.html",
            {
                "r": content,
                "radar": charts.radar(axes, translation.gettext("Dimension scores"), before),
                "peers": peers,
                "assets": ASSETS_DIR.as_uri(),
            },
        )


def html_to_pdf(html: str) -> bytes:
    fetcher = BundledAssetsFetcher(allowed_protocols=("file",), allow_redirects=False)
    pdf: bytes = HTML(string=html, base_url=ASSETS_DIR.as_uri() + "/", url_fetcher=fetcher).write_pdf()
    return pdf
