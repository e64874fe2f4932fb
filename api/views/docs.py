"""The interactive API documentation (/api/docs/), under the site's Content-Security-Policy."""

from __future__ import annotations

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularSwaggerSplitView


# drf-spectacular's documented answer to a strict CSP: the split view serves Swagger UI's start-up script as a
# second request (?script), so the page needs no inline script. Its one inline <style> is replaced by a file
# (api/swagger_ui.html). What Swagger UI still needs is `data:` images: its stylesheet draws every icon as a
# data: URI. Only this page allows them; scripts and styles stay 'self' here as everywhere.
@method_decorator(csp_update({"img-src": ["data:"]}), name="dispatch")
class ApiDocsView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
