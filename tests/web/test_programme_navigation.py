"""Around the programme pages: signing up from an invitation comes back to it, operators' navigation, sub-group
kinds in the programme form, and the SME's access log a page at a time."""

from __future__ import annotations

from typing import Any

from django.test import Client

from assessment.models import Organization, User
from programmes.models import AccessRecord, Enrolment, Programme
from programmes.services import access_records_write
from tests.programmes.conftest import *  # noqa: F403  (the fixtures)
from tests.programmes.conftest import invite
from tests.web.test_programme_pages import logged_in

SIGNUP = {
    "email": "new-boss@sme.example",
    "password1": "a-Long-pass-1234",
    "password2": "a-Long-pass-1234",
    "kind": "sme",
    "name": "新注册机械有限公司",
    "sector": "C",
    "province": "32",
    "size_band": "small",
}


def test_signing_up_from_an_invitation_returns_to_it(programme: Programme, bureau_owner: User, client: Client) -> None:
    link = f"/programme-invitations/{invite(programme, bureau_owner).token}/"
    page = client.get(link).content.decode()
    assert f'href="/signup/?next={link.replace("/", "%2F")}"' in page
    form = client.get(f"/signup/?next={link}").content.decode()
    assert f'name="next" value="{link}"' in form
    response = client.post("/signup/", {**SIGNUP, "next": link})
    assert response.status_code == 302
    assert response["Location"] == link
    assert "新注册机械有限公司" in client.get(link).content.decode()  # now one of the enterprises to choose


def test_a_next_page_on_another_site_is_ignored(client: Client, db: None) -> None:
    for target in ("https://evil.example/x", "//evil.example/x", "javascript:alert(1)"):
        response = client.post("/signup/", {**SIGNUP, "email": f"{len(target)}@sme.example", "next": target})
        assert response.status_code == 302
        assert response["Location"] == "/"
        client.logout()


def _nav(client: Client, path: str) -> str:
    page = client.get(path, follow=True).content.decode()
    return page[page.index('class="org-nav"') : page.index("</ul>", page.index('class="org-nav"'))]


def test_operators_see_programmes_not_the_enterprise_links(bureau: Organization, staff: dict[str, User]) -> None:
    for person in staff.values():
        nav = _nav(logged_in(person), "/programmes/")
        assert 'href="/programmes/"' in nav
        assert f'href="/orgs/{bureau.pk}/profile/"' in nav
        assert f'href="/orgs/{bureau.pk}/"' not in nav  # Assessments
        assert f'href="/orgs/{bureau.pk}/verification/"' not in nav
    response = logged_in(staff["viewer"]).get(f"/orgs/{bureau.pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/programmes/"


def test_an_enterprise_keeps_its_links(sme: Organization, sme_owner: User) -> None:
    nav = _nav(logged_in(sme_owner), f"/orgs/{sme.pk}/")
    assert f'href="/orgs/{sme.pk}/"' in nav  # Assessments
    assert f'href="/orgs/{sme.pk}/verification/"' in nav
    assert f'href="/organizations/{sme.pk}/programmes/"' in nav
    assert 'href="/programmes/"' not in nav


def test_the_programme_form_sets_each_sub_groups_kind(programme: Programme, staff: dict[str, User], miit: Any) -> None:
    client = logged_in(staff["admin"])
    form = client.get(f"/programmes/{programme.pk}/edit/").content.decode()
    assert 'name="groups_tier"' in form
    assert "一级供应商</textarea>" in form  # the fixture's tier, in the tiers' box
    response = client.post(
        f"/programmes/{programme.pk}/edit/",
        {
            "name": programme.name,
            "framework_versions": [miit.pk],
            "starts_on": "2026-01-01",
            "ends_on": "2027-12-31",
            "baseline_date": "2026-06-01",
            "target_level": "2",
            "target_share": "60",
            "target_date": "2027-12-31",
            "groups_cluster": "苏州工业园区\n",
            "groups_tier": "一级供应商\n二级供应商",
            "groups_district": "吴中区",
            "groups_other": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    kinds = {g.name: g.kind for g in programme.groups.all()}
    assert kinds == {"苏州工业园区": "cluster", "一级供应商": "tier", "二级供应商": "tier", "吴中区": "district"}


def test_a_name_in_two_boxes_is_refused(programme: Programme, staff: dict[str, User], miit: Any) -> None:
    response = logged_in(staff["admin"]).post(
        f"/programmes/{programme.pk}/edit/",
        {
            "name": programme.name,
            "framework_versions": [miit.pk],
            "starts_on": "2026-01-01",
            "ends_on": "2027-12-31",
            "baseline_date": "2026-06-01",
            "target_level": "2",
            "target_share": "60",
            "target_date": "2027-12-31",
            "groups_cluster": "吴中区",
            "groups_district": "吴中区",
        },
    )
    assert response.status_code == 422
    assert "吴中区" in response.content.decode()
    assert sorted(g.name for g in programme.groups.all()) == ["一级供应商", "工业园区"]


def test_the_access_log_is_paged_not_cut(enrolment: Enrolment, staff: dict[str, User], sme_owner: User) -> None:
    for _ in range(120):
        access_records_write(enrolment_ids=[enrolment.pk], viewer=staff["analyst"], kind=AccessRecord.Kind.RESULTS)
    client = logged_in(sme_owner)
    overview = client.get(f"/organizations/{enrolment.organization_id}/programmes/").content.decode()
    assert overview.count("<tr><td>") == 10
    log = f"/organizations/{enrolment.organization_id}/programmes/{enrolment.pk}/access/"
    assert f'href="{log}"' in overview
    pages = [client.get(log, {"page": n}).content.decode() for n in (1, 2, 3)]
    assert [p.count("<tr><td>") for p in pages] == [50, 50, 20]
    assert 'rel="next"' in pages[0]
    assert 'rel="prev"' not in pages[0]
    assert 'rel="prev"' in pages[2]
    assert 'rel="next"' not in pages[2]
    assert client.get(log, {"page": "x" * 500}).status_code == 200  # the first page, not an error
    assert logged_in(staff["admin"]).get(log).status_code == 404  # the operator has no access to the SME's pages
