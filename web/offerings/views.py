"""The providers' pages: their offerings (publish, change, unpublish) and the inbox of referrals."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment.framework_texts import document_language
from assessment.models import Membership, User
from assessment.selectors import organization_role
from assessment.services import ServiceError
from offerings.models import Offering, Referral
from offerings.selectors import (
    frameworks_published,
    may_publish,
    offerings_of_providers,
    provider_organizations,
    referral_shared_results,
    referrals_received,
)
from offerings.services import offering_create, offering_unpublish, offering_update, referral_status_set
from web.accounts.forms import form_errors_add
from web.offerings.forms import OfferingForm, ReferralStatusForm


def request_user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _nav(user: User, nav: str) -> dict[str, Any]:
    """The organisation navigation when the user is at one operator (else none: the pages span several)."""
    providers = list(provider_organizations(user)[:2])
    if len(providers) != 1:
        return {"nav": nav}
    return {"organization": providers[0], "role": organization_role(user, providers[0].pk), "nav": nav}


def _form(request: HttpRequest, data: Any = None, **kwargs: Any) -> OfferingForm:
    return OfferingForm(
        data,
        providers=provider_organizations(request_user(request), admin=True),
        frameworks=frameworks_published(),
        **kwargs,
    )


@login_required
@require_GET
def offering_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not provider_organizations(user).exists():
        raise Http404
    context = {
        "offerings": offerings_of_providers(user).order_by("-active", "title", "id"),
        "can_publish": provider_organizations(user, admin=True).exists(),
        **_nav(user, "offerings"),
    }
    return render(request, "web/offerings/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def offering_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not provider_organizations(user, admin=True).exists():
        raise PermissionDenied(_("Only an operator's programme administrators publish its offerings."))
    form = _form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            offering = offering_create(
                provider=form.cleaned_data["provider"], created_by=user, **form.offering_fields()
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("The offering is saved."))
            return redirect("web:offering_edit", offering.pk)
    status = 422 if form.errors else 200
    return render(request, "web/offerings/form.html", {"form": form, **_nav(user, "offerings")}, status=status)


def _own_offering(request: HttpRequest, pk: int) -> Offering:
    """One of the user's operators' offerings (404 for anyone else's), which they may change (else 403)."""
    offering = get_object_or_404(offerings_of_providers(request_user(request)), pk=pk)
    if not may_publish(request_user(request), offering.provider):
        raise PermissionDenied(_("Only an operator's programme administrators publish its offerings."))
    return offering


@login_required
@require_http_methods(["GET", "POST"])
def offering_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    offering = _own_offering(request, pk)
    form = _form(request, request.POST or None, initial=OfferingForm.initial_of(offering))
    form.fields["provider"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            offering_update(offering=offering, updated_by=user, **form.offering_fields())
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("The offering is saved."))
            return redirect("web:offering_edit", offering.pk)
    context = {"form": form, "offering": offering, **_nav(user, "offerings")}
    return render(request, "web/offerings/form.html", context, status=422 if form.errors else 200)


@login_required
@require_POST
def offering_unpublish_view(request: HttpRequest, pk: int) -> HttpResponse:
    offering = _own_offering(request, pk)
    offering_unpublish(offering=offering, updated_by=request_user(request))
    messages.success(request, _("The offering is no longer shown to enterprises."))
    return redirect("web:offering_list")


@login_required
@require_GET
def referral_inbox(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not provider_organizations(user).exists():
        raise Http404
    referrals = referrals_received(user).order_by("status", "-created_at", "-id")
    status = request.GET.get("status", "")
    if status in Referral.Status.values:
        referrals = referrals.filter(status=status)
    context = {"referrals": referrals, "status": status, "statuses": Referral.Status.choices, **_nav(user, "referrals")}
    return render(request, "web/offerings/inbox.html", context)


def status_post(request: HttpRequest, referral: Referral) -> ReferralStatusForm | None:
    """Apply a posted status change; the form back with its errors, or None when it was saved."""
    form = ReferralStatusForm(request.POST)
    if form.is_valid():
        try:
            referral_status_set(referral=referral, updated_by=request_user(request), **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("The request is updated."))
            return None
    return form


@login_required
@require_http_methods(["GET", "POST"])
def referral_received(request: HttpRequest, pk: int) -> HttpResponse:
    """One referral as the provider sees it: the contact, and the level and scores only if the SME shared them."""
    user = request_user(request)
    referral = get_object_or_404(referrals_received(user), pk=pk)
    role = Membership.objects.filter(user=user, organization=referral.offering.provider_id).values_list(
        "role", flat=True
    )
    can_act = bool(set(role) & Membership.PROGRAMME_ANALYSTS)
    form = ReferralStatusForm(initial={"status": "progressed"})
    if request.method == "POST":
        if not can_act:
            raise PermissionDenied(_("Your role does not allow changing this request."))
        found = status_post(request, referral)
        if found is None:
            return redirect("web:referral_received", referral.pk)
        form = found
    context = {
        "referral": referral,
        "shared": referral_shared_results(referral, language=document_language()),
        "form": form,
        "can_act": can_act and referral.status != Referral.Status.CLOSED,
        **_nav(user, "referrals"),
    }
    return render(request, "web/offerings/referral.html", context, status=422 if form.errors else 200)
