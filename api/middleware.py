from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

LANGUAGES = {"zh-hans": "zh-hans", "zh": "zh-hans", "en": "en"}


class QueryLanguageMiddleware:
    """`?lang=zh-Hans|en` overrides Accept-Language (after LocaleMiddleware has read it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = LANGUAGES.get(request.GET.get("lang", "").lower())
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language:
            response.headers["Content-Language"] = language
        return response
