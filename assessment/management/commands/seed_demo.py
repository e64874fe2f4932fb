from __future__ import annotations

import json
import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from stdnum.cn import uscc

from assessment.classification import SizeBand
from assessment.models import (
    Assessment,
    ConsultantAssignment,
    FrameworkVersion,
    Membership,
    Organization,
    User,
)
from assessment.services.assessments import answers_upsert, assessment_create
from assessment.services.organizations import organization_create
from review.models import VerificationRequest
from review.services import (
    assessment_resubmit,
    consultant_assign,
    consultant_profile_save,
    consultant_unassign,
    verification_request_create,
)

DEMO_ORGANIZATION = "示范机械制造有限公司"
USCC_BODY = "91320505MA1Q2R3T4"  # Suzhou; the check digit is computed below
DEMO_CONSULTANCY = "苏州数字化转型评估中心"
CONSULTANCY_USCC_BODY = "52320505MJ5A6B7C8"  # a private non-enterprise unit in Suzhou
ACCOUNTS = {
    "owner": "owner@demo.example",
    "lead": "lead@demo.example",
    "consultant": "consultant@demo.example",
    "admin": "admin@demo.example",
}
ROLES = {
    "owner": f"owner of {DEMO_ORGANIZATION}",
    "lead": f"owner of {DEMO_CONSULTANCY}: leads it, assigns its consultants",
    "consultant": f"consultant 王立 of {DEMO_CONSULTANCY}, assigned to {DEMO_ORGANIZATION}",
    "admin": "superuser (/admin/)",
}
FRAMEWORK = "miit-2024-manufacturing"
# A plausible small manufacturer (58.125 points). F3's own figures (20 of 60 devices networked, 33 %) contradict
# its option (60–100 %): the review screen flags it for the consultant.
ANSWERS: list[dict[str, Any]] = [
    {"question": "F1", "choices": ["B", "C", "D", "E"]},
    {"question": "F2", "choice": "E", "evidence": {"devices_total": 60, "devices_digital": 42}},
    {"question": "F3", "choice": "E", "evidence": {"devices_networked": 20}},
    {"question": "F4", "choices": []},
    {"question": "F5", "choice": "A", "comment": "财务用金蝶单机版，采购和库存仍用 Excel 台账。"},
    {"question": "F6", "choices": ["C", "D", "E"]},
    {"question": "F7", "choices": ["B", "C", "E"]},
    *(
        {"question": f"S{n:02d}", "level": level}
        for n, level in enumerate([1, 3, 1, 4, 2, 1, 3, 1, 0, 0, 3, 4, 1, 3, 3, 3], start=1)
    ),
    {"question": "M1", "choice": "C"},
    {"question": "M2", "choices": ["B", "C", "D", "E"]},
    {"question": "M3", "choices": ["B", "C", "F"]},
    {"question": "M4", "choice": "D"},
    {"question": "R1", "choice": "C"},
    {"question": "R2", "choice": "A"},
    {"question": "R3", "choice": "A"},
    {"question": "R4", "choice": "C"},
]


