"""Writes: API keys."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from api.models import ApiKey
from assessment.models import Organization, User
from assessment.selectors import organization_role
from assessment.validators import validate_display_text


def api_key_create(
    *,
    user: User,
    name: str,
    scope: str = ApiKey.Scope.READ,
    organization: Organization | None = None,
    expires_in_days: int | None = None,
) -> tuple[ApiKey, str]:
    """Create a key acting for `user` (optionally for one organisation: theirs, or one assigned to them as a
    consultant); returns it with the secret, shown once."""
    if scope not in ApiKey.Scope.values:
        raise ValidationError({"scope": [f"Use one of: {', '.join(ApiKey.Scope.values)}."]})
    # A consultant's key may be limited to an organisation assigned to them, as a member's to theirs.
    if organization is not None and organization_role(user, organization.pk) is None:
        raise ValidationError(
            {"organization": [f"{user} is neither a member nor an assigned consultant of {organization}."]}
        )
    if expires_in_days is not None and expires_in_days < 1:
        raise ValidationError({"expires": ["Give a number of days, 1 or more."]})
    expiry = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    if not name.strip():
        raise ValidationError({"name": ["Give the key a name, e.g. the system that will use it."]})
    try:
        validate_display_text(name.strip())  # create_key saves without the model's validation
    except ValidationError as exc:
        raise ValidationError({"name": exc.messages}) from None
    key, secret = ApiKey.objects.create_key(
        name=name.strip()[:50], user=user, organization=organization, scope=scope, expiry_date=expiry
    )
    return key, secret  # type: ignore[return-value]


def api_key_revoke(*, key: ApiKey) -> ApiKey:
    """Revoke for good: requests with the key get 401 from now on."""
    key.revoked = True
    key.save(update_fields=["revoked"])
    return key
