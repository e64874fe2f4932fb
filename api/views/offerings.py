"""Offerings (every signed-in caller reads the published ones; an operator's administrators write theirs) and
referrals (an SME asks; the provider and the SME each see their own and mark them in progress or closed)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api import offering_serializers as s
from api.idempotency import idempotent
from api.pagination import Pages
from api.permissions import key_organization
from api.views import ID, body_organization, caller
from assessment.models import Organization
from offerings.models import Offering, Referral
from offerings.selectors import offerings_filtered, offerings_visible, referral_shared_results, referrals_visible
from offerings.services import offering_create, offering_update, referral_create, referral_status_set


@extend_schema_view(
    list=extend_schema(
        summary="Published offerings (and all of your operators' own), filterable",
        parameters=[s.OfferingQuerySerializer],
    ),
    create=extend_schema(summary="Publish an offering (an operator's programme administrators)"),
    retrieve=extend_schema(summary="An offering"),
    partial_update=extend_schema(summary="Change, publish or unpublish (active) an offering"),
)
class OfferingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Offering],
):
    serializer_class = s.OfferingSerializer
    lookup_value_regex = ID
    pagination_class = Pages
    http_method_names = ["get", "post", "patch"]

    def get_queryset(self) -> QuerySet[Offering]:
        return offerings_visible(caller(self.request), only=key_organization(self.request)).order_by("title", "id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = s.OfferingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = dict(query.validated_data)
        offerings = self.get_queryset()
        if "framework" in filters:
            offerings = offerings.filter(framework__slug=filters.pop("framework"))
        found = offerings_filtered(offerings, filters)
        page = self.paginate_queryset(found)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        provider = (
            Organization.objects.visible_to(request.user, only=key_organization(request))
            .filter(pk=data.pop("provider_id"))
            .first()
        )
        if provider is None:
            raise ValidationError({"provider": [_("No such organisation.")]})
        offering = offering_create(provider=provider, created_by=caller(request), **data)
        return Response(self.get_serializer(offering).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        offering = self.get_object()
        serializer = self.get_serializer(offering, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if data.pop("provider_id", offering.provider_id) != offering.provider_id:
            raise ValidationError({"provider": [_("An offering stays with its provider.")]})
        offering_update(offering=offering, updated_by=caller(request), **data)
        return Response(self.get_serializer(offering).data)


@extend_schema_view(
    list=extend_schema(summary="Referrals your organisations sent (as an SME) or received (as a provider)"),
    create=extend_schema(
        summary="Ask an offering's provider for contact (an SME's owners and respondents)",
        request=s.ReferralCreateSerializer,
    ),
    retrieve=extend_schema(summary="A referral"),
    partial_update=extend_schema(
        summary="Mark a referral in progress or closed, with a note (either side)", request=s.ReferralUpdateSerializer
    ),
)
class ReferralViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Referral],
):
    serializer_class = s.ReferralSerializer
    lookup_value_regex = ID
    pagination_class = Pages
    http_method_names = ["get", "post", "patch"]

    def get_queryset(self) -> QuerySet[Referral]:
        return referrals_visible(caller(self.request), only=key_organization(self.request)).order_by(
            "-created_at", "-id"
        )

    def get_serializer_context(self) -> dict[str, Any]:
        language = "en" if get_language() == "en" else "zh-Hans"
        return {**super().get_serializer_context(), "shared": lambda r: referral_shared_results(r, language=language)}

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = s.ReferralCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organization = body_organization(request, data.pop("organization"))
        offering = Offering.objects.filter(pk=data.pop("offering"), active=True).select_related("provider").first()
        if offering is None:
            raise ValidationError({"offering": [_("No such published offering.")]})
        referral = referral_create(offering=offering, organization=organization, requested_by=caller(request), **data)
        return Response(self.get_serializer(referral).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        referral = self.get_object()
        serializer = s.ReferralUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral_status_set(referral=referral, updated_by=caller(request), **serializer.validated_data)
        return Response(self.get_serializer(referral).data)
