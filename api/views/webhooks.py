"""Webhook endpoints of the organisations the caller owns, and their deliveries."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from api import serializers as s
from api.idempotency import idempotent
from api.pagination import Pages
from api.permissions import OWNER, key_organization, require_role
from api.views import ID, body_organization, caller
from assessment.models import Membership, Organization
from webhooks import services as webhook_services
from webhooks.models import WebhookDelivery, WebhookEndpoint


@extend_schema_view(
    list=extend_schema(summary="Webhook endpoints of the organisations you own"),
    create=extend_schema(summary="Register an HTTPS endpoint (owner); the signing secret is shown once"),
    retrieve=extend_schema(summary="A webhook endpoint"),
    update=extend_schema(summary="Replace a webhook endpoint"),
    partial_update=extend_schema(summary="Change a webhook endpoint"),
    destroy=extend_schema(summary="Remove a webhook endpoint"),
)
class WebhookEndpointViewSet(viewsets.ModelViewSet[WebhookEndpoint]):
    serializer_class = s.WebhookEndpointSerializer
    lookup_value_regex = ID
    pagination_class = Pages
    http_method_names = ["get", "post", "put", "patch", "delete"]

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        """Endpoints are visible to the owners of the organisation only (their secrets sign deliveries)."""
        user = caller(self.request)
        owned = Organization.objects.visible_to(user, only=key_organization(self.request)).filter(
            memberships__user_id=user.pk, memberships__role=Membership.Role.OWNER
        )
        return WebhookEndpoint.objects.filter(organization__in=owned)

    def get_serializer_class(self) -> type[BaseSerializer[WebhookEndpoint]]:
        return s.WebhookEndpointCreateSerializer if self.action == "create" else s.WebhookEndpointSerializer

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = s.WebhookEndpointCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organization = body_organization(request, data.pop("organization_id"))
        require_role(request, organization.pk, OWNER)
        endpoint = webhook_services.webhook_endpoint_create(
            organization=organization,
            created_by=caller(request),
            **data,
        )
        return Response(s.WebhookEndpointCreateSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer: BaseSerializer[WebhookEndpoint]) -> None:
        endpoint = cast(WebhookEndpoint, serializer.instance)
        webhook_services.webhook_endpoint_update(endpoint=endpoint, **serializer.validated_data)

    def perform_destroy(self, instance: WebhookEndpoint) -> None:
        webhook_services.webhook_endpoint_delete(endpoint=instance)

    @extend_schema(
        summary="Deliveries to this endpoint, newest first, with every attempt",
        responses=s.WebhookDeliverySerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str) -> Response:
        endpoint = self.get_object()
        deliveries = WebhookDelivery.objects.filter(endpoint=endpoint).prefetch_related("attempt_log")
        page = self.paginate_queryset(deliveries)  # type: ignore[arg-type]
        return self.get_paginated_response(s.WebhookDeliverySerializer(page, many=True).data)
