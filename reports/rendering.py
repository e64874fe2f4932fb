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
        previous = content["previous"]
        earlier = {d["name"]: d["before"] for d in previous["dimensions"]} if previous else {}
        axes, before = [], []
        for dimension in content["dimensions"]:
            if dimension["max"]:
                axes.append((dimension["name"], _share(dimension["score"], dimension["max"])))
                before.append(_share(earlier.get(dimension["name"]) or 0, dimension["max"]))
            elif content["scenario_average"] is not None:  # MIIT's operations: judged by scenario levels
                axes.append((dimension["name"], _share(content["scenario_average"], 4)))
                before.append(_share(previous["scenario_average"], 4) if previous else 0.0)
        you = translation.gettext("You")
        # Percentiles of points; a dimension without points (judged by scenario levels) has none to compare.
        scales = {"total": (content["total"], content["max_total"])}
        scales |= {d["key"]: (d["score"], d["max"]) for d in content["dimensions"] if d["max"]}
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
            if row["key"] in scales
        ]
        return render_to_string(
            "reports/report.html",
            {
                "r": content,
                "radar": charts.radar(axes, translation.gettext("Dimension scores"), before if previous else None),
                # Where the dimensions are few and the indicators many, a second radar shows where within them.
                "indicator_radar": charts.radar(
                    [(i["name"], i["share"]) for i in content["indicators"]],
                    translation.gettext("Indicator scores"),
                    size=320,
                )
                if len(content["indicators"]) > max(len(axes), 4)
                else "",
                "peers": peers,
                "assets": ASSETS_DIR.as_uri(),
            },
        )


def html_to_pdf(html: str) -> bytes:
    fetcher = BundledAssetsFetcher(allowed_protocols=("file",), allow_redirects=False)
    pdf: bytes = HTML(string=html, base_url=ASSETS_DIR.as_uri() + "/", url_fetcher=fetcher).write_pdf()
    return pdf
