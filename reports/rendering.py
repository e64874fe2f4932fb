"""HTML → PDF with WeasyPrint, fetching nothing but the bundled assets."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from assessment.collector import cyclic_gc_paused
from reports import charts
from reports.identity import ReportIdentity

ASSETS_DIR = (Path(__file__).resolve().parent / "assets").resolve()


class BundledAssetsFetcher(URLFetcher):
    """Serves files under reports/assets/ and refuses every other URL (file:, http:, data: …)."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("file://"):
            path = Path(url.removeprefix("file://").split("?")[0]).resolve()
            if path.is_relative_to(ASSETS_DIR) and path.is_file():
                kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(path.as_uri(), path.read_bytes(), headers={"Content-Type": kind})
        raise ValueError(f"The report renderer fetches only its bundled assets, not {url[:100]!r}")


def report_html(content: dict[str, Any], identity: ReportIdentity | None = None) -> str:
    """The report's HTML: the template with server-made SVG charts, and the report's number and verification
    code when it is a stored job's (they are kept out of `content`, whose hash decides whether to render again)."""
    with translation.override("en" if content["language"] == "en" else "zh-hans"):
        return render_to_string(
            "reports/report.html",
            {"r": content, "v": content["view"], "charts": charts.result_charts(content["view"]), "report": identity},
        )


def html_to_pdf(html: str) -> bytes:
    fetcher = BundledAssetsFetcher(allowed_protocols=("file",), allow_redirects=False)
    with cyclic_gc_paused():
        pdf: bytes = HTML(string=html, base_url=ASSETS_DIR.as_uri() + "/", url_fetcher=fetcher).write_pdf()
    return pdf
