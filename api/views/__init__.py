"""The REST API (/api/v1/): one module per resource, and here the helpers they share.

Each view parses input, checks who may do it, calls one service and shapes the output.
"""

from __future__ import annotations

from typing import cast

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request

from api.permissions import key_organization
from assessment.models import Assessment, Organization, User

ID = r"[0-9]{1,18}"  # longer numbers are not ids: 404 rather than a database overflow
# The assessment of the URL, for the resources below it (assessments/{id}/comments/ …): routers take this prefix.
ASSESSMENT_PREFIX = rf"assessments/(?P<id>{ID})"
# Described as the routes take it, as every other id is: digits, not an integer of any size.
ASSESSMENT_ID = OpenApiParameter(
    "id", str, OpenApiParameter.PATH, pattern=f"^{ID}$", description="The assessment's id.", required=True
)


def caller(request: Request) -> User:
    """The signed-in user (IsAuthenticated has run)."""
    return cast(User, request.user)


def body_organization(request: Request, pk: int) -> Organization:
    """An organisation named in a request body: one the caller may see, else a 400 that reveals nothing."""
    organization = Organization.objects.visible_to(request.user, only=key_organization(request)).filter(pk=pk).first()
    if organization is None:
        raise ValidationError({"organization": [_("No such organisation.")]})
    return organization


def url_assessment(request: Request, pk: str) -> Assessment:
    """The assessment in the URL, if the caller may see it (the key's organisation only, if limited), else 404."""
    visible = Assessment.objects.visible_to(request.user, only=key_organization(request))
    return get_object_or_404(visible.select_related("organization", "framework_version__framework"), pk=pk)
