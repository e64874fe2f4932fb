"""The cohort API: exact figures for any member of the operator (named SMEs for analysts only), exports for
analysts (a file at once, or a job), another operator's programme 404, a viewer's export 403."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from api.services import api_key_create
from assessment.models import FrameworkVersion, User
from programmes.cohort import cohort_member_refresh
from programmes.models import AccessRecord, CohortExport
from tests.programmes.cohort_world import operator_with_programme, standard_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(miit: FrameworkVersion) -> Any:
    return standard_world(miit)


def as_user(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def analytics_url(world: Any) -> str:
    return f"/api/v1/programmes/{world.programme.pk}/analytics/"


def test_an_analyst_reads_exact_figures_with_named_smes(world: Any) -> None:
    response = as_user(world.analyst).get(analytics_url(world), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = json.loads(response.content, parse_float=Decimal)
    assert body["counts"]["enrolled"] == 4
    assert body["total"]["self"]["median"] == Decimal("58.125")
    assert b'"median": 58.125' in response.content or b'"median":58.125' in response.content
    assert [s["name"] for s in body["uplift"]["smes"]] == ["甲精密制造"]


def test_a_viewer_reads_the_figures_without_names(world: Any) -> None:
    body = as_user(world.viewer).get(analytics_url(world)).json()
    assert body["counts"]["assessed"] == 3
    assert body["uplift"]["count"] == 1
    assert body["uplift"]["smes"] == []
    assert "甲精密制造" not in json.dumps(body, ensure_ascii=False)


def test_filters_apply_and_a_bad_one_is_a_400_naming_it(world: Any) -> None:
    client = as_user(world.analyst)
    assert client.get(analytics_url(world), {"group": world.group.pk}).json()["counts"]["enrolled"] == 1
    response = client.get(analytics_url(world), {"size_band": "huge", "province": "99"})
    assert response.status_code == 400
    assert set(response.json()["details"]) == {"size_band", "province"}


def test_another_operator_and_an_enrolled_sme_get_404(world: Any, miit: FrameworkVersion) -> None:
    other = operator_with_programme(miit, prefix="other")
    sme_owner = world.smes["甲精密制造"].memberships.get().user
    for user in (other.owner, sme_owner):
        client = as_user(user)
        assert client.get(analytics_url(world)).status_code == 404
        assert client.get(f"/api/v1/programmes/{world.programme.pk}/export/", {"format": "csv"}).status_code == 404
    assert APIClient().get(analytics_url(world)).status_code == 401


def test_an_api_key_reads_its_operators_programme_and_one_limited_to_another_organisation_gets_404(
    world: Any, miit: FrameworkVersion
) -> None:
    other = operator_with_programme(miit, prefix="other")
    from assessment.models import Membership

    Membership.objects.create(user=world.owner, organization=other.operator, role=Membership.Role.VIEWER)
    for limited, expected in ((None, 200), (world.operator, 200), (other.operator, 404)):
        _key, secret = api_key_create(user=world.owner, name="k", organization=limited)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert client.get(analytics_url(world)).status_code == expected


def test_a_viewer_may_not_export(world: Any) -> None:
    response = as_user(world.viewer).get(f"/api/v1/programmes/{world.programme.pk}/export/", {"format": "csv"})
    assert response.status_code == 403
    assert not AccessRecord.objects.exists()


def test_a_small_export_is_the_file_and_is_logged(world: Any) -> None:
    response = as_user(world.analyst).get(
        f"/api/v1/programmes/{world.programme.pk}/export/", {"format": "csv", "province": "64"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    names = {row[1] for row in list(csv.reader(io.StringIO(text)))[1:]}
    assert names == {"甲精密制造", "乙电子科技", "丁食品"}
    assert AccessRecord.objects.filter(kind="export", viewer=world.analyst).count() == 3


def test_an_unknown_format_is_a_400(world: Any) -> None:
    response = as_user(world.analyst).get(f"/api/v1/programmes/{world.programme.pk}/export/", {"format": "docx"})
    assert response.status_code == 400
    assert "format" in response.json()["details"]


def test_a_large_export_is_a_job_whose_status_and_file_are_scoped(world: Any, settings: Any, miit: Any) -> None:
    settings.COHORT_EXPORT_STREAM_MAX_ROWS = 2
    client = as_user(world.analyst)
    response = client.get(f"/api/v1/programmes/{world.programme.pk}/export/", {"format": "xlsx"})
    assert response.status_code == 202
    job = response.json()
    assert (job["status"], job["rows_total"], job["file_url"]) == ("queued", 4, None)
    assert response["Location"] == f"/api/v1/programme-exports/{job['id']}/"
    assert client.get(response["Location"]).json()["id"] == job["id"]
    not_ready = client.get(f"/api/v1/programme-exports/{job['id']}/file/")
    assert (not_ready.status_code, not_ready.json()["code"]) == (409, "not_ready")
    assert as_user(world.viewer).get(response["Location"]).status_code == 403
    other = operator_with_programme(miit, prefix="other")
    assert as_user(other.owner).get(response["Location"]).status_code == 404
    assert CohortExport.objects.get().status == CohortExport.Status.QUEUED


def test_a_withdrawn_sme_is_gone_from_the_api(world: Any) -> None:
    enrolment = world.enrolments["甲精密制造"]
    enrolment.withdrawn_at = timezone.now()
    enrolment.save(update_fields=["withdrawn_at"])
    cohort_member_refresh(enrolment_id=enrolment.pk)
    body = as_user(world.analyst).get(analytics_url(world)).json()
    assert (body["counts"]["enrolled"], body["counts"]["withdrawn"]) == (3, 1)
    assert body["uplift"]["smes"] == []
