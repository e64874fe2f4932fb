"""The programmes API: CRUD by admins, invitations (one and bulk), enrolments; tenancy and roles."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from assessment.models import FrameworkVersion, Organization, User
from assessment.services.organizations import organization_create
from programmes.models import Enrolment, Programme, ProgrammeInvitation
from tests.helpers import valid_uscc
from tests.programmes.conftest import *  # noqa: F403  (the fixtures)
from tests.programmes.conftest import invite, user

BODY = {
    "name": "API 试点",
    "framework_versions": ["miit-2024-manufacturing@2024"],
    "starts_on": "2026-01-01",
    "ends_on": "2026-12-31",
    "baseline_date": "2026-06-01",
    "target_level": 2,
    "target_share": "60.5",
    "target_date": "2026-12-31",
    "groups": [{"name": "一级供应商", "kind": "tier"}],
}


def api(person: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(person)
    return client


def test_an_admin_creates_a_programme_and_a_viewer_may_not(
    bureau: Organization, staff: dict[str, User], miit: FrameworkVersion
) -> None:
    created = api(staff["admin"]).post("/api/v1/programmes/", {**BODY, "operator": bureau.pk}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["target_share"] == 60.5
    assert body["framework_versions"] == ["miit-2024-manufacturing@2024"]
    assert body["groups"][0]["kind"] == "tier"
    refused = api(staff["viewer"]).post("/api/v1/programmes/", {**BODY, "operator": bureau.pk}, format="json")
    assert refused.status_code == 403
    pk = body["id"]
    assert api(staff["viewer"]).patch(f"/api/v1/programmes/{pk}/", {"name": "x"}, format="json").status_code == 403
    assert api(staff["viewer"]).get(f"/api/v1/programmes/{pk}/").status_code == 200
    assert (
        api(staff["admin"])
        .patch(f"/api/v1/programmes/{pk}/", {"target_level": 3}, format="json")
        .json()["target_level"]
        == 3
    )
    assert api(staff["viewer"]).delete(f"/api/v1/programmes/{pk}/").status_code == 403
    assert api(staff["admin"]).delete(f"/api/v1/programmes/{pk}/").status_code == 204


def test_a_bad_body_is_400_with_field_details(bureau: Organization, staff: Any, miit: FrameworkVersion) -> None:
    response = api(staff["admin"]).post(
        "/api/v1/programmes/",
        {**BODY, "operator": bureau.pk, "target_level": 8, "ends_on": "2025-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert {"target_level", "ends_on"} <= set(response.json()["details"])


def test_another_operator_sees_nothing_of_the_programme(programme: Programme) -> None:
    other = user("head@bank.example")
    organization_create(owner=other, name="某银行", kind="bank", sector="J", size_band="large", province="32")
    client = api(other)
    assert client.get("/api/v1/programmes/").json()["results"] == []
    assert client.get(f"/api/v1/programmes/{programme.pk}/").status_code == 404
    assert client.get(f"/api/v1/programmes/{programme.pk}/invitations/").status_code == 404
    assert client.post(f"/api/v1/programmes/{programme.pk}/invitations/", {}, format="json").status_code == 404


def test_invitations_one_and_bulk_and_the_row_errors(programme: Programme, staff: Any) -> None:
    client = api(staff["admin"])
    one = client.post(
        f"/api/v1/programmes/{programme.pk}/invitations/",
        {"company_name": "甲公司", "email": "a@x.cn", "uscc": valid_uscc(41)},
        format="json",
    )
    assert one.status_code == 201
    assert one.json()["status"] == "pending"
    bad = client.post(
        f"/api/v1/programmes/{programme.pk}/invitations/bulk/",
        {"invitations": [{"company_name": "乙", "email": "b@x.cn"}, {"company_name": "丙", "email": "nope"}]},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_rows"
    assert "row 2.email" in bad.json()["details"]
    upload = SimpleUploadedFile("s.csv", "企业名称,联系邮箱\n乙,b@x.cn\n丙,c@x.cn\n".encode("gbk"))
    bulk = client.post(f"/api/v1/programmes/{programme.pk}/invitations/bulk/", {"file": upload}, format="multipart")
    assert bulk.status_code == 201
    assert len(bulk.json()) == 2
    listed = client.get(f"/api/v1/programmes/{programme.pk}/invitations/").json()
    assert listed["count"] == 3
    revoked = client.post(f"/api/v1/programmes/{programme.pk}/invitations/{one.json()['id']}/revoke/")
    assert revoked.json()["status"] == "revoked"


def test_a_viewer_may_not_list_or_send_invitations(programme: Programme, staff: Any) -> None:
    client = api(staff["viewer"])
    assert client.get(f"/api/v1/programmes/{programme.pk}/invitations/").status_code == 403
    body = {"company_name": "甲", "email": "a@x.cn"}
    assert client.post(f"/api/v1/programmes/{programme.pk}/invitations/", body, format="json").status_code == 403
    assert (
        api(staff["analyst"]).post(f"/api/v1/programmes/{programme.pk}/invitations/", body, format="json").status_code
        == 403
    )


def test_the_sme_accepts_with_consent_and_withdraws(
    programme: Programme, bureau_owner: User, sme: Organization, sme_owner: User
) -> None:
    issued = invite(programme, bureau_owner, uscc=sme.uscc)
    client = api(sme_owner)
    missing = client.post("/api/v1/enrolments/accept/", {"token": issued.token, "organization": sme.pk}, format="json")
    assert missing.status_code == 400
    accepted = client.post(
        "/api/v1/enrolments/accept/",
        {"token": issued.token, "organization": sme.pk, "consent": "results"},
        format="json",
    )
    assert accepted.status_code == 201
    assert accepted.json()["consent"] == "results"
    again = client.post(
        "/api/v1/enrolments/accept/",
        {"token": issued.token, "organization": sme.pk, "consent": "results"},
        format="json",
    )
    assert again.status_code == 409
    pk = accepted.json()["id"]
    assert client.get("/api/v1/enrolments/").json()["count"] == 1
    withdrawn = client.post(f"/api/v1/enrolments/{pk}/withdraw/")
    assert withdrawn.json()["active"] is False
    assert client.post(f"/api/v1/enrolments/{pk}/withdraw/").status_code == 409
    assert not Enrolment.objects.filter(withdrawn_at__isnull=True).exists()


def test_someone_elses_enterprise_cannot_be_enrolled_and_unknown_tokens_are_404(
    programme: Programme, bureau_owner: User, sme: Organization
) -> None:
    issued = invite(programme, bureau_owner)
    stranger = user("stranger@x.example")
    client = api(stranger)
    body = {"token": issued.token, "organization": sme.pk, "consent": "results"}
    assert client.post("/api/v1/enrolments/accept/", body, format="json").status_code == 400
    assert client.post("/api/v1/enrolments/decline/", {"token": "x" * 40}, format="json").status_code == 404
    assert client.post("/api/v1/enrolments/decline/", {"token": issued.token}, format="json").json() == {
        "status": "declined"
    }
    assert ProgrammeInvitation.objects.get().status == "declined"


def test_the_operator_cannot_read_enrolments_through_the_sme_endpoint(enrolment: Enrolment, staff: Any) -> None:
    assert api(staff["admin"]).get("/api/v1/enrolments/").json()["count"] == 0
    assert api(staff["admin"]).get(f"/api/v1/enrolments/{enrolment.pk}/").status_code == 404
