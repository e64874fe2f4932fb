"""Forms of the offering pages: parsing only; offerings.services holds the rules (keys, levels, lists)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from assessment.classification import PROVINCES, SECTORS, SizeBand
from assessment.models import Framework, FrameworkVersion, Organization, User
from offerings.models import Offering, Referral
from offerings.services import OFFERING_FIELDS

KEY_SEPARATORS = re.compile(r"[\s,，;；、]+")


class FrameworkChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        version = (
            FrameworkVersion.objects.filter(framework=obj, status=FrameworkVersion.Status.PUBLISHED)
            .order_by("-id")
            .first()
        )
        if version is None:
            return str(obj.slug)
        return version.title_en if get_language() == "en" else version.title_zh_hans


class OfferingForm(forms.Form):
    provider = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Published by"))
    kind = forms.ChoiceField(label=_("kind"), choices=Offering.Kind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(label=_("description"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    framework = FrameworkChoice(queryset=Framework.objects.none(), label=_("framework"))
    question_keys = forms.CharField(
        label=_("questions and scenarios"),
        max_length=2000,
        help_text=_("Their keys as the framework names them, separated by commas or spaces, e.g. S07, F1."),
    )
    level_min = forms.IntegerField(label=_("from level"), min_value=0, max_value=9, initial=1)
    level_max = forms.IntegerField(label=_("to level"), min_value=0, max_value=9, initial=2)
    provinces = forms.MultipleChoiceField(
        label=_("provinces served"), choices=PROVINCES, required=False, help_text=_("None chosen: everywhere.")
    )
    sectors = forms.MultipleChoiceField(
        label=_("sectors served"), choices=SECTORS, required=False, help_text=_("None chosen: every sector.")
    )
    size_bands = forms.MultipleChoiceField(
        label=_("size bands served"),
        choices=SizeBand.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every size."),
    )
    price = forms.CharField(label=_("price"), max_length=200, required=False)
    subsidy = forms.CharField(label=_("subsidy or financing terms"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("contact"), max_length=120)
    contact_email = forms.EmailField(label=_("contact e-mail"))
    contact_phone = forms.CharField(label=_("contact phone"), max_length=40, required=False)
    url = forms.URLField(label=_("web page"), required=False, assume_scheme="https")
    active = forms.BooleanField(label=_("published"), required=False, initial=True)

    def __init__(self, *args: Any, providers: QuerySet[Organization], frameworks: QuerySet[Framework], **kw: Any):
        super().__init__(*args, **kw)
        for field in self.fields.values():
            field.label = capfirst(field.label)
        provider_field: Any = self.fields["provider"]
        provider_field.queryset = providers
        framework_field: Any = self.fields["framework"]
        framework_field.queryset = frameworks
        if providers.count() == 1:
            self.fields["provider"].initial = providers.first()

    def clean_question_keys(self) -> list[str]:
        return [key for key in KEY_SEPARATORS.split(self.cleaned_data["question_keys"]) if key]

    def offering_fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "provider"}

    @staticmethod
    def initial_of(offering: Offering) -> dict[str, Any]:
        initial = {name: getattr(offering, name) for name in OFFERING_FIELDS - {"framework", "question_keys"}}
        return {
            **initial,
            "provider": offering.provider_id,
            "framework": offering.framework_id,
            "question_keys": ", ".join(offering.question_keys),
        }


class ReferralForm(forms.Form):
    """An SME's request for contact: what it says and what it shares."""

    SHARE_CHOICES = [
        ("contact", _("My contact details only")),
        ("results", _("My contact details, my level and my scores")),
    ]

    message = forms.CharField(
        label=_("message"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    share = forms.ChoiceField(
        label=_("What the provider sees"), choices=SHARE_CHOICES, widget=forms.RadioSelect, initial="contact"
    )
    contact_name = forms.CharField(label=_("contact"), max_length=120)
    contact_email = forms.EmailField(label=_("contact e-mail"))
    contact_phone = forms.CharField(label=_("contact phone"), max_length=40, required=False)
    question_key = forms.CharField(max_length=40, required=False, widget=forms.HiddenInput)

    @staticmethod
    def initial_for(user: User, question_key: str) -> dict[str, Any]:
        name = f"{user.last_name}{user.first_name}".strip() or user.email
        return {"contact_name": name, "contact_email": user.email, "question_key": question_key, "share": "contact"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.label = capfirst(field.label)

    def referral_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["share_results"] = data.pop("share") == "results"
        return data


class ReferralStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(Referral.Status.PROGRESSED, _("in progress")), (Referral.Status.CLOSED, _("closed"))],
    )
    outcome = forms.CharField(
        label=_("note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.label = capfirst(field.label)
