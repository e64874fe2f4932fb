"""Forms of the assessment pages: each cleans what a page posts into what one service takes."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from assessment.framework_format import Document
from assessment.framework_texts import document_language
from assessment.models import Assessment, FrameworkVersion, Organization
from reports.models import Report
from review.models import ReviewComment
from scoring.engine.framework import EvidenceField, Question
from scoring.engine.values import LARGEST_NUMBER, LONGEST_COMMENT, LONGEST_EVIDENCE_TEXT, LONGEST_TEXT
from scoring.wording import evidence_labels
from web.templatetags.question_keys import key_and_text

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
LEVELS = [(str(level), str(level)) for level in range(5)]


def _number_field(
    label: _StrOrPromise, *, minimum: Decimal | None = None, maximum: Decimal | None = None, whole: bool = False
) -> forms.Field:
    """A number no larger than the answer format allows (10^12 in size), within the field's own bounds."""
    lower = -LARGEST_NUMBER if minimum is None else max(minimum, -LARGEST_NUMBER)
    upper = LARGEST_NUMBER if maximum is None else min(maximum, LARGEST_NUMBER)
    if whole:
        return forms.IntegerField(label=label, required=False, min_value=int(lower), max_value=int(upper))
    return forms.DecimalField(label=label, required=False, min_value=lower, max_value=upper)


def _yes_no(value: str) -> bool:
    return value == "yes"


def _evidence_field(spec: EvidenceField, label: str) -> forms.Field:
    if spec.type == "text":
        return forms.CharField(label=label, required=False, max_length=LONGEST_EVIDENCE_TEXT)
    if spec.type == "boolean":
        return forms.TypedChoiceField(label=label, required=False, choices=YES_NO, coerce=_yes_no, empty_value=None)
    return _number_field(label, minimum=spec.min, maximum=spec.max, whole=spec.type == "integer")


def messages_of(form: forms.Form) -> list[str]:
    """Every error of a form as one line each, named by its field's label."""
    lines: list[str] = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        lines.extend(f"{label}: {error}" if label else str(error) for error in errors)
    return lines


class AnswerForm(forms.Form):
    """One question's answer as the wizard posts it; `item` is it in the answer format.

    The form reads the page's fields; the answer format's rules (an exclusive option alone, a number
    inside a band, before and after together) are the engine's, checked when the item is saved.
    """

    comment = forms.CharField(label=_("Comment"), required=False, max_length=LONGEST_COMMENT)

    def __init__(self, data: Any, *, question: Question, node: Document) -> None:
        super().__init__(data)
        self.question = question
        self.item: dict[str, Any] = {}
        options = [(o.key, o.key) for o in question.options]
        kind = question.kind
        if kind == "single_choice":
            self.fields["choice"] = forms.ChoiceField(label=_("Answer"), required=False, choices=options)
            if question.suggest is not None:
                self.fields["use_suggestion"] = forms.ChoiceField(
                    label=_("Suggested option"), required=False, choices=options
                )
        elif kind == "multiple_choice":
            self.fields["choices"] = forms.MultipleChoiceField(label=_("Answer"), required=False, choices=options)
            self.fields["none_of_these"] = forms.BooleanField(label=_("None of these"), required=False)
        elif kind == "banded_number":
            self.fields["number"] = _number_field(_("Number"))
        elif kind == "scenario":
            self.fields["level"] = forms.TypedChoiceField(
                label=_("Level"), required=False, choices=LEVELS, coerce=int, empty_value=None
            )
        elif kind == "before_after":
            self.fields["before"] = _number_field(_("Before"))
            self.fields["after"] = _number_field(_("After"))
        elif kind == "yes_no":
            self.fields["yes"] = forms.TypedChoiceField(
                label=_("Answer"), required=False, choices=YES_NO, coerce=_yes_no, empty_value=None
            )
        elif kind == "text":
            self.fields["text"] = forms.CharField(
                label=_("Answer"), required=False, max_length=question.max_length or LONGEST_TEXT
            )
        if question.not_applicable is not None:
            self.fields["not_applicable"] = forms.BooleanField(label=_("Not applicable"), required=False)
        labels = evidence_labels(node)
        for spec in question.evidence:
            self.fields[f"evidence.{spec.key}"] = _evidence_field(spec, labels.get(spec.key, spec.key))

    def _value(self, cleaned: dict[str, Any]) -> dict[str, Any]:
        question = self.question
        kind = question.kind
        if kind == "single_choice":
            choice = cleaned.get("use_suggestion") or cleaned.get("choice")
            return {"choice": choice} if choice else {}
        if kind == "multiple_choice":
            choices = cleaned.get("choices") or []
            if cleaned.get("none_of_these"):  # the page's own checkbox for an empty choice
                if choices:
                    raise forms.ValidationError(_("“None of these” cannot be chosen together with an option."))
                return {"choices": []}
            return {"choices": choices} if choices else {}
        if kind == "banded_number":
            number = cleaned.get("number")
            return {} if number is None else {"number": number}
        if kind == "scenario":
            level = cleaned.get("level")
            return {} if level is None else {"level": level}
        if kind == "before_after":
            return {name: cleaned[name] for name in ("before", "after") if cleaned.get(name) is not None}
        if kind == "yes_no":
            yes = cleaned.get("yes")
            return {} if yes is None else {"yes": yes}
        text = cleaned.get("text")
        return {"text": text} if text else {}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        item: dict[str, Any] = {"question": self.question.key}
        if cleaned.get("not_applicable"):
            item["not_applicable"] = True  # the value fields are set aside, as the page greys them out
        else:
            item.update(self._value(cleaned))
        evidence = {
            spec.key: cleaned[f"evidence.{spec.key}"]
            for spec in self.question.evidence
            if cleaned.get(f"evidence.{spec.key}") not in (None, "")
        }
        if evidence:
            item["evidence"] = evidence
        if cleaned.get("comment"):
            item["comment"] = cleaned["comment"]
        self.item = item
        return cleaned


