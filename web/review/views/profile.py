"""The consultant's profile (what an enterprise and a bank read about them) and their declared conflicts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assessment.models import User
from review.models import ConflictDeclaration, ConsultantProfile
from review.services import conflict_declare, consultant_profile_save
from web.accounts.forms import form_errors_add
from web.review.forms import ConflictForm, ProfileForm
from web.review.pages import led_consultancies
from web.review.views import require_reviewer

PAGE = "web/review/profile.html"


def _page(user: User, profile_form: ProfileForm, conflict_form: ConflictForm) -> dict[str, object]:
    return {
        "review_nav": "profile",
        "consultancies": led_consultancies(user),
        "profile_form": profile_form,
        "conflict_form": conflict_form,
        "conflicts": ConflictDeclaration.objects.filter(consultant=user).select_related("organization"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = require_reviewer(request)
    instance = ConsultantProfile.objects.filter(user=user).first()
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            consultant_profile_save(user=user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("web:review_profile")
    status = 422 if form.errors else 200
    return render(request, PAGE, _page(user, form, ConflictForm(consultant=user)), status=status)


@login_required
@require_POST
def conflict_add(request: HttpRequest) -> HttpResponse:
    user = require_reviewer(request)
    form = ConflictForm(request.POST, consultant=user)
    if form.is_valid():
        try:
            conflict_declare(consultant=user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Your conflict of interest is recorded: you will not be assigned there."))
            return redirect("web:review_profile")
    instance = ConsultantProfile.objects.filter(user=user).first()
    return render(request, PAGE, _page(user, ProfileForm(instance=instance), form), status=422)
