"""The public check of a report a bank or partner was handed: no log-in, and nothing beyond what the PDF states."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from api.client_address import client_address
from reports.identity import verification_code_display
from reports.selectors import report_by_verification_code
from web.rate_limits import Rate, rate_limits_hit
from web.verify.forms import VerificationCodeForm

TEMPLATES = "web/verify"


def _checked(response: HttpResponse) -> HttpResponse:
    # The code is the key to the page: kept out of search engines and of the Referer of any link followed.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _refused(request: HttpRequest) -> HttpResponse | None:
    """429 with the code form when this address has asked too often this hour; None otherwise."""
    refusal = rate_limits_hit((Rate("verify-address", settings.VERIFY_LIMIT_PER_ADDRESS), client_address(request)))
    if refusal is None:
        return None
    context = {"form": VerificationCodeForm(), "rate_limited": refusal}
    response = render(request, f"{TEMPLATES}/lookup.html", context, status=429)
    response["Retry-After"] = str(refusal.retry_after)
    return _checked(response)


@never_cache
@require_GET
def verify_lookup(request: HttpRequest) -> HttpResponse:
    """A form to type the code printed in a report; a well-formed code goes on to its page (which counts the try)."""
    if "code" not in request.GET:
        return _checked(render(request, f"{TEMPLATES}/lookup.html", {"form": VerificationCodeForm()}))
    form = VerificationCodeForm(request.GET)
    if form.is_valid():
        return redirect("web:verify", code=verification_code_display(form.cleaned_data["code"]))
    return _checked(render(request, f"{TEMPLATES}/lookup.html", {"form": form}, status=400))


@never_cache
@require_GET
def verify_page(request: HttpRequest, code: str) -> HttpResponse:
    """What a ready report states, by its code; any other code (wrong, malformed, a failed report's) is a 404."""
    refused = _refused(request)
    if refused:
        return refused
    report = report_by_verification_code(code)
    if report is None:
        raise Http404
    # "二级 (level 2)", "Not yet rated (level 0)", but "Level 2" alone: its name says the number already.
    number_named = str(report.level_number) in report.level_name
    return _checked(render(request, f"{TEMPLATES}/page.html", {"report": report, "number_named": number_named}))