def framework_version_label(version: FrameworkVersion) -> str:
    """The version's title in the page's language and its edition, unless the title names it already."""
    title = version.title_en if document_language() == "en" else version.title_zh_hans
    return title if version.label in title else f"{title} ({version.label})"


class FrameworkVersionField(forms.ModelChoiceField[FrameworkVersion]):
    def label_from_instance(self, obj: FrameworkVersion) -> str:
        return framework_version_label(obj)


class PreviousAssessmentField(forms.ModelChoiceField[Assessment]):
    def label_from_instance(self, obj: Assessment) -> str:
        return _("%(framework)s · %(status)s · %(date)s") % {
            "framework": framework_version_label(obj.framework_version),
            "status": obj.get_status_display(),
            "date": (obj.submitted_at or obj.created_at).date().isoformat(),
        }


# The framework an organisation's sector (GB/T 4754-2017 section) suggests; any other sector gets DEFAULT_FRAMEWORK.
# MIIT's 2024 index has a questionnaire per industry and only the manufacturing one (section C) is bundled.
SECTOR_FRAMEWORKS = {"C": "miit-2024-manufacturing"}
DEFAULT_FRAMEWORK = "eu-dma"


def framework_suggested(organization: Organization, versions: list[FrameworkVersion]) -> FrameworkVersion | None:
    """The framework for the organisation's sector, else the general one; `versions` newest first per framework."""
    for slug in (SECTOR_FRAMEWORKS.get(organization.sector), DEFAULT_FRAMEWORK):
        found = next((v for v in versions if v.framework.slug == slug), None)
        if found is not None:
            return found
    return versions[0] if versions else None


