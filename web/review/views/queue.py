"""The consultant's queue: the assessments of the enterprises they verify."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from web.review.forms import QueueFilterForm
from web.review.pages import assigned_organizations, led_consultancies, review_queue
from web.review.views import require_reviewer


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user = require_reviewer(request)
    form = QueueFilterForm(request.GET or None, organizations=assigned_organizations(user))
    context = {
        "review_nav": "queue",
        "consultancies": led_consultancies(user),
        "form": form,
        "rows": review_queue(user, **form.filters()),
        "filtered": bool(form.filters()),
    }
    return render(request, "web/review/queue.html", context)
