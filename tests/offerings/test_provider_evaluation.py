"""Provider evaluation: per offering and provider, the referrals of the programme's consenting SMEs and the exact
T0 → T1 uplift of those served (a referral in progress or closed); withdrawn and outside SMEs count for nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from assessment.models import FrameworkVersion, Organization, User
from assessment.services.organizations import organization_create
from offerings.models import Offering, Referral
from offerings.services import offering_create, referral_create, referral_status_set
from programmes.models import CohortMember, Enrolment, Programme
from programmes.providers import Uplift, provider_evaluation
from tests.offerings.conftest import OFFERING

CONTACT = {"contact_name": "李四", "contact_email": "li@sme.example"}


@pytest.fixture
def bureau(db: None) -> tuple[Organization, User]:
    admin = User.objects.create_user("admin@bureau.example", "pw-bureau-1234")
    return organization_create(
        owner=admin, name="市中小企业局", kind="bureau", sector="S", size_band="large", province="32"
    ), admin


@pytest.fixture
def programme(bureau: tuple[Organization, User], miit: FrameworkVersion) -> Programme:
    operator, admin = bureau
    programme = Programme.objects.create(
        operator=operator,
        name="数字化转型试点",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        baseline_date=date(2026, 3, 1),
        target_level=2,
        target_share=Decimal(60),
        target_date=date(2026, 12, 31),
        created_by=admin,
    )
    programme.framework_versions.add(miit)
    return programme


def sme(name: str, number: int) -> tuple[Organization, User]:
    owner = User.objects.create_user(f"owner{number}@sme.example", "pw-sme-12345")
    return organization_create(owner=owner, name=name, sector="C", size_band="small", province="32"), owner


def enrol(programme: Programme, organization: Organization, owner: User, figures: tuple[Any, ...] | None) -> Enrolment:
    enrolment = Enrolment.objects.create(
        programme=programme, organization=organization, consent="results", consented_by=owner
    )
    if figures is not None:
        t0_level, t0_total, level, total = figures
        # Figures of our own: where the enrolment's commit already made its row (a browser test), they replace it.
        CohortMember.objects.update_or_create(
            enrolment=enrolment,
            defaults={
                "programme": programme,
                "organization": organization,
                "sector": "C",
                "size_band": "small",
                "province": "32",
                "level": level,
                "total": total,
                "t0_level": t0_level,
                "t0_total": t0_total,
            },
        )
    return enrolment


@pytest.fixture
def world(
    programme: Programme, provider: Organization, provider_admin: User, make_offering: Any, miit: FrameworkVersion
) -> dict[str, Any]:
    audit = make_offering(title="设备联网诊断")
    bank_admin = User.objects.create_user("admin@bank.example", "pw-bank-12345")
    bank = organization_create(
        owner=bank_admin, name="城商行", kind="bank", sector="J", size_band="large", province="32"
    )
    loan = offering_create(
        provider=bank, created_by=bank_admin, **{**OFFERING, "title": "技改贷款", "framework": miit.framework}
    )
    smes = {name: sme(name, n) for n, name in enumerate(("甲", "乙", "丙", "丁", "戊"))}
    figures = {
        "甲": (0, Decimal("20.5"), 2, Decimal("45.25")),
        "乙": (1, Decimal("30"), 2, Decimal("41")),
        "丙": (0, Decimal("10"), 1, Decimal("25")),
        "丁": (0, Decimal("5"), 3, Decimal("70")),
    }
    for name in ("甲", "乙", "丙", "丁"):
        enrol(programme, *smes[name], figures[name])
    withdrawn = Enrolment.objects.get(programme=programme, organization=smes["丁"][0])
    withdrawn.withdrawn_at = timezone.now()
    withdrawn.save(update_fields=["withdrawn_at"])
    CohortMember.objects.filter(enrolment=withdrawn).delete()  # no figures once consent is withdrawn

    def ask(name: str, offering: Offering, status: str | None) -> Referral:
        organization, owner = smes[name]
        referral = referral_create(offering=offering, organization=organization, requested_by=owner, **CONTACT)
        if status:
            referral_status_set(referral=referral, updated_by=owner, status=status)
        return referral

    ask("甲", audit, "progressed")
    ask("乙", audit, "closed")
    ask("丙", audit, None)
    ask("丁", audit, "closed")  # withdrawn: not counted
    ask("戊", audit, "closed")  # never enrolled: not counted
    ask("甲", loan, "progressed")
    return {"audit": audit, "loan": loan, "bank": bank, "bank_admin": bank_admin}


def test_each_offering_counts_its_referrals_and_the_exact_uplift_of_the_smes_it_served(
    programme: Programme, world: dict[str, Any], provider: Organization
) -> None:
    evaluation = provider_evaluation(programme)
    assert evaluation.consenting == 3
    audit, loan = evaluation.offerings
    assert (audit.name, audit.provider, audit.referrals, audit.requested, audit.progressed, audit.closed) == (
        "设备联网诊断",
        "数转服务商",
        3,
        1,
        1,
        1,
    )
    assert (audit.smes, audit.served) == (3, 2)
    # 甲: 0 → 2, 20.5 → 45.25; 乙: 1 → 2, 30 → 41 (丙 only asked)
    assert audit.uplift == Uplift(smes=2, level=Decimal("1.5"), total=Decimal("17.875"))
    assert (loan.name, loan.served, loan.uplift) == ("技改贷款", 1, Uplift(1, Decimal(2), Decimal("24.75")))


def test_each_provider_counts_its_smes_once(
    programme: Programme, world: dict[str, Any], provider: Organization
) -> None:
    by_name = {e.name: e for e in provider_evaluation(programme).providers}
    assert set(by_name) == {"数转服务商", "城商行"}
    assert (by_name["数转服务商"].key, by_name["数转服务商"].served, by_name["数转服务商"].uplift.total) == (
        provider.pk,
        2,
        Decimal("17.875"),
    )
    assert by_name["城商行"].uplift == Uplift(1, Decimal(2), Decimal("24.75"))


def test_an_sme_without_a_t0_is_served_but_not_in_the_uplift(
    programme: Programme, make_offering: Any, provider_admin: User
) -> None:
    organization, owner = sme("己", 9)
    enrol(programme, organization, owner, (None, None, 2, Decimal(50)))
    referral = referral_create(offering=make_offering(), organization=organization, requested_by=owner, **CONTACT)
    referral_status_set(referral=referral, updated_by=provider_admin, status="progressed")
    [only] = provider_evaluation(programme).offerings
    assert (only.served, only.uplift) == (1, Uplift(0, None, None))


def test_the_page_shows_the_figures_to_the_operator_and_no_one_else(
    client: Client, programme: Programme, world: dict[str, Any], bureau: tuple[Organization, User], owner: User
) -> None:
    client.cookies["django_language"] = "en"
    client.force_login(bureau[1])
    page = client.get(f"/programmes/{programme.pk}/providers/").content.decode()
    assert "17.88" in page  # the exact 17.875, rounded for people
    assert "技改贷款" in page
    assert "consenting enterprises" in page
    for outsider in (world["bank_admin"], owner):
        client.force_login(outsider)
        assert client.get(f"/programmes/{programme.pk}/providers/").status_code == 404
