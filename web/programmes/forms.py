"""Forms of the programme pages; the rules stay in programmes.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from assessment.models import FrameworkVersion, Organization
from programmes.models import Consent, Programme, ProgrammeGroup
from programmes.services import GroupSpec

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_FILE_BYTES = 2 * 1024 * 1024  # a file of the largest allowed number of rows is far below this


class VersionChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: FrameworkVersion) -> str:
        return f"{obj.title_zh_hans} / {obj.title_en} ({obj.reference})"


# The sub-group fields, one per kind of group (ProgrammeGroup.Kind): names, one per line.
GROUP_FIELDS = {
    ProgrammeGroup.Kind.CLUSTER: _("Industrial clusters"),
    ProgrammeGroup.Kind.TIER: _("Supply-chain tiers"),
    ProgrammeGroup.Kind.DISTRICT: _("Districts"),
    ProgrammeGroup.Kind.OTHER: _("Other groups"),
}


class ProgrammeForm(forms.ModelForm[Programme]):
    """A programme: what it counts, its period, the T0/T1 date, its target, who verifies, its groups."""

    framework_versions = VersionChoices(
        label=_("Frameworks"),
        queryset=FrameworkVersion.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The index systems whose assessments the programme counts."),
    )

    class Meta:
        model = Programme
        fields = [
            "name",
            "description",
            "framework_versions",
            "starts_on",
            "ends_on",
            "baseline_date",
            "target_level",
            "target_share",
            "target_date",
            "consultancy",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "starts_on": DATE,
            "ends_on": DATE,
            "baseline_date": DATE,
            "target_date": DATE,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["framework_versions"].queryset = FrameworkVersion.objects.filter(  # type: ignore[attr-defined]
            status=FrameworkVersion.Status.PUBLISHED
        ).select_related("framework")
        consultancy = self.fields["consultancy"]
        consultancy.queryset = Organization.objects.filter(kind=Organization.Kind.CONSULTANCY)  # type: ignore[attr-defined]
        consultancy.help_text = _("Optional: the consultancy that verifies the programme's SMEs on site.")
        self.fields["target_share"].widget.attrs.update({"min": "0", "max": "100", "step": "0.01"})
        self.fields["target_level"].widget.attrs.update({"min": "0", "max": "9"})
        groups = list(self.instance.groups.all()) if self.instance.pk else []
        for kind, label in GROUP_FIELDS.items():
            self.fields[f"groups_{kind}"] = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 3})
            )
            self.initial.setdefault(f"groups_{kind}", "\n".join(g.name for g in groups if g.kind == kind))

    @property
    def group_fields(self) -> list[forms.BoundField]:
        return [self[f"groups_{kind}"] for kind in GROUP_FIELDS]

    def group_specs(self) -> list[GroupSpec]:
        """The sub-groups typed in, each with the kind of the box it was typed in."""
        return [
            GroupSpec(name=line.strip(), kind=kind)
            for kind in GROUP_FIELDS
            for line in self.cleaned_data.get(f"groups_{kind}", "").splitlines()
            if line.strip()
        ]


class OperatorChoiceForm(forms.Form):
    """A person who runs programmes for several operators chooses which one a new programme belongs to."""

    operator = forms.ModelChoiceField(label=_("Operator"), queryset=Organization.objects.none())

    def __init__(self, *args: Any, operators: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["operator"]
        field.queryset = Organization.objects.filter(pk__in=[o.pk for o in operators])  # type: ignore[attr-defined]
        if len(operators) == 1:
            field.initial = operators[0].pk


class InvitationForm(forms.Form):
    """One company, typed in."""

    company_name = forms.CharField(label=_("Company name"), max_length=200)
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=30,
        required=False,
        help_text=_("Optional; when given, only the company registered with this code can accept."),
    )
    email = forms.EmailField(label=_("Contact e-mail"), max_length=254)
    contact_name = forms.CharField(label=_("Contact name"), max_length=120, required=False)
    group = forms.ChoiceField(label=_("Sub-group"), required=False)

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups = list(programme.groups.all())
        if groups:
            self.fields["group"].choices = [("", _("none")), *((g.name, g.name) for g in groups)]  # type: ignore[attr-defined]
        else:
            del self.fields["group"]


class InvitationFileForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: company_name, uscc, email, contact_name, group (or 企业名称, 统一社会信用代码, 联系邮箱, 联系人, "
            "分组). UTF-8 or GBK, as Excel saves it. At most %(rows)d companies."
        )
        % {"rows": settings.PROGRAMME_INVITATIONS_MAX_ROWS},
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB.") % {"size": MAX_FILE_BYTES // (1024 * 1024)}
            )
        content: bytes = upload.read()
        return content


class ConsentForm(forms.Form):
    """The SME owner chooses the enterprise and, explicitly, what the programme may see."""

    organization = forms.ModelChoiceField(label=_("Enterprise"), queryset=Organization.objects.none(), empty_label=None)
    consent = forms.ChoiceField(
        label=_("What the programme may see"),
        choices=Consent.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the programme may see.")},
    )

    def __init__(self, *args: Any, organizations: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            pk__in=[o.pk for o in organizations]
        )


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, withdraw my consent: the programme will no longer see anything of our enterprise."),
        error_messages={"required": _("Tick the box to confirm.")},
    )
