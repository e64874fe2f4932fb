"""The SME's side of programmes: the invitation (consent or decline), its programmes, withdrawal, the access log."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assessment.models import Membership, Organization, User
from assessment.services import ServiceError
from programmes.models import Enrolment, ProgrammeInvitation
from programmes.selectors import enrolment_access_records, organization_enrolments, programme_invitation_by_token
from programmes.services import enrolment_withdraw, programme_invitation_accept, programme_invitation_decline
from web.access import organization_with_role
from web.programmes.forms import ConsentForm, WithdrawForm

TEMPLATES = "web/programmes"
OWNER = Membership.Role.OWNER
ACCESS_LOG_LATEST = 10  # on the programmes page; the whole log is paged
ACCESS_LOG_PAGE = 50


def _owned_enterprises(user: User) -> list[Organization]:
    return list(
        Organization.objects.filter(
            kind=Organization.Kind.SME, memberships__user=user, memberships__role=OWNER
        ).order_by("name")
    )


def _closed(request: HttpRequest, message: str, status: int = 410) -> HttpResponse:
    return render(request, f"{TEMPLATES}/invitation_closed.html", {"message": message}, status=status)


CLOSED: dict[str, Any] = {
    ProgrammeInvitation.Status.ACCEPTED: gettext_lazy("This invitation has already been accepted."),
    ProgrammeInvitation.Status.DECLINED: gettext_lazy("This invitation has been declined."),
    ProgrammeInvitation.Status.REVOKED: gettext_lazy("This invitation has been withdrawn by the programme."),
    ProgrammeInvitation.Status.EXPIRED: gettext_lazy("This invitation has expired. Ask the programme for a new one."),
}


def programme_invitation_page(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link: the SME's owner logs in (or signs up), chooses the enterprise, reads what the operator
    would see, and consents to it or declines."""
    invitation = programme_invitation_by_token(token)
    if invitation is None:
        return _closed(request, _("This invitation link is not valid."), status=404)
    if not invitation.is_pending:
        return _closed(request, str(CLOSED[invitation.status]))
    user = cast(User, request.user)
    enterprises = _owned_enterprises(user) if user.is_authenticated else []
    context: dict[str, Any] = {
        "invitation": invitation,
        "programme": invitation.programme,
        "enterprises": enterprises,
        "login_url": f"{reverse('web:login')}?{urlencode({'next': request.path})}",
        "signup_url": f"{reverse('web:signup')}?{urlencode({'next': request.path})}",
    }
    if request.method == "POST" and request.POST.get("action") == "decline":
        try:
            programme_invitation_decline(invitation=invitation, user=user if user.is_authenticated else None)
        except ServiceError as exc:
            return _closed(request, str(exc), status=409)
        return _closed(request, _("You have declined. The programme sees nothing of your company."), status=200)
    if not user.is_authenticated:
        return render(request, f"{TEMPLATES}/invitation.html", context)
    matching = [e for e in enterprises if not invitation.uscc or e.uscc == invitation.uscc]
    form = ConsentForm(
        request.POST if request.method == "POST" else None,
        organizations=enterprises,
        initial={"organization": matching[0].pk if matching else None},
    )
    context["form"] = form
    context["matching"] = matching
    if request.method == "POST" and form.is_valid():
        organization = form.cleaned_data["organization"]
        try:
            enrolment = programme_invitation_accept(
                invitation=invitation, organization=organization, user=user, consent=form.cleaned_data["consent"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(
                request,
                _("%(name)s is enrolled in %(programme)s.")
                % {"name": organization.name, "programme": invitation.programme.name},
            )
            return redirect("web:organization_programmes", enrolment.organization_id)
    return render(request, f"{TEMPLATES}/invitation.html", context, status=422 if form.errors else 200)


@login_required
def organization_programmes(request: HttpRequest, org_id: int) -> HttpResponse:
    """The SME's programmes: what each operator sees, since when, who looked; owners withdraw."""
    organization, role = organization_with_role(request, org_id)
    if role not in (OWNER, Membership.Role.RESPONDENT, Membership.Role.VIEWER):
        raise PermissionDenied
    enrolments = [
        (e, enrolment_access_records(e)[:ACCESS_LOG_LATEST], enrolment_access_records(e).count())
        for e in organization_enrolments(organization)
    ]
    context = {
        "organization": organization,
        "role": role,
        "nav": "programmes",
        "enrolments": enrolments,
        "withdraw_form": WithdrawForm(),
        "is_owner": role == OWNER,
    }
    return render(request, f"{TEMPLATES}/organization_programmes.html", context)


@login_required
def enrolment_access_log(request: HttpRequest, org_id: int, enrolment_id: int) -> HttpResponse:
    """Every time someone at the programme saw the SME's figures, newest first, a page at a time."""
    organization, role = organization_with_role(request, org_id)
    if role not in (OWNER, Membership.Role.RESPONDENT, Membership.Role.VIEWER):
        raise PermissionDenied
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("programme__operator"), organization=organization, pk=enrolment_id
    )
    page = Paginator(enrolment_access_records(enrolment), ACCESS_LOG_PAGE).get_page(request.GET.get("page"))
    context = {"organization": organization, "role": role, "nav": "programmes", "enrolment": enrolment, "page": page}
    return render(request, f"{TEMPLATES}/access_log.html", context)


@login_required
@require_POST
def enrolment_withdraw_view(request: HttpRequest, org_id: int, enrolment_id: int) -> HttpResponse:
    organization, role = organization_with_role(request, org_id)
    if role != OWNER:
        raise PermissionDenied(_("Only owners of the organisation can do this."))
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("programme"), organization=organization, pk=enrolment_id
    )
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm that you withdraw your consent."))
        return redirect("web:organization_programmes", organization.pk)
    try:
        enrolment_withdraw(enrolment=enrolment, withdrawn_by=cast(User, request.user))
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Consent withdrawn: %(programme)s no longer sees anything of %(name)s.")
            % {"programme": enrolment.programme.name, "name": organization.name},
        )
    return redirect("web:organization_programmes", organization.pk)
