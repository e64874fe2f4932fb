"""Provider evaluation for operators: /programmes/<pk>/providers/ (programmes.providers has the figures)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from programmes.providers import provider_evaluation
from programmes.selectors import programme_get, programme_role
from web.offerings.views import request_user
from web.programmes.pages import programme_page


@login_required
@require_GET
def programme_providers(request: HttpRequest, pk: int) -> HttpResponse:
    """Every member of the operator sees it: aggregates per offering and provider, no SME named."""
    programme = programme_get(request.user, pk)
    role = programme_role(request_user(request), programme)
    context = programme_page(programme, role, "providers", evaluation=provider_evaluation(programme))
    return render(request, "web/offerings/providers.html", context)
