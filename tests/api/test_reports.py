"""An assessment's reports: listed for anyone who sees it, requested only with a key that may write."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from api.models import ApiKey
from assessment.models import Assessment, FrameworkVersion, Organization, User
from assessment.services.assessments import assessment_create
from assessment.services.organizations import organization_create
from reports.models import Report
from tests.api.conftest import KeyClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(miit: FrameworkVersion, organization: Organization, owner: User) -> Assessment:
    return assessment_create(organization=organization, framework_version=miit, created_by=owner)


def job(assessment: Assessment, language: str, version: int, status: str = Report.Status.QUEUED) -> Report:
    return Report.objects.create(
        assessment=assessment, language=language, version=version, inputs_hash=f"{language}-{version}", status=status
    )


def test_a_read_only_key_cannot_request_a_report(key_client: KeyClient, owner: User, assessment: Assessment) -> None:
    reader = key_client(owner, scope=ApiKey.Scope.READ)
    response = reader.post(f"/api/v1/assessments/{assessment.pk}/reports/?lang=en", {"language": "en"})
    assert response.status_code == 403
    assert response.json() == {"code": "permission_denied", "message": "This API key is read-only.", "details": {}}
    assert not Report.objects.exists()


def test_a_read_only_key_still_asks_what_if_and_lists_reports(
    key_client: KeyClient, owner: User, assessment: Assessment
) -> None:
    reader = key_client(owner, scope=ApiKey.Scope.READ)
    what_if = reader.post(
        f"/api/v1/assessments/{assessment.pk}/what-if/", {"changes": [{"question": "S01", "level": 3}]}
    )
    assert what_if.status_code == 200
    assert what_if.json()["scenario_levels"]["S01"] == 3
    assert reader.get(f"/api/v1/assessments/{assessment.pk}/reports/").json()["count"] == 0


def test_a_write_key_requests_a_report_that_the_list_then_shows(
    owner_client: APIClient, assessment: Assessment
) -> None:
    requested = owner_client.post(f"/api/v1/assessments/{assessment.pk}/reports/", {"language": "en"})
    assert requested.status_code == 202
    listed = owner_client.get(f"/api/v1/assessments/{assessment.pk}/reports/").json()
    assert listed["results"] == [requested.json()]
    assert listed["results"][0]["status"] == "queued"


def test_every_language_and_version_is_listed_newest_first_as_each_report_reads(
    owner_client: APIClient, assessment: Assessment, miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    first = job(assessment, "en", 1, Report.Status.FAILED)
    chinese = job(assessment, "zh-Hans", 1, Report.Status.RENDERING)
    second = job(assessment, "en", 2, Report.Status.READY)
    elsewhere = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    job(elsewhere, "en", 1)

    body = owner_client.get(f"/api/v1/assessments/{assessment.pk}/reports/").json()

    assert body["count"] == 3
    listed = body["results"]
    assert [(r["id"], r["language"], r["version"], r["status"]) for r in listed] == [
        (second.pk, "en", 2, "ready"),
        (chinese.pk, "zh-Hans", 1, "rendering"),
        (first.pk, "en", 1, "failed"),
    ]
    assert listed[0]["pdf"] == f"/api/v1/reports/{second.pk}/pdf/"
    for report in listed:
        assert report == owner_client.get(f"/api/v1/reports/{report['id']}/").json()


def test_the_list_is_paginated_like_the_others(owner_client: APIClient, assessment: Assessment) -> None:
    made = [job(assessment, "en", version) for version in range(1, 4)]
    path = f"/api/v1/assessments/{assessment.pk}/reports/"
    first = owner_client.get(path, {"page_size": 2}).json()
    assert (first["count"], first["previous"], [r["version"] for r in first["results"]]) == (3, None, [3, 2])
    assert first["next"].endswith(f"{path}?page=2&page_size=2")
    second = owner_client.get(path, {"page": 2, "page_size": 2}).json()
    assert ([r["id"] for r in second["results"]], second["next"]) == ([made[0].pk], None)
    beyond = owner_client.get(path, {"page": 3, "page_size": 2})
    assert (beyond.status_code, beyond.json()["code"]) == (404, "not_found")


def test_another_organisations_reports_are_404(
    key_client: KeyClient, miit: FrameworkVersion, assessment: Assessment
) -> None:
    job(assessment, "en", 1)
    stranger = User.objects.create_user("stranger@example.com", "pw-stranger-1234")
    organization_create(owner=stranger, name="别家企业", sector="C", size_band="small", province="11")
    response = key_client(stranger).get(f"/api/v1/assessments/{assessment.pk}/reports/")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert "en-1" not in response.content.decode()


def test_the_schema_documents_the_paginated_list_and_the_queued_request() -> None:
    schema: dict[str, Any] = APIClient().get("/api/schema/?format=json").json()
    operations = schema["paths"]["/api/v1/assessments/{id}/reports/"]
    listed = operations["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert listed == {"$ref": "#/components/schemas/PaginatedReportList"}
    assert {p["name"] for p in operations["get"]["parameters"]} == {
        "id",
        "page",
        "page_size",
        "lang",
        "Accept-Language",
    }
    page = schema["components"]["schemas"]["PaginatedReportList"]["properties"]
    assert page["results"]["items"] == {"$ref": "#/components/schemas/Report"}
    requested = operations["post"]["responses"]["202"]["content"]["application/json"]["schema"]
    assert requested == {"$ref": "#/components/schemas/Report"}
    assert "403" in operations["post"]["responses"]
