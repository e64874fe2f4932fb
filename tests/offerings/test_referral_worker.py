"""The real path: asking for contact through the API queues the e-mail, and a Celery worker on the real Redis
sends it after commit; the referral row records it."""

from __future__ import annotations

import time
from typing import Any

import pytest
from rest_framework.test import APIClient

from assessment.models import FrameworkVersion, Organization, User
from offerings.models import Referral
from tests.conftest import WorkerFactory
from tests.offerings.conftest import make_offering, provider, provider_admin

__all__ = ["make_offering", "provider", "provider_admin"]

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_worker_mails_the_offerings_contact_once_the_request_is_committed(
    celery_worker_process: WorkerFactory,
    make_offering: Any,
    organization: Organization,
    owner: User,
    miit: FrameworkVersion,
) -> None:
    celery_worker_process(EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
    offering = make_offering()
    client = APIClient()
    client.force_authenticate(owner)
    response = client.post(
        "/api/v1/referrals/",
        {"offering": offering.pk, "organization": organization.pk, "contact_name": "李四", "contact_email": "l@x.cn"},
        format="json",
    )
    assert response.status_code == 201, response.content
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        referral = Referral.objects.get(pk=response.json()["id"])
        if referral.notified_at is not None:
            break
        time.sleep(0.2)
    assert referral.notified_at is not None, "the worker did not send the e-mail in 30 s"
    assert (referral.notify_attempts, referral.notify_error) == (1, "")
