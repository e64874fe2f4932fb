"""Account and organisation pages: sign-up, lock-out, profile, members and invitations, API keys."""

from __future__ import annotations

import logging
from math import ceil
from typing import Any

from axes.helpers import get_cool_off  # type: ignore[import-untyped]
from axes.utils import reset as axes_reset  # type: ignore[import-untyped]
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from api.client_address import client_address
from api.models import ApiKey
from api.services import api_key_create, api_key_revoke
from assessment.models import Invitation, Membership, Organization, User
from assessment.selectors import (
    account_exists,
    invitation_by_token,
    invitations_open,
    login_identity,
    organization_consultants,
    organization_members,
    size_band_suggest,
)
from assessment.services import ServiceError
from assessment.services.accounts import (
    IssuedInvitation,
    account_signup,
    invitation_accept,
    invitation_create,
    invitation_revoke,
    invitation_signup,
    member_roles,
    membership_remove,
    membership_role_change,
    role_choice_message,
)
from assessment.services.organizations import ORGANIZATION_FIELDS, organization_update
from web.access import organization_with_role
from web.accounts.forms import (
    ApiKeyForm,
    InvitationForm,
    MembershipRoleForm,
    OrganizationForm,
    SignupForm,
    SignupOrganizationForm,
    SizeFiguresForm,
    form_errors_add,
)
from web.accounts.lockout import locked_everywhere
from web.rate_limits import Rate, Refusal, rate_limits_hit

logger = logging.getLogger(__name__)

OWNER = Membership.Role.OWNER
# Two authentication backends are configured (axes first); a session made here names the one that checks passwords.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
ACCOUNT_FIELDS = {"email": "email", "password": "password2"}


def _owner_only(role: str) -> None:
    if role != OWNER:
        raise PermissionDenied(_("Only owners of the organisation can do this."))


def _too_many(request: HttpRequest, template: str, context: dict[str, Any], refusal: Refusal) -> HttpResponse:
    """The page again, status 429, saying that nothing was done and when to try again."""
    response = render(request, template, {**context, "rate_limited": refusal}, status=429)
    response["Retry-After"] = str(refusal.retry_after)
    return response


# --- accounts ---------------------------------------------------------------------------------


