from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from web.verify import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("verify/", views.verify_lookup, name="verify_lookup"),
    path("verify/<str:code>/", views.verify_page, name="verify"),
]
