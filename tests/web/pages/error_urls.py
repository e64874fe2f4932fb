"""The site's URLs with two more, for the error-page tests: one that fails and one that is forbidden."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler400, handler404, handler500
from config.urls import urlpatterns as site


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def forbid(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


urlpatterns = [path("test-fail/", fail), path("test-forbid/", forbid), *site]
__all__ = ["handler400", "handler404", "handler500", "urlpatterns"]
