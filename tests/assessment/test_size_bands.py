from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from assessment.classification import ClassificationError, SizeBand, classify_size
from assessment.models import User
from assessment.services.organizations import organization_create

M, S, MED, L = SizeBand.MICRO, SizeBand.SMALL, SizeBand.MEDIUM, SizeBand.LARGE


@pytest.mark.parametrize(
    ("employees", "revenue", "band"),
    [
        (19, D(100000), M),  # fewer than 20 people is micro whatever the revenue
        (20, D(299), M),  # revenue below 300 万元 keeps it micro
        (20, D(300), S),  # both lower bounds reached exactly
        (299, D(50000), S),  # 299 people: not yet medium
        (300, D(2000), MED),
        (999, D(90000), MED),  # one short of 1000 people: still an SME
        (1000, D(39999), MED),  # revenue one short of 4 亿: still an SME
        (1000, D(40000), L),
    ],
)
def test_manufacturing_uses_the_industry_thresholds(employees: int, revenue: D, band: SizeBand) -> None:
    assert classify_size(sector="C", employees=employees, revenue=revenue) == band


def test_retail_and_wholesale_differ_within_section_f() -> None:
    assert classify_size(sector="F", employees=50, revenue=D(500)) == MED  # retail is the default
    assert classify_size(sector="F", industry="wholesale", employees=50, revenue=D(500)) == M


def test_software_micro_threshold_is_50_wan_yuan() -> None:
    assert classify_size(sector="I", employees=10, revenue=D(50)) == S
    assert classify_size(sector="I", employees=10, revenue=D("49.99")) == M


def test_agriculture_uses_revenue_only() -> None:
    assert classify_size(sector="A", revenue=D(49)) == M
    assert classify_size(sector="A", revenue=D(20000)) == L


def test_construction_needs_total_assets() -> None:
    with pytest.raises(ClassificationError, match="total assets"):
        classify_size(sector="E", revenue=D(7000))
    assert classify_size(sector="E", revenue=D(7000), assets=D(5000)) == MED


def test_other_services_use_employees_only() -> None:
    assert classify_size(sector="M", employees=9) == M
    assert classify_size(sector="M", employees=300) == L


def test_a_missing_figure_needed_for_the_decision_is_named() -> None:
    with pytest.raises(ClassificationError, match="annual revenue"):
        classify_size(sector="C", employees=500)


def test_finance_is_not_covered_and_says_so() -> None:
    with pytest.raises(ClassificationError, match="choose the size band"):
        classify_size(sector="J", employees=10, revenue=D(10))


def test_an_industry_from_another_section_is_refused() -> None:
    with pytest.raises(ClassificationError, match="does not belong to sector C"):
        classify_size(sector="C", industry="retail", employees=10, revenue=D(10))


def test_negative_figures_are_refused() -> None:
    with pytest.raises(ClassificationError, match="cannot be negative"):
        classify_size(sector="C", employees=-1, revenue=D(10))


@pytest.mark.django_db
def test_an_organisation_without_a_chosen_band_is_classified_from_its_figures(owner: User) -> None:
    organization = organization_create(
        owner=owner, name="丙", sector="C", province="44", employees=320, annual_revenue=D(2500)
    )
    assert organization.size_band == MED


@pytest.mark.django_db
def test_a_chosen_band_wins_over_the_figures(owner: User) -> None:
    organization = organization_create(
        owner=owner, name="丁", sector="C", province="44", size_band="small", employees=320, annual_revenue=D(2500)
    )
    assert organization.size_band == S


@pytest.mark.django_db
def test_an_unclassifiable_organisation_gets_a_field_error(owner: User) -> None:
    with pytest.raises(ValidationError) as excinfo:
        organization_create(owner=owner, name="戊", sector="J", province="44", employees=3)
    assert "choose the size band" in excinfo.value.message_dict["size_band"][0]
