"""Forms of the account and organisation pages; the business rules stay in assessment.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import BaseUserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc as uscc_number

from api.models import ApiKey
from assessment.classification import INDUSTRY_RULES, SECTOR_INDUSTRIES, SizeBand
from assessment.models import Membership, Organization, User
from assessment.services.accounts import INVITABLE_ROLES, invitable_roles, member_roles

INDUSTRY_CHOICES = [
    ("", _("The section's usual rule")),
    *((key, f"{rule.name} · {key.replace('_', ' ')}") for key, rule in INDUSTRY_RULES.items()),
]


def form_errors_add(form: forms.BaseForm, error: ValidationError, *, rename: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError on the form: next to the field it names, else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        field = (rename or {}).get(name, name)
        form.add_error(field if field in form.fields else None, ValidationError(errors))


class SignupForm(BaseUserCreationForm[User]):
    """The account half of sign-up: email and password (twice, checked by AUTH_PASSWORD_VALIDATORS)."""

    class Meta:
        model = User
        fields = ("email",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean_email(self) -> str:
        email: str = User.objects.normalize_email(self.cleaned_data["email"].strip())
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                _("An account with this email address already exists. Log in, or reset your password."),
                code="email_taken",
            )
        return email


class SizeFiguresForm(forms.ModelForm[Organization]):
    """The figures the 2011 SME rules classify by; also the input of the size-band suggestion."""

    industry = forms.ChoiceField(
        label=_("Industry under the SME size rules"),
        choices=INDUSTRY_CHOICES,
        required=False,
        help_text=_(
            "Only for sections with several rules (F retail or wholesale, G, H, I, K). "
            "Used to work out the size band; not stored."
        ),
    )

    class Meta:
        model = Organization
        fields = ["sector", "employees", "annual_revenue", "total_assets"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("annual_revenue", "total_assets"):
            if name in self.fields:  # the model refuses negative amounts; the browser says so before posting
                self.fields[name].widget.attrs["min"] = "0"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        sector, industry = cleaned.get("sector"), cleaned.get("industry")
        if sector and industry and industry not in SECTOR_INDUSTRIES.get(sector, ()):
            self.add_error(
                "industry",
                ValidationError(
                    _("This industry does not belong to section %(sector)s."),
                    code="industry_sector",
                    params={"sector": sector},
                ),
            )
        return cleaned


class OrganizationForm(SizeFiguresForm):
    """The organisation's profile; USCC checked by the model (GB 32100-2015, python-stdnum).

    Only a consultancy has a description (shown to the enterprises that choose one).
    """

    class Meta(SizeFiguresForm.Meta):
        fields = [
            "name",
            "description",
            "uscc",
            "sector",
            "province",
            "employees",
            "annual_revenue",
            "total_assets",
            "size_band",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "organization"
        if not self.instance.is_consultancy and "kind" not in self.fields:
            del self.fields["description"]

    def clean_uscc(self) -> str:
        value: str = self.cleaned_data.get("uscc") or ""
        value = uscc_number.compact(value) if value else ""
        # The model's conditional unique constraint would only say that a constraint "is violated".
        if value and Organization.objects.filter(uscc=value).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("Another organisation is already registered with this code."), code="uscc_taken")
        return value


CONSULTANCY_SECTOR = "M"  # 科学研究和技术服务业: where technical consultancies and assessment bodies are classified
# The sector an operator is given when it chooses none: a bureau is public administration (S), a bank finance (J),
# a provider or a consultancy technical services (M). A chain-leader enterprise gives its own.
DEFAULT_SECTORS = {
    Organization.Kind.CONSULTANCY: CONSULTANCY_SECTOR,
    Organization.Kind.BUREAU: "S",
    Organization.Kind.BANK: "J",
    Organization.Kind.PROVIDER: CONSULTANCY_SECTOR,
}


class SignupOrganizationForm(OrganizationForm):
    """At sign-up the size band may be left to the classifier; an enterprise or a consultancy signs up.

    A consultancy need not give its sector (section M by default) nor its figures, but then chooses its size band.
    """

    kind = forms.ChoiceField(
        label=_("We are"),
        choices=[
            (Organization.Kind.SME, _("An enterprise: we assess our digital maturity")),
            (Organization.Kind.CONSULTANCY, _("A consultancy or assessment body: we verify enterprises' assessments")),
            (Organization.Kind.BUREAU, _("An SME bureau or government body: we run programmes for SMEs")),
            (Organization.Kind.CHAIN_LEADER, _("A chain-leader enterprise: we lift the suppliers of our chain")),
            (Organization.Kind.BANK, _("A bank or financial institution: we finance SMEs' transformation")),
            (Organization.Kind.PROVIDER, _("A service provider: we offer consulting, training or technology")),
        ],
        initial=Organization.Kind.SME,
        required=False,
        widget=forms.RadioSelect,
    )
    size_band = forms.ChoiceField(
        label=_("Size band"),
        choices=[("", _("Work it out from the figures")), *SizeBand.choices],
        required=False,
        help_text=_("Leave it to the 2011 SME rules, or choose it yourself (needed for finance and public bodies)."),
    )

    class Meta(OrganizationForm.Meta):
        fields = ["kind", *OrganizationForm.Meta.fields]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sector"].required = False  # an enterprise's is checked in clean_sector
        self.fields["description"].required = False

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or Organization.Kind.SME

    def _is_consultancy(self) -> bool:
        return self.cleaned_data.get("kind") == Organization.Kind.CONSULTANCY

    def _is_operator(self) -> bool:
        """A consultancy or an operator: no figures needed, but a size band chosen."""
        return self.cleaned_data.get("kind", Organization.Kind.SME) != Organization.Kind.SME

    def clean_description(self) -> str:
        # The field is only hidden for an enterprise (accounts.css): what was typed before switching is dropped.
        return self.cleaned_data.get("description", "") if self._is_consultancy() else ""

    def clean_sector(self) -> str:
        sector: str = self.cleaned_data.get("sector") or ""
        default = DEFAULT_SECTORS.get(self.cleaned_data.get("kind") or Organization.Kind.SME)
        if not sector and default:
            return default
        if not sector:
            raise ValidationError(self.fields["sector"].error_messages["required"], code="required")
        return sector

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        figures = ("employees", "annual_revenue", "total_assets")
        if self._is_operator() and not cleaned.get("size_band") and all(cleaned.get(f) is None for f in figures):
            self.add_error("size_band", ValidationError(_("Choose your size band."), code="required"))
        return cleaned


class InvitationForm(forms.Form):
    """Invite with a role of the organisation's kind: respondent or viewer; a consultancy's lead or consultant;
    an operator's programme administrator, analyst or viewer."""

    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(role.value, role.label) for role in INVITABLE_ROLES],
        initial=Membership.Role.RESPONDENT,
        help_text=_("Respondents answer assessments; viewers read them."),
    )

    def __init__(self, *args: Any, organization: Organization | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organization is not None and organization.is_consultancy:
            role = self.fields["role"]
            role.choices = [(r.value, r.label) for r in invitable_roles(organization)]  # type: ignore[attr-defined]
            role.initial = Membership.Role.CONSULTANT
            role.help_text = _("Consultants verify the assessments they are assigned; leads also assign them.")
        elif organization is not None and organization.is_operator:
            role = self.fields["role"]
            role.choices = [(r.value, r.label) for r in invitable_roles(organization)]  # type: ignore[attr-defined]
            role.initial = Membership.Role.ANALYST
            role.help_text = _(
                "Programme administrators create programmes and invite SMEs; analysts also see the named SMEs' "
                "results; viewers see the programmes' analytics only."
            )


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in member_roles(organization)]  # type: ignore[attr-defined]


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=50,
        help_text=_("What will use the key, e.g. the bank's credit system."),
    )
    scope = forms.ChoiceField(label=_("Scope"), choices=ApiKey.Scope.choices, initial=ApiKey.Scope.READ)
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=_("Leave empty for a key that does not expire."),
    )
