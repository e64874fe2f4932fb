"""Query filters of the API's lists."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField

from assessment.models import Assessment, AuditEvent
from review.models import ReviewComment


class IdFilter(filters.NumberFilter):
    field_class = forms.IntegerField


class UtcDateTimeField(IsoDateTimeField):
    """ISO 8601 allows offsets up to ±23:59, PostgreSQL only ±15:59: compare in UTC."""

    def to_python(self, value: Any) -> datetime | None:
        parsed = super().to_python(value)
        try:
            return parsed.astimezone(UTC) if parsed is not None else None
        except OverflowError:  # e.g. 9999-12-31T23:00-05:00 is after datetime.max in UTC
            raise forms.ValidationError(_("Enter a date and time between the years 1 and 9999."), "invalid") from None


class UtcDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class AssessmentFilter(filters.FilterSet):
    organization = IdFilter(field_name="organization_id", min_value=1, max_value=2**62)
    status = filters.MultipleChoiceFilter(choices=Assessment.Status.choices)
    framework = filters.CharFilter(field_name="framework_version__framework__slug", max_length=60)
    submitted_after = UtcDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = UtcDateTimeFilter(field_name="submitted_at", lookup_expr="lte")

    class Meta:
        model = Assessment
        fields: list[str] = []


class CommentFilter(filters.FilterSet):
    question = filters.CharFilter(field_name="question__key", max_length=40, help_text="One question's thread.")
    general = filters.BooleanFilter(
        field_name="question", lookup_expr="isnull", help_text="true: the general thread only."
    )
    visibility = filters.ChoiceFilter(choices=ReviewComment.Visibility.choices)

    class Meta:
        model = ReviewComment
        fields: list[str] = []


class HistoryFilter(filters.FilterSet):
    kind = filters.MultipleChoiceFilter(choices=AuditEvent.Kind.choices)
    question = filters.CharFilter(field_name="question_key", max_length=40)

    class Meta:
        model = AuditEvent
        fields: list[str] = []