class AssessmentStartForm(forms.Form):
    framework = FrameworkVersionField(label=_("Framework"), queryset=FrameworkVersion.objects.none(), empty_label=None)
    previous = PreviousAssessmentField(
        label=_("Re-assessment of"),
        queryset=Assessment.objects.none(),
        required=False,
        empty_label=_("None: a first assessment"),
        help_text=_("Choose an earlier assessment of the same framework to compare with it (T0 → T1)."),
    )
    copy_answers = forms.BooleanField(
        label=_("Start from its answers (copied; change what has changed)"), required=False, initial=False
    )

    def __init__(self, *args: Any, organization: Organization, first: bool | None = None, **kwargs: Any) -> None:
        """`first`: whether the organisation has no assessment yet (None: look it up)."""
        super().__init__(*args, **kwargs)
        published = FrameworkVersion.objects.filter(status=FrameworkVersion.Status.PUBLISHED).select_related(
            "framework"
        )
        versions = list(published)
        field = self.fields["framework"]
        field.queryset = published  # type: ignore[attr-defined]
        field.choices = [(v.pk, framework_version_label(v)) for v in versions]  # type: ignore[attr-defined]
        suggested = framework_suggested(organization, versions)
        if suggested is not None:
            field.initial = suggested.pk
            field.help_text = _("Suggested for your organisation's sector: %(framework)s.") % {
                "framework": framework_version_label(suggested)
            }
        earlier = Assessment.objects.filter(organization=organization).select_related("framework_version__framework")
        self.fields["previous"].queryset = earlier  # type: ignore[attr-defined]
        if first is None:
            first = not earlier.exists()
        if first:  # nothing to compare with or copy from
            del self.fields["previous"], self.fields["copy_answers"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        version, previous = cleaned.get("framework"), cleaned.get("previous")
        if (
            version is not None
            and previous is not None
            and previous.framework_version.framework_id != version.framework_id
        ):
            self.add_error("previous", _("Choose an earlier assessment of the same framework."))
        return cleaned


class SubmitForm(forms.Form):
    pledge = forms.BooleanField(
        label=_(
            "I confirm that these answers are true and complete to the best of my knowledge, and that the "
            "evidence behind them can be shown on request (truthfulness pledge)."
        ),
        error_messages={"required": _("Confirm that the answers are true (the truthfulness pledge) to submit.")},
    )


class DocumentForm(forms.Form):
    """An evidence file; what it may be is the service's to say (assessment.services.documents)."""

    file = forms.FileField(label=_("Attach a document"), error_messages={"required": _("Choose a file to attach.")})


class ReportForm(forms.Form):
    language = forms.ChoiceField(label=_("Report language"), choices=Report.Language.choices)


class PeerForm(forms.Form):
    peers = forms.MultipleChoiceField(
        label=_("Compare with organisations of the same"),
        required=False,
        choices=[("sector", _("sector")), ("size_band", _("size band")), ("province", _("province"))],
        widget=forms.CheckboxSelectMultiple,
    )


class WhatIfForm(forms.Form):
    """Hypothetical answers to some questions; `changes` is them in the answer format."""

    def __init__(self, data: Any, *, questions: list[tuple[Question, Document]]) -> None:
        super().__init__(data)
        self.questions = questions
        self.changes: list[dict[str, Any]] = []
        for question, node in questions:
            name, label = f"q.{question.key}", key_and_text(question.key, node["text"])
            options = [(o["key"], o["text"]) for o in node.get("options", [])]
            if question.kind == "single_choice":
                self.fields[name] = forms.ChoiceField(label=label, choices=options)
            elif question.kind == "multiple_choice":
                self.fields[name] = forms.MultipleChoiceField(label=label, choices=options, required=False)
            elif question.kind == "scenario":
                self.fields[name] = forms.TypedChoiceField(label=label, choices=LEVELS, coerce=int)
            elif question.kind == "yes_no":
                self.fields[name] = forms.TypedChoiceField(label=label, choices=YES_NO, coerce=_yes_no)
            elif question.kind == "banded_number":
                field = _number_field(label)
                field.required = True
                self.fields[name] = field

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        value_keys = {
            "single_choice": "choice",
            "multiple_choice": "choices",
            "scenario": "level",
            "yes_no": "yes",
            "banded_number": "number",
        }
        self.changes = [
            {"question": question.key, value_keys[question.kind]: cleaned[f"q.{question.key}"]}
            for question, _node in self.questions
            if f"q.{question.key}" in cleaned
        ]
        return cleaned


class VerificationRequestForm(forms.Form):
    """An owner asks one consultancy of the directory to verify the organisation's assessments."""

    consultancy = forms.ModelChoiceField(
        label=_("Consultancy"),
        queryset=Organization.objects.filter(kind=Organization.Kind.CONSULTANCY),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the consultancy to ask."), "invalid_choice": _("Choose a consultancy.")},
    )
    message = forms.CharField(
        label=_("Message to the consultancy (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. which assessment to verify, and when a visit would suit you."),
    )


class CommentForm(forms.Form):
    """A comment in a question's thread or the general one; consultants also choose who may read it."""

    question = forms.ChoiceField(label=_("About"), required=False)
    body = forms.CharField(label=_("Your comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    visibility = forms.ChoiceField(
        label=_("Who may read it"), choices=ReviewComment.Visibility.choices, initial=ReviewComment.Visibility.SHARED
    )

    def __init__(self, *args: Any, questions: list[tuple[str, str]], internal: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["question"].choices = [("", _("The assessment as a whole")), *questions]  # type: ignore[attr-defined]
        if not internal:  # the enterprise's comments are always shared
            del self.fields["visibility"]
