"""Shapes of the offerings and referrals bodies. Parsing only: offerings.services holds the rules."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers import Figure, NonBlankText
from assessment.classification import PROVINCES, SECTORS, SizeBand
from assessment.models import Framework
from assessment.validators import validate_display_text
from offerings.models import Offering, Referral

Serializer = serializers.Serializer[Any]
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,60}")


class FrameworkSlug(serializers.SlugRelatedField):
    """A framework by its slug; what cannot be a slug (a NUL byte, which PostgreSQL refuses) is simply not one."""

    def to_internal_value(self, data: Any) -> Framework:
        if not isinstance(data, str) or not SLUG.fullmatch(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data)[:60])
        found: Framework = super().to_internal_value(data)
        return found


class OfferingSerializer(serializers.ModelSerializer[Offering]):
    provider = serializers.IntegerField(
        source="provider_id", min_value=1, max_value=2**62, help_text="The publishing operator's id (set on create)."
    )
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    framework = FrameworkSlug(
        slug_field="slug",
        queryset=Framework.objects.all(),
        help_text="The framework's slug, e.g. miit-2024-manufacturing.",
    )
    question_keys = serializers.ListField(
        child=NonBlankText(max_length=40),
        min_length=1,
        max_length=200,
        help_text="Question or scenario keys of the framework's published versions, e.g. S07.",
    )
    provinces = serializers.ListField(
        child=serializers.ChoiceField(choices=PROVINCES), required=False, max_length=40, help_text="Empty: everywhere."
    )
    sectors = serializers.ListField(
        child=serializers.ChoiceField(choices=SECTORS), required=False, max_length=30, help_text="Empty: every sector."
    )
    size_bands = serializers.ListField(
        child=serializers.ChoiceField(choices=SizeBand.choices),
        required=False,
        max_length=4,
        help_text="Empty: every size.",
    )

    class Meta:
        model = Offering
        fields = [
            "id",
            "provider",
            "provider_name",
            "kind",
            "title",
            "description",
            "framework",
            "question_keys",
            "level_min",
            "level_max",
            "provinces",
            "sectors",
            "size_bands",
            "price",
            "subsidy",
            "contact_name",
            "contact_email",
            "contact_phone",
            "url",
            "active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class OfferingQuerySerializer(Serializer):
    """The list's filters; each one given must have a value."""

    framework = serializers.SlugField(required=False, max_length=60, help_text="A framework's slug.")
    question = serializers.CharField(required=False, max_length=40, help_text="A question or scenario key, e.g. S07.")
    level = serializers.IntegerField(required=False, min_value=0, max_value=9, help_text="A level the offering covers.")
    province = serializers.ChoiceField(required=False, choices=PROVINCES, help_text="Serves this province.")
    sector = serializers.ChoiceField(required=False, choices=SECTORS, help_text="Serves this sector.")
    size_band = serializers.ChoiceField(required=False, choices=SizeBand.choices, help_text="Serves this size band.")

    def to_internal_value(self, data: Any) -> Any:
        # DRF reads an empty query value as an absent one; `?level=` is a mistake, not "any level" (api.filters).
        names = ("framework", "question", "level", "province", "sector", "size_band")
        blank = {name: [_("Give a value, or leave the parameter out.")] for name in names if data.get(name) == ""}
        if blank:
            raise serializers.ValidationError(blank)
        return super().to_internal_value(data)


class SharedDimensionSerializer(Serializer):
    name = serializers.CharField()
    score = Figure()
    max = Figure()


class SharedResultsSerializer(Serializer):
    framework = serializers.CharField()
    level = serializers.IntegerField()
    level_name = serializers.CharField()
    total = Figure()
    max_total = Figure()
    submitted_at = serializers.DateTimeField(allow_null=True)
    dimensions = SharedDimensionSerializer(many=True)


class ReferralSerializer(serializers.ModelSerializer[Referral]):
    offering = serializers.IntegerField(source="offering_id", read_only=True)
    offering_title = serializers.CharField(source="offering.title", read_only=True)
    provider = serializers.IntegerField(source="offering.provider_id", read_only=True)
    provider_name = serializers.CharField(source="offering.provider.name", read_only=True)
    organization = serializers.IntegerField(source="organization_id", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    results = serializers.SerializerMethodField(
        help_text="The SME's latest submitted level and scores on the offering's framework, only when it shares them."
    )

    class Meta:
        model = Referral
        fields = [
            "id",
            "offering",
            "offering_title",
            "provider",
            "provider_name",
            "organization",
            "organization_name",
            "question_key",
            "message",
            "share_results",
            "contact_name",
            "contact_email",
            "contact_phone",
            "status",
            "outcome",
            "results",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(SharedResultsSerializer(allow_null=True))
    def get_results(self, referral: Referral) -> dict[str, Any] | None:
        shared = self.context["shared"](referral)
        return SharedResultsSerializer(shared).data if shared is not None else None


class ReferralCreateSerializer(Serializer):
    offering = serializers.IntegerField(min_value=1, max_value=2**62)
    organization = serializers.IntegerField(min_value=1, max_value=2**62, help_text="The asking SME's id.")
    question_key = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    share_results = serializers.BooleanField(
        required=False, default=False, help_text="Share the level and scores; otherwise the contact details only."
    )
    contact_name = serializers.CharField(max_length=120, validators=[validate_display_text])
    contact_email = serializers.EmailField()
    contact_phone = serializers.CharField(
        required=False, allow_blank=True, max_length=40, default="", validators=[validate_display_text]
    )


class ReferralUpdateSerializer(Serializer):
    status = serializers.ChoiceField(
        choices=[Referral.Status.PROGRESSED, Referral.Status.CLOSED],
        required=False,
        help_text="Leave out to add a note alone.",
    )
    outcome = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
