"""Frameworks (index systems): the published ones, and one's whole tree in the request's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api import serializers as s
from assessment.framework_format import localised
from assessment.framework_texts import document_language, framework_texts
from assessment.models import FrameworkVersion
from assessment.selectors import framework_version_get


def _version_summary(version: FrameworkVersion) -> dict[str, Any]:
    language = document_language()
    return {
        "slug": version.framework.slug,
        "version": version.label,
        "status": version.status,
        "title": version.title_en if language == "en" else version.title_zh_hans,
        "description": version.description_en if language == "en" else version.description_zh_hans,
        "published_at": version.published_at,
    }


@extend_schema_view(
    list=extend_schema(summary="Published frameworks (index systems)", responses=s.FrameworkSerializer(many=True)),
    retrieve=extend_schema(
        summary="A framework's whole tree",
        parameters=[OpenApiParameter("version", str, description="A version label; the newest published if omitted.")],
        responses=s.FrameworkTreeSerializer,
    ),
)
class FrameworkViewSet(viewsets.ViewSet):
    lookup_field = "slug"
    lookup_value_regex = r"[-a-z0-9_]{1,60}"

    def list(self, request: Request) -> Response:
        versions = FrameworkVersion.objects.filter(status=FrameworkVersion.Status.PUBLISHED).select_related("framework")
        newest: dict[str, FrameworkVersion] = {}
        for version in versions.order_by("framework__slug", "-published_at", "-id"):
            newest.setdefault(version.framework.slug, version)
        return Response([_version_summary(v) for v in newest.values()])

    def retrieve(self, request: Request, slug: str) -> Response:
        label = request.query_params.get("version", "")
        if "\x00" in label:  # PostgreSQL refuses NUL in text: a 400, not a database error
            raise ValidationError({"version": [_("Null characters are not allowed.")]})
        try:
            version = framework_version_get(f"{slug}@{label[:40]}" if label else slug)
        except FrameworkVersion.DoesNotExist:
            raise NotFound(_("No such framework or version.")) from None
        if version.status == FrameworkVersion.Status.DRAFT:
            raise NotFound(_("No such framework or version."))
        language = document_language()
        document = framework_texts(version, language).document
        return Response(
            {
                **_version_summary(version),
                **{k: document[k] for k in ("source", "scoring", "levels", "dimensions")},
                "guidance": localised(version.guidance, language) or None,  # amendable: read from the row
            }
        )
