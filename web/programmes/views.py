"""The operator's programme pages: list, create and edit, overview, invitations, enrolled SMEs, one SME."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from assessment.models import OPERATOR_KINDS, Membership, Organization, User
from assessment.services import ServiceError
from programmes.invitations_csv import InvitationRowsError, invitation_row_clean, invitation_rows_read
from programmes.models import AccessRecord, Programme, ProgrammeInvitation
from programmes.selectors import (
    enrolment_get,
    enrolments_active,
    may_administer,
    may_see_answers,
    may_see_named,
    programme_counts,
    programme_get,
    programme_invitations,
    programme_role,
    programmes_visible_to,
)
from programmes.services import (
    access_record,
    access_records_write,
    programme_create,
    programme_invitation_revoke,
    programme_invitations_create,
    programme_invitations_mail,
    programme_update,
)
from web.accounts.forms import form_errors_add
from web.programmes.forms import InvitationFileForm, InvitationForm, OperatorChoiceForm, ProgrammeForm
from web.programmes.pages import programme_page, sme_detail

TEMPLATES = "web/programmes"


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _programme(request: HttpRequest, pk: int) -> tuple[Programme, str | None]:
    """The programme (404 unless one of the user's operators runs it) and the user's role in its operator."""
    programme = programme_get(request.user, pk)
    return programme, programme_role(_user(request), programme)


def _admin_only(role: str | None) -> None:
    if not may_administer(role):
        raise PermissionDenied(_("Only the operator's owners and programme administrators can do this."))


def _analysts_only(role: str | None) -> None:
    if not may_see_named(role):
        raise PermissionDenied(_("Your role shows the programme's analytics, not the named enterprises."))


def _administered_operators(user: User) -> list[Organization]:
    return list(
        Organization.objects.filter(
            kind__in=[k.value for k in Organization.Kind if k != Organization.Kind.SME],
            memberships__user=user,
            memberships__role__in=Membership.PROGRAMME_ADMINS,
        ).order_by("name")
    )


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    programmes = programmes_visible_to(request.user).select_related("operator").prefetch_related("framework_versions")
    operators = _administered_operators(_user(request))
    context = {"programmes": programmes, "can_create": bool(operators), "operator": operators[0] if operators else None}
    member_of = list(
        Organization.objects.filter(kind__in=OPERATOR_KINDS, memberships__user=_user(request)).distinct()[:2]
    )
    if len(member_of) == 1:  # the operator's navigation, for its analysts and viewers too
        context["organization"] = member_of[0]
        context["role"] = programme_role_in(_user(request), member_of[0])
        context["nav"] = "programmes"
    return render(request, f"{TEMPLATES}/list.html", context)


def programme_role_in(user: User, organization: Organization) -> str | None:
    return Membership.objects.filter(user=user, organization=organization).values_list("role", flat=True).first()


@login_required
def programme_new(request: HttpRequest) -> HttpResponse:
    operators = _administered_operators(_user(request))
    if not operators:
        raise PermissionDenied(_("Only owners and programme administrators of an operator create programmes."))
    data = request.POST if request.method == "POST" else None
    form = ProgrammeForm(data)
    operator_form = OperatorChoiceForm(data, operators=operators)
    if data is not None and all([form.is_valid(), operator_form.is_valid()]):
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            programme = programme_create(
                operator=operator_form.cleaned_data["operator"],
                created_by=_user(request),
                groups=form.group_specs(),
                **{**values, "framework_versions": list(values["framework_versions"])},
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The programme %(name)s is created.") % {"name": programme.name})
            return redirect("web:programme_overview", programme.pk)
    context = {
        "form": form,
        "operator_form": operator_form,
        "choose_operator": len(operators) > 1,
        "organization": operators[0],
        "role": programme_role_in(_user(request), operators[0]),
        "nav": "programmes",
    }
    return render(request, f"{TEMPLATES}/form.html", context, status=422 if form.errors else 200)


@login_required
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    programme, role = _programme(request, pk)
    _admin_only(role)
    form = ProgrammeForm(request.POST or None, instance=Programme.objects.get(pk=programme.pk))
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields if name != "framework_versions"}
        try:
            programme_update(
                programme=programme,
                changed_by=_user(request),
                framework_versions=list(form.cleaned_data["framework_versions"]),
                groups=form.group_specs(),
                **values,
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The programme is saved."))
            return redirect("web:programme_overview", programme.pk)
    context = programme_page(programme, role, "edit", form=form)
    return render(request, f"{TEMPLATES}/form.html", context, status=422 if form.errors else 200)


@login_required
def programme_overview(request: HttpRequest, pk: int) -> HttpResponse:
    """Every member of the operator: the target, the period, and how many SMEs are where."""
    programme, role = _programme(request, pk)
    context = programme_page(
        programme,
        role,
        "overview",
        counts=programme_counts(programme),
        versions=programme.framework_versions.select_related("framework"),
        groups=programme.groups.all(),
    )
    return render(request, f"{TEMPLATES}/overview.html", context)


def _invitations_page(
    request: HttpRequest,
    programme: Programme,
    role: str | None,
    *,
    form: InvitationForm | None = None,
    file_form: InvitationFileForm | None = None,
    row_errors: tuple[Any, ...] = (),
    status: int = 200,
) -> HttpResponse:
    context = programme_page(
        programme,
        role,
        "invitations",
        form=form or InvitationForm(programme=programme),
        file_form=file_form or InvitationFileForm(),
        row_errors=row_errors,
        invitations=programme_invitations(programme),
        max_rows=settings.PROGRAMME_INVITATIONS_MAX_ROWS,
    )
    return render(request, f"{TEMPLATES}/invitations.html", context, status=status)


def _sent_message(request: HttpRequest, count: int, failed: int) -> None:
    if failed:
        messages.warning(
            request,
            ngettext(
                "The invitations are saved, but %(failed)d e-mail could not be sent: revoke and invite again later.",
                "The invitations are saved, but %(failed)d e-mails could not be sent: revoke and invite again later.",
                failed,
            )
            % {"failed": failed},
        )
    else:
        messages.success(
            request,
            ngettext("%(count)d invitation sent.", "%(count)d invitations sent.", count) % {"count": count},
        )


@login_required
def programme_invitations_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Analysts read the invitations; admins invite one company, or a CSV file of them (all or none), and revoke."""
    programme, role = _programme(request, pk)
    _analysts_only(role)
    if request.method != "POST":
        return _invitations_page(request, programme, role)
    _admin_only(role)
    if "file" in request.FILES or request.POST.get("action") == "file":
        file_form = InvitationFileForm(request.POST, request.FILES)
        if not file_form.is_valid():
            return _invitations_page(request, programme, role, file_form=file_form, status=422)
        try:
            rows = invitation_rows_read(
                file_form.cleaned_data["file"], max_rows=settings.PROGRAMME_INVITATIONS_MAX_ROWS
            )
            issued = programme_invitations_create(programme=programme, rows=rows, invited_by=_user(request))
        except InvitationRowsError as exc:
            return _invitations_page(request, programme, role, file_form=file_form, row_errors=exc.errors, status=422)
        _sent_message(request, len(issued), programme_invitations_mail(issued=issued))
        return redirect("web:programme_invitations", programme.pk)
    form = InvitationForm(request.POST, programme=programme)
    if not form.is_valid():
        return _invitations_page(request, programme, role, form=form, status=422)
    try:
        row = invitation_row_clean(line=0, **{k: v or "" for k, v in form.cleaned_data.items()})
        issued = programme_invitations_create(programme=programme, rows=[row], invited_by=_user(request))
    except InvitationRowsError as exc:
        for error in exc.errors:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        return _invitations_page(request, programme, role, form=form, status=422)
    _sent_message(request, 1, programme_invitations_mail(issued=issued))
    return redirect("web:programme_invitations", programme.pk)


@login_required
@require_POST
def programme_invitation_revoke_view(request: HttpRequest, pk: int, invitation_id: int) -> HttpResponse:
    programme, role = _programme(request, pk)
    _admin_only(role)
    invitation = get_object_or_404(ProgrammeInvitation, programme=programme, pk=invitation_id)
    try:
        programme_invitation_revoke(invitation=invitation, revoked_by=_user(request))
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The invitation to %(name)s is revoked.") % {"name": invitation.company_name})
    return redirect("web:programme_invitations", programme.pk)


SMES_PAGE = 50


@login_required
def programme_smes(request: HttpRequest, pk: int) -> HttpResponse:
    """The SMEs whose consent stands, by name: analysts and admins."""
    programme, role = _programme(request, pk)
    _analysts_only(role)
    enrolments = (
        enrolments_active(programme)
        .select_related("organization", "group", "cohort")
        .order_by("organization__name", "pk")
    )
    page = Paginator(enrolments, SMES_PAGE).get_page(request.GET.get("page"))
    # The list shows each SME's levels: seeing them is recorded, as on the SME's own page.
    access_records_write(enrolment_ids=[e.pk for e in page], viewer=_user(request), kind=AccessRecord.Kind.RESULTS)
    context = programme_page(programme, role, "smes", page=page, counts=programme_counts(programme))
    return render(request, f"{TEMPLATES}/smes.html", context)


@login_required
def programme_sme(request: HttpRequest, pk: int, org_id: int) -> HttpResponse:
    """One enrolled SME's results (its answers too, when it consented to them and they are asked for): logged."""
    programme, role = _programme(request, pk)
    _analysts_only(role)
    enrolment = enrolment_get(programme, org_id)
    answers_allowed = may_see_answers(enrolment)
    with_answers = answers_allowed and request.GET.get("answers") == "1"
    detail = sme_detail(enrolment, with_answers=with_answers)
    access_record(
        enrolment=enrolment,
        viewer=_user(request),
        kind=AccessRecord.Kind.ANSWERS if with_answers else AccessRecord.Kind.RESULTS,
    )
    context = programme_page(
        programme, role, "smes", detail=detail, answers_allowed=answers_allowed, with_answers=with_answers
    )
    return render(request, f"{TEMPLATES}/sme.html", context)
