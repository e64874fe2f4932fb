"""Organisations: the caller's, created with the caller as owner, changed by owners."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from api import serializers as s
from api.idempotency import idempotent
from api.pagination import Pages
from api.permissions import OWNER, key_organization, require_role
from api.views import ID, caller
from assessment.models import Membership, Organization
from assessment.services.organizations import organization_create, organization_update


@extend_schema_view(
    list=extend_schema(summary="Your organisations"),
    create=extend_schema(summary="Create an organisation (you become its owner)"),
    retrieve=extend_schema(summary="An organisation"),
    update=extend_schema(summary="Replace an organisation's profile (owner)"),
    partial_update=extend_schema(summary="Change an organisation's profile (owner)"),
)
class OrganizationViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Organization],
):
    serializer_class = s.OrganizationSerializer
    lookup_value_regex = ID
    pagination_class = Pages

    def get_queryset(self) -> QuerySet[Organization]:
        user = caller(self.request)
        role = Membership.objects.filter(organization=OuterRef("pk"), user_id=user.pk).values("role")[:1]
        return Organization.objects.visible_to(user, only=key_organization(self.request)).annotate(
            caller_role=Coalesce(Subquery(role), Value("consultant"))
        )

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if key_organization(request) is not None:
            raise PermissionDenied(_("This API key is limited to one organisation."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organization = organization_create(owner=caller(request), **serializer.validated_data)
        organization.caller_role = Membership.Role.OWNER  # type: ignore[attr-defined]
        return Response(self.get_serializer(organization).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_role(request, self.get_object().pk, OWNER)
        return super().update(request, *args, **kwargs)

    def perform_update(self, serializer: BaseSerializer[Organization]) -> None:
        fields = {k: v for k, v in serializer.validated_data.items() if k != "industry"}
        organization_update(organization=cast(Organization, serializer.instance), **fields)
