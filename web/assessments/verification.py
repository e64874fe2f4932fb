"""Page data of an enterprise's verification: the consultancies it may ask, its requests, its consultants.

People at the consultancy are named as the SME reads them everywhere (results, comments, history): by the
name and qualification of their consultant profile, else by their address.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import QuerySet

from assessment.models import ConsultantAssignment, Organization, User
from review.models import ConsultantProfile, VerificationRequest


@dataclass(frozen=True)
class Reviewer:
    """A consultant assigned to the organisation, as the enterprise reads them."""

    name: str
    email: str
    qualification: str
    certificate_number: str
    consultancy: str  # "" for an operator's direct assignment

    def __str__(self) -> str:
        return self.name


def consultancy_directory() -> QuerySet[Organization]:
    """Every consultancy, by name: a public directory (name, description, province), not a tenancy question."""
    return Organization.objects.filter(kind=Organization.Kind.CONSULTANCY).order_by("name", "id")


def verification_requests(organization: Organization) -> QuerySet[VerificationRequest]:
    """The organisation's requests for verification, newest first."""
    return VerificationRequest.objects.filter(organization=organization).select_related("consultancy", "requested_by")


def reviewers(organization: Organization) -> list[Reviewer]:
    """The consultants assigned to the organisation, with their profiles, by name."""
    assignments = ConsultantAssignment.objects.filter(organization=organization).select_related(
        "consultant__consultant_profile", "consultancy"
    )
    found = []
    for assignment in assignments:
        consultant = assignment.consultant
        profile: ConsultantProfile | None = getattr(consultant, "consultant_profile", None)
        found.append(
            Reviewer(
                name=str(profile) if profile else consultant.email,
                email=consultant.email,
                qualification=profile.qualification if profile else "",
                certificate_number=profile.certificate_number if profile else "",
                consultancy=assignment.consultancy.name if assignment.consultancy else "",
            )
        )
    return sorted(found, key=lambda r: (r.name, r.email))


def people_names(users: Iterable[User | None]) -> Mapping[int, str]:
    """How to name each of `users`: a consultant by their profile's name, anyone else by their address."""
    by_pk = {user.pk: user for user in users if user is not None}
    names = {pk: user.email for pk, user in by_pk.items()}
    for profile in ConsultantProfile.objects.filter(user__in=list(by_pk)):
        names[profile.user_id] = str(profile)
    return names
