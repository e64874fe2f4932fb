"""The SME's side: ask a provider for contact about an offering, follow up its requests."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from assessment.models import Membership, Organization
from assessment.selectors import CONSULTANT
from assessment.services import ServiceError
from offerings.models import Offering, Referral
from offerings.services import referral_create
from web.access import organization_with_role
from web.accounts.forms import form_errors_add
from web.offerings.forms import ReferralForm, ReferralStatusForm
from web.offerings.views import request_user, status_post

NAV = "referrals"


def _sme(request: HttpRequest, org_id: int) -> tuple[Organization, str]:
    """The SME (404 unless the user is one of its members: an assigned consultant does not ask for help)."""
    organization, role = organization_with_role(request, org_id)
    if role == CONSULTANT or organization.kind != Organization.Kind.SME:
        raise Http404
    return organization, role


@login_required
@require_GET
def referral_list(request: HttpRequest, org_id: int) -> HttpResponse:
    organization, role = _sme(request, org_id)
    referrals = Referral.objects.filter(organization=organization).select_related("offering__provider")
    context = {"organization": organization, "role": role, "nav": NAV, "referrals": referrals}
    return render(request, "web/offerings/requests.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest, org_id: int, offering_id: int) -> HttpResponse:
    organization, role = _sme(request, org_id)
    if role not in Membership.CONTRIBUTORS:
        raise PermissionDenied(_("Only an enterprise's owners and respondents ask for contact."))
    offering = get_object_or_404(Offering.objects.select_related("provider"), pk=offering_id, active=True)
    question = request.GET.get("question", "")[:40]
    initial = ReferralForm.initial_for(request_user(request), question if question in offering.question_keys else "")
    form = ReferralForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            referral_create(
                offering=offering,
                organization=organization,
                requested_by=request_user(request),
                **form.referral_fields(),
            )
        except ServiceError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Your request is sent; the provider will contact you."))
            return redirect("web:referral_list", organization.pk)
    context = {"organization": organization, "role": role, "nav": NAV, "offering": offering, "form": form}
    return render(request, "web/offerings/request_form.html", context, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def referral_sent(request: HttpRequest, org_id: int, pk: int) -> HttpResponse:
    organization, role = _sme(request, org_id)
    referral = get_object_or_404(
        Referral.objects.filter(organization=organization).select_related("offering__provider"), pk=pk
    )
    can_act = role in Membership.CONTRIBUTORS
    form = ReferralStatusForm(initial={"status": "progressed"})
    if request.method == "POST":
        if not can_act:
            raise PermissionDenied(_("Your role does not allow changing this request."))
        found = status_post(request, referral)
        if found is None:
            return redirect("web:referral_sent", organization.pk, referral.pk)
        form = found
    context = {
        "organization": organization,
        "role": role,
        "nav": NAV,
        "referral": referral,
        "form": form,
        "can_act": can_act and referral.status != Referral.Status.CLOSED,
    }
    return render(request, "web/offerings/request.html", context, status=422 if form.errors else 200)
