from __future__ import annotations

import json
import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from stdnum.cn import uscc

from assessment.classification import SizeBand
from assessment.models import ConsultantAssignment, Organization, User
from assessment.services.organizations import organization_create

DEMO_ORGANIZATION = "示范机械制造有限公司"
USCC_BODY = "91320505MA1Q2R3T4"  # Suzhou; the check digit is computed below
ACCOUNTS = {
    "owner": "owner@demo.example",
    "consultant": "consultant@demo.example",
    "admin": "admin@demo.example",
}


class Command(BaseCommand):
    help = "Create the demo organisation with an owner, a consultant and an admin account; print the credentials."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
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

        organization = Organization.objects.filter(name=DEMO_ORGANIZATION).first()
        if organization is None:
            organization = organization_create(
                owner=users["owner"],
                name=DEMO_ORGANIZATION,
                sector="C",
                size_band=SizeBand.SMALL,
                province="32",
                uscc=USCC_BODY + uscc.calc_check_digit(USCC_BODY),
                employees=85,
            )
        ConsultantAssignment.objects.get_or_create(consultant=users["consultant"], organization=organization)

        self.stdout.write(f"Demo organisation: {organization.name} (id {organization.pk})")
        for role, email in ACCOUNTS.items():
            self.stdout.write(f"  {role:<10} {email:<26} password: {credentials[role]}")