class Command(BaseCommand):
    help = (
        "Create the demo: an enterprise with its owner, a consultancy with its lead and a consultant assigned to "
        "the enterprise, a submitted assessment waiting for review, an admin; print every account's credentials. "
        "Running it again changes nothing."
    )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        users, credentials = self._accounts()
        organization = self._enterprise(users["owner"])
        consultancy = self._consultancy(users["lead"], users["consultant"])
        self._assignment(organization, consultancy, users)
        assessment = self._assessment_waiting_for_review(organization, users["owner"])

        self.stdout.write(f"Demo organisation: {organization.name} (id {organization.pk})")
        self.stdout.write(f"Demo consultancy: {consultancy.name} (id {consultancy.pk})")
        if assessment is not None:
            self.stdout.write(f"Demo assessment: #{assessment.pk} ({assessment.get_status_display()})")
        else:
            self.stdout.write(
                "No demo assessment: import the frameworks first (manage.py import_framework frameworks/*.yaml)"
            )
        for role, email in ACCOUNTS.items():
            self.stdout.write(f"  {role:<10} {email:<26} password: {credentials[role]}   {ROLES[role]}")

    def _accounts(self) -> tuple[dict[str, User], dict[str, str]]:
        """The demo's accounts, with the passwords they were given (kept in var/, made once)."""
        path = settings.VAR_DIR / "demo-credentials.json"
        credentials: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
        users = {}
        for role, email in ACCOUNTS.items():
            user = User.objects.filter(email=email).first()
            if user is None or role not in credentials:
                credentials[role] = secrets.token_urlsafe(9)
                user = user or User(email=email)
                user.set_password(credentials[role])
                user.is_staff = user.is_superuser = role == "admin"
                user.save()
            users[role] = user
        path.write_text(json.dumps(credentials))
        path.chmod(0o600)
        return users, credentials

    def _enterprise(self, owner: User) -> Organization:
        organization = Organization.objects.filter(name=DEMO_ORGANIZATION).first()
        if organization is None:
            organization = organization_create(
                owner=owner,
                name=DEMO_ORGANIZATION,
                sector="C",
                size_band=SizeBand.SMALL,
                province="32",
                uscc=USCC_BODY + uscc.calc_check_digit(USCC_BODY),
                employees=85,
            )
        return organization

    def _consultancy(self, lead: User, consultant: User) -> Organization:
        consultancy = Organization.objects.filter(name=DEMO_CONSULTANCY).first()
        if consultancy is None:
            consultancy = organization_create(
                owner=lead,
                name=DEMO_CONSULTANCY,
                sector="M",
                size_band=SizeBand.SMALL,
                province="32",
                uscc=CONSULTANCY_USCC_BODY + uscc.calc_check_digit(CONSULTANCY_USCC_BODY),
                employees=24,
            )
        Organization.objects.filter(pk=consultancy.pk).update(
            kind=Organization.Kind.CONSULTANCY,
            description="苏州市中小企业数字化转型试点城市评估机构：按《中小企业数字化水平评测指标（2024年版）》现场评定。",
        )
        consultancy.refresh_from_db()
        Membership.objects.get_or_create(
            user=consultant, organization=consultancy, defaults={"role": Membership.Role.CONSULTANT}
        )
        consultant_profile_save(
            user=consultant,
            family_name="王",
            given_name="立",
            qualification="苏州市中小企业数字化转型评估师",
            certificate_number="SZDT-2026-0001",
        )
        return consultancy

    def _assignment(self, organization: Organization, consultancy: Organization, users: dict[str, User]) -> None:
        """The enterprise asks the consultancy; its lead assigns the consultant (review.services, as in the app)."""
        consultant = users["consultant"]
        earlier = ConsultantAssignment.objects.filter(consultant=consultant, organization=organization).first()
        if earlier is not None and earlier.consultancy_id == consultancy.pk:
            return
        if earlier is not None:  # a direct assignment of an older demo: made again through the consultancy
            consultant_unassign(assignment=earlier, removed_by=None)
        asked = VerificationRequest.objects.filter(organization=organization, consultancy=consultancy)
        if not asked.exclude(status=VerificationRequest.Status.WITHDRAWN).exists():
            verification_request_create(
                organization=organization,
                consultancy=consultancy,
                requested_by=users["owner"],
                message="我们已完成自评，请安排评估师现场核验。",
            )
        consultant_assign(
            consultant=consultant, organization=organization, consultancy=consultancy, assigned_by=users["lead"]
        )

    def _assessment_waiting_for_review(self, organization: Organization, owner: User) -> Assessment | None:
        """One submitted assessment of the MIIT framework (none is made when the organisation has one already)."""
        version = (
            FrameworkVersion.objects.filter(framework__slug=FRAMEWORK, status=FrameworkVersion.Status.PUBLISHED)
            .order_by("-published_at")
            .first()
        )
        if version is None:
            return None
        existing = Assessment.objects.filter(organization=organization, framework_version=version).first()
        if existing is not None:
            return existing
        assessment = assessment_create(organization=organization, framework_version=version, created_by=owner)
        answers_upsert(assessment=assessment, items=ANSWERS, answered_by=owner)
        return assessment_resubmit(assessment=assessment, submitted_by=owner, pledge=True)