def _next_page(request: HttpRequest) -> str | None:
    """The page to return to after signing up (`next`, as LoginView reads it), if it is one of this site's."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else None


def signup(request: HttpRequest) -> HttpResponse:
    """One form: the account and its organisation, created together; the new owner is logged in (and returned to
    the page that sent them, e.g. a programme invitation)."""
    next_page = _next_page(request)
    if request.user.is_authenticated:
        return redirect(next_page or "web:home")
    data = request.POST if request.method == "POST" else None
    if data is not None:
        # Every submission counts, valid or not: the form's errors tell whether an address has an account.
        refusal = rate_limits_hit((Rate("signup-address", settings.SIGNUP_LIMIT_PER_ADDRESS), client_address(request)))
        if refusal:
            # What was typed stays, unchecked, for the same reason.
            typed = {
                "account_form": SignupForm(initial=data.dict()),
                "organization_form": SignupOrganizationForm(initial=data.dict()),
                "next_page": next_page,
            }
            return _too_many(request, "web/accounts/signup.html", typed, refusal)
    account_form = SignupForm(data)
    organization_form = SignupOrganizationForm(data)
    context = {"account_form": account_form, "organization_form": organization_form, "next_page": next_page}
    if data is not None and all([account_form.is_valid(), organization_form.is_valid()]):
        figures = organization_form.cleaned_data
        try:
            user, _new_organization = account_signup(
                email=account_form.cleaned_data["email"],
                password=account_form.cleaned_data["password1"],
                name=figures["name"],
                uscc=figures["uscc"],
                sector=figures["sector"],
                province=figures["province"],
                employees=figures["employees"],
                annual_revenue=figures["annual_revenue"],
                total_assets=figures["total_assets"],
                size_band=figures["size_band"] or None,
                industry=figures["industry"] or None,
                kind=figures["kind"],
                description=figures["description"],
            )
        except ValidationError as exc:
            _signup_errors_add(exc, account_form, organization_form)
        else:
            login(request, user, backend=MODEL_BACKEND)
            messages.success(request, _("Welcome! Your account and organisation are ready."))
            return redirect(next_page or "web:home")
    return render(request, "web/accounts/signup.html", context)


def _signup_errors_add(error: ValidationError, account_form: BaseForm, organization_form: BaseForm) -> None:
    if not hasattr(error, "error_dict"):
        organization_form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        if name in ACCOUNT_FIELDS:
            account_form.add_error(ACCOUNT_FIELDS[name], ValidationError(errors))
        else:
            form_errors_add(organization_form, ValidationError({name: errors}))


def lockout(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' answer to a locked-out log-in (AXES_LOCKOUT_CALLABLE): a page, status 429."""
    cool_off = get_cool_off(request)
    minutes = ceil(cool_off.total_seconds() / 60) if cool_off else None
    context = {
        "minutes": minutes,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "everywhere": locked_everywhere(request, credentials),
    }
    return render(request, "web/accounts/lockout.html", context, status=429)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset form, limited per client address and per address typed; over a limit nothing is sent."""

    template_name = "web/accounts/password_reset_form.html"
    email_template_name = "web/accounts/password_reset_email.txt"
    subject_template_name = "web/accounts/password_reset_subject.txt"
    success_url = reverse_lazy("web:password_reset_done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        # Counted whether an account has the address or not, so a refusal tells nothing about accounts.
        refusal = rate_limits_hit(
            (Rate("password-reset-address", settings.PASSWORD_RESET_LIMIT_PER_ADDRESS), client_address(self.request)),
            (
                Rate("password-reset-email", settings.PASSWORD_RESET_LIMIT_PER_EMAIL),
                login_identity(form.cleaned_data["email"]),
            ),
        )
        if refusal:
            return _too_many(self.request, self.template_name, self.get_context_data(form=form), refusal)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "web/accounts/password_reset_confirm.html"
    success_url = reverse_lazy("web:password_reset_complete")

    def form_valid(self, form: SetPasswordForm[User]) -> HttpResponse:
        response = super().form_valid(form)
        # Whoever reads the mailbox may log in again at once, even after a lock-out.
        axes_reset(username=form.user.get_username())
        return response


@require_GET
def size_band_suggestion(request: HttpRequest) -> HttpResponse:
    """The size band the figures typed so far point to, and why (an htmx fragment)."""
    form = SizeFiguresForm(request.GET)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        figures = form.cleaned_data
        suggestion = size_band_suggest(
            sector=figures["sector"],
            employees=figures["employees"],
            annual_revenue=figures["annual_revenue"],
            total_assets=figures["total_assets"],
            industry=figures["industry"] or None,
        )
        context["suggestion"] = suggestion
        context["missing"] = [form.fields[name].label for name in suggestion.missing]
    return render(request, "web/accounts/_size_suggestion.html", context)


# --- organisation profile ---------------------------------------------------------------------


@login_required
def org_profile(request: HttpRequest, org_id: int) -> HttpResponse:
    """Every member reads the profile; owners edit it."""
    organization, role = organization_with_role(request, org_id)
    form = None
    if request.method == "POST":
        _owner_only(role)
        # A separate copy: the page header keeps the saved name while the form shows what was typed.
        form = OrganizationForm(request.POST, instance=Organization.objects.get(pk=organization.pk))
        if form.is_valid():
            changes = {name: form.cleaned_data[name] for name in form.changed_data if name in ORGANIZATION_FIELDS}
            try:
                organization_update(organization=form.instance, **changes)
            except ValidationError as exc:
                form_errors_add(form, exc)
            else:
                messages.success(request, _("The profile is saved."))
                return redirect("web:org_profile", organization.pk)
    elif role == OWNER:
        form = OrganizationForm(instance=organization)
    context = {"organization": organization, "role": role, "nav": "profile", "form": form}
    return render(request, "web/accounts/org_profile.html", context)


# --- members and invitations ------------------------------------------------------------------


def _invitation_mail_send(request: HttpRequest, issued: IssuedInvitation) -> bool:
    """Email the accept link; False when the mail server refused it."""
    invitation = issued.invitation
    context = {
        "invitation": invitation,
        "organization_name": invitation.organization.name,
        "inviter": request.user,
        "link": request.build_absolute_uri(reverse("web:invitation_accept", args=[issued.token])),
        "expires_at": invitation.expires_at,
    }
    subject = " ".join(render_to_string("web/accounts/invitation_subject.txt", context, request).split())
    body = render_to_string("web/accounts/invitation_email.txt", context, request)
    try:
        send_mail(subject, body, None, [invitation.email])
    except OSError:  # smtplib's errors are OSErrors too
        logger.exception("Invitation %s: the email could not be sent", invitation.pk)
        return False
    return True


@login_required
def org_members(request: HttpRequest, org_id: int) -> HttpResponse:
    """Members and their roles for everyone; owners also invite, change roles, remove and withdraw."""
    organization, role = organization_with_role(request, org_id)
    form = InvitationForm(organization=organization)
    if request.method == "POST":
        _owner_only(role)
        form = InvitationForm(request.POST, organization=organization)
        if form.is_valid():
            refusal = rate_limits_hit(
                (Rate("invitation-owner", settings.INVITATION_LIMIT_PER_OWNER), str(request.user.pk)),
                (Rate("invitation-address", settings.INVITATION_LIMIT_PER_ADDRESS), client_address(request)),
            )
            if refusal:
                return _too_many(
                    request, "web/accounts/members.html", _members_context(organization, role, form), refusal
                )
            try:
                issued = invitation_create(
                    organization=organization,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    invited_by=request.user,  # type: ignore[arg-type]
                )
            except ValidationError as exc:
                form_errors_add(form, exc)
            else:
                email = issued.invitation.email
                if _invitation_mail_send(request, issued):
                    messages.success(request, _("Invitation sent to %(email)s.") % {"email": email})
                else:
                    messages.warning(
                        request,
                        _("The invitation to %(email)s is saved, but the email could not be sent. Try again later.")
                        % {"email": email},
                    )
                return redirect("web:org_members", organization.pk)
    return render(request, "web/accounts/members.html", _members_context(organization, role, form))


def _members_context(organization: Organization, role: str, form: InvitationForm) -> dict[str, Any]:
    is_owner = role == OWNER
    return {
        "organization": organization,
        "role": role,
        "nav": "members",
        "is_owner": is_owner,
        "members": organization_members(organization),
        "consultants": organization_consultants(organization),
        "invitations": invitations_open(organization) if is_owner else [],
        "roles": [(r.value, r.label) for r in member_roles(organization)],
        "form": form,
    }


@login_required
@require_POST
def org_member_role(request: HttpRequest, org_id: int, membership_id: int) -> HttpResponse:
    organization, role = organization_with_role(request, org_id)
    _owner_only(role)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), organization=organization, pk=membership_id
    )
    form = MembershipRoleForm(request.POST, organization=organization)
    if not form.is_valid():
        messages.error(request, role_choice_message(organization))
        return redirect("web:org_members", organization.pk)
    try:
        membership = membership_role_change(
            membership=membership,
            role=form.cleaned_data["role"],
            changed_by=request.user,  # type: ignore[arg-type]
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(email)s is now %(role)s.") % {"email": membership.user.email, "role": membership.get_role_display()},
        )
    return redirect("web:org_members", organization.pk)


@login_required
@require_POST
def org_member_remove(request: HttpRequest, org_id: int, membership_id: int) -> HttpResponse:
    organization, role = organization_with_role(request, org_id)
    _owner_only(role)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), organization=organization, pk=membership_id
    )
    try:
        membership_remove(membership=membership, removed_by=request.user)  # type: ignore[arg-type]
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("web:org_members", organization.pk)
    if membership.user_id == request.user.pk:
        messages.success(request, _("You have left %(name)s.") % {"name": organization.name})
        return redirect("web:home")
    messages.success(request, _("%(email)s is no longer a member.") % {"email": membership.user.email})
    return redirect("web:org_members", organization.pk)


@login_required
@require_POST
def org_invitation_revoke(request: HttpRequest, org_id: int, invitation_id: int) -> HttpResponse:
    organization, role = organization_with_role(request, org_id)
    _owner_only(role)
    invitation = get_object_or_404(Invitation, organization=organization, pk=invitation_id)
    try:
        invitation_revoke(invitation=invitation, revoked_by=request.user)  # type: ignore[arg-type]
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email})
    return redirect("web:org_members", organization.pk)


def _invitation_closed(request: HttpRequest, reason: str, *, status: int = 410) -> HttpResponse:
    return render(request, "web/accounts/invitation_closed.html", {"reason": reason}, status=status)


CLOSED_REASONS: dict[str, str] = {
    Invitation.Status.ACCEPTED: "accepted",
    Invitation.Status.REVOKED: "revoked",
    Invitation.Status.EXPIRED: "expired",
}


def invitation_accept_page(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: a member joins with one click; a newcomer sets a password for the invited address."""
    invitation = invitation_by_token(token)
    if invitation is None:
        return _invitation_closed(request, "unknown", status=404)
    if not invitation.is_pending:
        return _invitation_closed(request, CLOSED_REASONS[invitation.status])
    context: dict[str, Any] = {"invitation": invitation}
    user = request.user
    if user.is_authenticated:
        if user.email.casefold() != invitation.email.casefold():
            return render(
                request, "web/accounts/invitation_accept.html", {**context, "wrong_account": True}, status=403
            )
        if request.method == "POST":
            try:
                membership = invitation_accept(invitation=invitation, user=user)
            except ServiceError as exc:
                return _closed_message(request, exc)
            messages.success(request, _("You have joined %(name)s.") % {"name": invitation.organization.name})
            return redirect("web:org_home", membership.organization_id)
        return render(request, "web/accounts/invitation_accept.html", context)
    if account_exists(invitation.email):
        login_url = f"{reverse('web:login')}?next={request.path}"
        return render(request, "web/accounts/invitation_accept.html", {**context, "login_url": login_url})
    form = SetPasswordForm(User(email=invitation.email), request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            new_user = invitation_signup(invitation=invitation, password=form.cleaned_data["new_password1"])
        except ValidationError as exc:
            form_errors_add(form, exc, rename={"password": "new_password2"})
        except ServiceError as exc:
            return _closed_message(request, exc)
        else:
            login(request, new_user, backend=MODEL_BACKEND)
            messages.success(request, _("Welcome! You have joined %(name)s.") % {"name": invitation.organization.name})
            return redirect("web:org_home", invitation.organization_id)
    return render(request, "web/accounts/invitation_accept.html", {**context, "form": form})


def _closed_message(request: HttpRequest, error: ServiceError) -> HttpResponse:
    return render(request, "web/accounts/invitation_closed.html", {"message": str(error)}, status=409)


# --- API keys ---------------------------------------------------------------------------------


@never_cache  # the page that shows a new secret must not be kept by the browser or a proxy
@login_required
def org_api_keys(request: HttpRequest, org_id: int) -> HttpResponse:
    """Owners list, create and revoke the organisation's keys; a new key's secret is shown once."""
    organization, role = organization_with_role(request, org_id)
    _owner_only(role)
    form = ApiKeyForm()
    created: tuple[ApiKey, str] | None = None
    if request.method == "POST":
        form = ApiKeyForm(request.POST)
        if form.is_valid():
            try:
                created = api_key_create(
                    user=request.user,  # type: ignore[arg-type]
                    organization=organization,
                    name=form.cleaned_data["name"],
                    scope=form.cleaned_data["scope"],
                    expires_in_days=form.cleaned_data["expires_in_days"],
                )
            except ValidationError as exc:
                form_errors_add(form, exc, rename={"expires": "expires_in_days"})
            else:
                form = ApiKeyForm()
    keys = ApiKey.objects.filter(organization=organization).select_related("user").order_by("-created")
    context = {
        "organization": organization,
        "role": role,
        "nav": "api_keys",
        "form": form,
        "keys": keys,
        "new_key": created[0] if created else None,
        "secret": created[1] if created else None,
    }
    return render(request, "web/accounts/api_keys.html", context)


@login_required
@require_POST
def org_api_key_revoke(request: HttpRequest, org_id: int, prefix: str) -> HttpResponse:
    organization, role = organization_with_role(request, org_id)
    _owner_only(role)
    key = get_object_or_404(ApiKey, organization=organization, prefix=prefix)
    if not key.revoked:
        api_key_revoke(key=key)
    messages.success(request, _("The key %(name)s (%(prefix)s) is revoked.") % {"name": key.name, "prefix": key.prefix})
    return redirect("web:org_api_keys", organization.pk)
