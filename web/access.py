"""What every organisation page starts with: the organisation the user may see, and the user's role in it."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from assessment.models import Organization, User
from assessment.selectors import CONSULTANT, organization_role


def organization_with_role(request: HttpRequest, org_id: int) -> tuple[Organization, str]:
    """The organisation (404 unless the user may see it) and the user's role: a membership role or "consultant"."""
    organization = get_object_or_404(Organization.objects.visible_to(request.user), pk=org_id)
    return organization, organization_role(cast(User, request.user), organization.pk) or CONSULTANT
