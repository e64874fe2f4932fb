from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from web.questionnaire import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
]
