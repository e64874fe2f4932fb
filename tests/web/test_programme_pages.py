"""The programme pages with the Django test client: operator side, SME side, tenancy and the access log."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from assessment.models import Organization, User
from assessment.services.organizations import organization_create
from programmes.cohort import cohort_member_refresh
from programmes.models import AccessRecord, Enrolment, Programme, ProgrammeInvitation
from scoring.selectors import assessment_result
from tests.helpers import valid_uscc
from tests.programmes.conftest import *  # noqa: F403  (the fixtures)
from tests.programmes.conftest import invite, user


def logged_in(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_the_overview_shows_the_target_and_counts(programme: Programme, staff: dict[str, User], enrolment: Any) -> None:
    page = logged_in(staff["viewer"]).get(f"/programmes/{programme.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "60 %" in text or "60%" in text  # English "60 %", Chinese "60%"
    assert 'id="count-enrolled">1<' in text


def test_another_operators_programme_does_not_exist_for_you(programme: Programme) -> None:
    other = user("head@bank.example")
    organization_create(owner=other, name="某银行", kind="bank", sector="J", size_band="large", province="32")
    client = logged_in(other)
    for path in ("", "edit/", "invitations/", "smes/"):
        assert client.get(f"/programmes/{programme.pk}/{path}").status_code == 404


def test_a_viewer_sees_the_overview_but_no_named_enterprise(programme: Programme, staff: Any, enrolment: Any) -> None:
    client = logged_in(staff["viewer"])
    assert client.get(f"/programmes/{programme.pk}/smes/").status_code == 403
    assert client.get(f"/programmes/{programme.pk}/smes/{enrolment.organization_id}/").status_code == 403
    assert client.get(f"/programmes/{programme.pk}/edit/").status_code == 403


def test_an_admin_creates_a_programme_through_the_form(bureau: Organization, staff: Any, miit: Any) -> None:
    response = logged_in(staff["admin"]).post(
        "/programmes/new/",
        {
            "operator": bureau.pk,
            "name": "链主供应商提升计划",
            "framework_versions": [miit.pk],
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "baseline_date": "2026-03-01",
            "target_level": "2",
            "target_share": "60",
            "target_date": "2026-12-31",
            "groups_tier": "一级供应商\n二级供应商",
        },
    )
    programme = Programme.objects.get(name="链主供应商提升计划")
    assert response.status_code == 302
    assert sorted(g.name for g in programme.groups.all()) == ["一级供应商", "二级供应商"]


def test_an_invalid_programme_form_answers_422_with_the_errors(bureau: Organization, staff: Any, miit: Any) -> None:
    response = logged_in(staff["admin"]).post(
        "/programmes/new/",
        {
            "operator": bureau.pk,
            "name": "x",
            "framework_versions": [miit.pk],
            "starts_on": "2026-05-01",
            "ends_on": "2026-01-01",
            "baseline_date": "2026-03-01",
            "target_level": "8",
            "target_share": "160",
            "target_date": "2026-12-31",
        },
    )
    assert response.status_code == 422
    assert not Programme.objects.filter(name="x").exists()


def test_a_csv_upload_invites_every_row_and_mails_each(programme: Programme, staff: Any) -> None:
    header = "企业名称,统一社会信用代码,联系邮箱,联系人,分组\n"
    content = f"{header}甲公司,{valid_uscc(31)},a@x.cn,张三,工业园区\n乙公司,,b@x.cn,,\n"
    upload = SimpleUploadedFile("smes.csv", content.encode("gb18030"), content_type="text/csv")
    response = logged_in(staff["admin"]).post(
        f"/programmes/{programme.pk}/invitations/", {"action": "file", "file": upload}
    )
    assert response.status_code == 302
    assert ProgrammeInvitation.objects.filter(programme=programme).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["a@x.cn", "b@x.cn"]


def test_a_csv_with_errors_lists_them_by_row_and_invites_nobody(programme: Programme, staff: Any) -> None:
    content = "company_name,email\n甲公司,a@x.cn\n乙公司,broken\n"
    upload = SimpleUploadedFile("smes.csv", content.encode(), content_type="text/csv")
    response = logged_in(staff["admin"]).post(
        f"/programmes/{programme.pk}/invitations/", {"action": "file", "file": upload}
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "<td>3</td><td>email</td>" in text
    assert not ProgrammeInvitation.objects.exists()


def test_an_analyst_reads_invitations_but_cannot_invite(programme: Programme, staff: Any) -> None:
    client = logged_in(staff["analyst"])
    assert client.get(f"/programmes/{programme.pk}/invitations/").status_code == 200
    response = client.post(f"/programmes/{programme.pk}/invitations/", {"company_name": "甲", "email": "a@x.cn"})
    assert response.status_code == 403


def test_the_sme_owner_consents_on_the_invitation_page(
    programme: Programme, bureau_owner: User, sme: Organization, sme_owner: User
) -> None:
    issued = invite(programme, bureau_owner, uscc=sme.uscc)
    client = logged_in(sme_owner)
    page = client.get(f"/programme-invitations/{issued.token}/")
    assert any(word in page.content.decode() for word in ("Documents", "documents", "佐证材料"))
    missing = client.post(f"/programme-invitations/{issued.token}/", {"action": "accept", "organization": sme.pk})
    assert missing.status_code == 422  # no consent chosen: nothing happens
    response = client.post(
        f"/programme-invitations/{issued.token}/", {"action": "accept", "organization": sme.pk, "consent": "answers"}
    )
    assert response.status_code == 302
    assert Enrolment.objects.get(organization=sme).consent == "answers"


def test_a_visitor_declines_without_an_account(programme: Programme, bureau_owner: User) -> None:
    issued = invite(programme, bureau_owner)
    response = Client().post(f"/programme-invitations/{issued.token}/", {"action": "decline"})
    assert response.status_code == 200
    issued.invitation.refresh_from_db()
    assert issued.invitation.status == "declined"
    assert Client().get(f"/programme-invitations/{issued.token}/").status_code == 410


def test_an_unknown_link_is_404(db: None) -> None:
    assert Client().get("/programme-invitations/nonsense/").status_code == 404


def test_the_sme_detail_is_logged_and_shows_answers_only_with_that_consent(
    programme: Programme, staff: Any, enrolment: Enrolment, assessed: Any, sme_owner: User
) -> None:
    client = logged_in(staff["analyst"])
    page = client.get(f"/programmes/{programme.pk}/smes/{enrolment.organization_id}/?answers=1")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="sme-level"' in text
    assert 'id="answers-not-shared"' in text
    assert 'id="sme-answers"' not in text
    [record] = AccessRecord.objects.filter(enrolment=enrolment)
    assert (record.kind, record.viewer_name) == ("results", "analyst@bureau.example")
    Enrolment.objects.filter(pk=enrolment.pk).update(consent="answers")
    text = client.get(f"/programmes/{programme.pk}/smes/{enrolment.organization_id}/?answers=1").content.decode()
    assert 'id="sme-answers"' in text
    assert AccessRecord.objects.filter(enrolment=enrolment, kind="answers").count() == 1
    log = logged_in(sme_owner).get(f"/organizations/{enrolment.organization_id}/programmes/").content.decode()
    assert "analyst@bureau.example" in log


def test_after_withdrawal_the_sme_is_404_to_the_operator(
    programme: Programme, staff: Any, enrolment: Enrolment, sme_owner: User
) -> None:
    owner = logged_in(sme_owner)
    refused = owner.post(f"/organizations/{enrolment.organization_id}/programmes/{enrolment.pk}/withdraw/", {})
    assert refused.status_code == 302
    assert Enrolment.objects.get(pk=enrolment.pk).is_active  # not confirmed: nothing withdrawn
    owner.post(f"/organizations/{enrolment.organization_id}/programmes/{enrolment.pk}/withdraw/", {"confirm": "on"})
    assert not Enrolment.objects.get(pk=enrolment.pk).is_active
    client = logged_in(staff["analyst"])
    assert client.get(f"/programmes/{programme.pk}/smes/{enrolment.organization_id}/").status_code == 404
    assert "苏州精工" not in client.get(f"/programmes/{programme.pk}/smes/").content.decode()


def test_a_never_enrolled_enterprise_is_404(programme: Programme, staff: Any, sme: Organization) -> None:
    assert logged_in(staff["analyst"]).get(f"/programmes/{programme.pk}/smes/{sme.pk}/").status_code == 404


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_pages_render_in_both_languages(
    programme: Programme, staff: Any, enrolment: Enrolment, sme_owner: User, language: str
) -> None:
    client = logged_in(staff["admin"])
    client.cookies["django_language"] = language
    for path in (
        "/programmes/",
        f"/programmes/{programme.pk}/",
        f"/programmes/{programme.pk}/invitations/",
        f"/programmes/{programme.pk}/smes/",
        f"/programmes/{programme.pk}/edit/",
        "/programmes/new/",
    ):
        assert client.get(path).status_code == 200, path
    owner = logged_in(sme_owner)
    owner.cookies["django_language"] = language
    assert owner.get(f"/organizations/{enrolment.organization_id}/programmes/").status_code == 200


def test_the_signup_offers_operator_kinds_and_an_operator_invites_analysts(client: Client, db: None) -> None:
    response = client.post(
        "/signup/",
        {
            "email": "chief@bureau2.example",
            "password1": "a-Long-pass-1234",
            "password2": "a-Long-pass-1234",
            "kind": "bureau",
            "name": "无锡市工信局",
            "province": "32",
            "size_band": "medium",
        },
    )
    assert response.status_code == 302
    bureau = Organization.objects.get(name="无锡市工信局")
    assert (bureau.kind, bureau.sector) == ("bureau", "S")
    page = client.get(f"/orgs/{bureau.pk}/members/").content.decode()
    assert 'value="analyst"' in page


def test_the_sme_list_shows_each_levels_and_records_that_they_were_seen(
    programme: Programme, staff: Any, enrolment: Any, assessed: Any
) -> None:
    result = assessment_result(assessed)
    member = cohort_member_refresh(enrolment_id=enrolment.pk)  # what the submission's commit triggers
    assert member is not None
    assert (member.level, member.total) == (result.level, result.total)
    page = logged_in(staff["analyst"]).get(f"/programmes/{programme.pk}/smes/").content.decode()
    assert f'<td class="n sme-level">{result.level}</td>' in page
    assert '<td class="n sme-verified">—</td>' in page
    seen = AccessRecord.objects.get(enrolment=enrolment)
    assert (seen.viewer, seen.kind) == (staff["analyst"], AccessRecord.Kind.RESULTS)
