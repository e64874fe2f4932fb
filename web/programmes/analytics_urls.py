from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from web.programmes import analytics

urlpatterns: list[URLPattern | URLResolver] = [
    path("programmes/<int:pk>/analytics/", analytics.analytics, name="programme_analytics"),
    path("programmes/<int:pk>/exports/", analytics.exports, name="programme_exports"),
    path("programmes/<int:pk>/exports/<int:export_id>/", analytics.export_progress, name="programme_export"),
    path(
        "programmes/<int:pk>/exports/<int:export_id>/download/",
        analytics.export_download,
        name="programme_export_download",
    ),
]
