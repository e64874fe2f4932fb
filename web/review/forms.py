"""Forms of the consultant's pages: each cleans what a page posts into what one review service takes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from assessment.models import Organization, User
from review.models import ConsultantProfile, ReviewComment, ReviewItem
from web.review.pages import REVIEW_STATUSES


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string; an unknown value filters nothing."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Every status")), *((s.value, s.label) for s in REVIEW_STATUSES)],
    )
    organization = forms.TypedChoiceField(label=_("Enterprise"), required=False, coerce=int, empty_value=None)

    def __init__(self, data: Any, *, organizations: list[Organization]) -> None:
        super().__init__(data)
        field = self.fields["organization"]
        field.choices = [("", _("Every enterprise")), *((o.pk, o.name) for o in organizations)]  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """The valid filters: {"status": …, "organization": …}, each only when chosen."""
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}


class VerdictForm(forms.Form):
    """A verdict on one answer; the adjusted answer itself is read by web.assessments.forms.AnswerForm."""

    verdict = forms.ChoiceField(label=_("Verdict"), choices=ReviewItem.Verdict.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=4000, widget=forms.Textarea)
    message = forms.CharField(label=_("Message to the enterprise"), required=False, max_length=4000)

    @property
    def is_adjusted(self) -> bool:
        return self.cleaned_data.get("verdict") == ReviewItem.Verdict.ADJUSTED

    def service_text(self) -> dict[str, str]:
        """The reason and message the verdict carries; the others' fields may hold text typed before switching."""
        verdict = self.cleaned_data["verdict"]
        keeps_reason = verdict in (ReviewItem.Verdict.ADJUSTED, ReviewItem.Verdict.UNVERIFIABLE)
        return {
            "reason": self.cleaned_data["reason"] if keeps_reason else "",
            "message": self.cleaned_data["message"] if verdict == ReviewItem.Verdict.CHANGE_REQUESTED else "",
        }


class CommentForm(forms.Form):
    question = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    body = forms.CharField(label=_("Comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    visibility = forms.ChoiceField(
        label=_("Who reads it"),
        choices=[
            (ReviewComment.Visibility.SHARED, _("The enterprise and the consultancy")),
            (ReviewComment.Visibility.INTERNAL, _("Only our consultancy (internal)")),
        ],
        initial=ReviewComment.Visibility.SHARED,
        widget=forms.RadioSelect,
    )


class ReturnForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the enterprise"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Say what to change and why; the change requests below go with it."),
    )


class FinalizeForm(forms.Form):
    statement = forms.CharField(
        label=_("The statement you sign"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ProfileForm(forms.ModelForm[ConsultantProfile]):
    class Meta:
        model = ConsultantProfile
        fields = ["family_name", "given_name", "qualification", "certificate_number"]


class ConflictForm(forms.Form):
    """A conflict of interest with an enterprise on the platform, or with a company by its credit code."""

    organization = forms.ModelChoiceField(
        label=_("Enterprise on this platform"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("Another company (give its credit code)"),
    )
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=18, required=False)
    company_name = forms.CharField(label=_("Company"), max_length=200, required=False)
    reason = forms.CharField(
        label=_("Nature of the conflict"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. you advised it on its digital upgrade, or a relative works there."),
    )

    def __init__(self, *args: Any, consultant: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        enterprises = Organization.objects.visible_to(consultant).filter(kind=Organization.Kind.SME)
        self.fields["organization"].queryset = enterprises  # type: ignore[attr-defined]


class ConsultantField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.email


class AssignForm(forms.Form):
    consultant = ConsultantField(label=_("Consultant"), queryset=User.objects.none())

    def __init__(self, *args: Any, reviewers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consultant"].queryset = reviewers  # type: ignore[attr-defined]
