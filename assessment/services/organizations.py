"""Writes: organisations and their profile."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from stdnum.cn import uscc as uscc_number

from assessment.classification import ClassificationError, classify_size
from assessment.models import Membership, Organization, User


@transaction.atomic
def organization_create(
    *,
    owner: User,
    name: str,
    sector: str,
    province: str,
    size_band: str | None = None,
    uscc: str = "",
    employees: int | None = None,
    annual_revenue: Decimal | None = None,
    total_assets: Decimal | None = None,
    industry: str | None = None,
    kind: str = Organization.Kind.SME,
    description: str = "",
) -> Organization:
    """Create an organisation (an enterprise, or a consultancy) with `owner` as its owner; the size band is
    classified when not chosen."""
    if size_band is None:
        try:
            size_band = classify_size(
                sector=sector, employees=employees, revenue=annual_revenue, assets=total_assets, industry=industry
            )
        except ClassificationError as exc:
            raise ValidationError({"size_band": [str(exc)]}) from None
    organization = Organization(
        name=name.strip(),
        kind=kind,
        description=description.strip(),
        uscc=uscc_number.compact(uscc) if uscc else "",
        sector=sector,
        size_band=size_band,
        province=province,
        employees=employees,
        annual_revenue=annual_revenue,
        total_assets=total_assets,
    )
    organization.full_clean()
    organization.save()
    Membership.objects.create(user=owner, organization=organization, role=Membership.Role.OWNER)
    return organization


ORGANIZATION_FIELDS = frozenset(
    {"name", "description", "uscc", "sector", "size_band", "province", "employees", "annual_revenue", "total_assets"}
)


def organization_update(*, organization: Organization, **fields: Any) -> Organization:
    """Change an organisation's profile; results keep the profile they were submitted with."""
    unknown = set(fields) - ORGANIZATION_FIELDS
    if unknown:
        raise ValueError(f"Not organisation fields: {sorted(unknown)}")
    if fields.get("uscc"):
        fields["uscc"] = uscc_number.compact(fields["uscc"])
    for name, value in fields.items():
        setattr(organization, name, value.strip() if name in ("name", "description") else value)
    organization.full_clean()
    organization.save(update_fields=list(fields))
    return organization
