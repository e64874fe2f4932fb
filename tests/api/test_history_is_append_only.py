"""The history the API shows cannot be altered: the database refuses every UPDATE and DELETE, and the API has
no method that would try."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from assessment.models import Assessment, AuditEvent


@pytest.fixture
def reviewed(consultant_client: APIClient, submitted: Assessment) -> Assessment:
    consultant_client.post(f"/api/v1/assessments/{submitted.pk}/review/start/")
    body = {"verdict": "adjusted", "answer": {"choice": "A"}, "reason": "台账不符"}
    assert consultant_client.put(f"/api/v1/assessments/{submitted.pk}/review/items/F2/", body).status_code == 200
    return submitted


def _raw(sql: str) -> Callable[[int], None]:
    def run(pk: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, [pk])

    return run


ATTEMPTS = {
    "raw UPDATE": _raw("UPDATE assessment_auditevent SET reason = 'nothing happened' WHERE id = %s"),
    "raw UPDATE of the actor": _raw("UPDATE assessment_auditevent SET actor_id = NULL WHERE id = %s"),
    "raw DELETE": _raw("DELETE FROM assessment_auditevent WHERE id = %s"),
    "ORM update": lambda pk: AuditEvent.objects.filter(pk=pk).update(reason="nothing happened") and None,
    "ORM delete": lambda pk: AuditEvent.objects.filter(pk=pk).delete() and None,
}


@pytest.mark.parametrize("attempt", ATTEMPTS)
def test_the_database_refuses_to_alter_history(attempt: str, reviewed: Assessment, owner_client: APIClient) -> None:
    path = f"/api/v1/assessments/{reviewed.pk}/history/?page_size=200"
    before = owner_client.get(path).json()
    verdict = AuditEvent.objects.get(assessment=reviewed, kind=AuditEvent.Kind.VERDICT_SET)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        ATTEMPTS[attempt](verdict.pk)
    assert owner_client.get(path).json() == before
    assert [e["reason"] for e in before["results"] if e["kind"] == "verdict_set"] == ["台账不符"]


def test_the_api_offers_no_way_to_change_history(reviewed: Assessment, consultant_client: APIClient) -> None:
    path = f"/api/v1/assessments/{reviewed.pk}/history/"
    count = AuditEvent.objects.filter(assessment=reviewed).count()
    for method in ("post", "put", "patch", "delete"):
        response = getattr(consultant_client, method)(path, {"reason": "x"}, format="json")
        assert response.status_code == 405, method
        assert response.json()["code"] == "method_not_allowed"
    assert AuditEvent.objects.filter(assessment=reviewed).count() == count
