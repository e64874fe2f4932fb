"""Starting an assessment: the framework of the organisation's sector comes first, the selects name frameworks
in words (no ids or slugs), and nothing offers to copy answers that do not exist."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import FrameworkVersion, Organization, User
from assessment.services.assessments import assessment_create

pytestmark = pytest.mark.django_db

SELECTED = re.compile(r'<select name="framework"[^>]*>.*?<option value="(\d+)" selected>([^<]*)</option>', re.DOTALL)


def start_form(client: Client, organization: Organization) -> str:
    response = client.get(reverse("web:org_home", args=[organization.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('id="start-title"') :]


def selected_framework(html: str) -> tuple[int, str]:
    found = SELECTED.search(html)
    assert found, "no framework is preselected"
    return int(found.group(1)), found.group(2)


def test_a_manufacturer_gets_the_miit_manufacturing_framework_suggested(
    owner_web: Client, organization: Organization, miit: FrameworkVersion, eu_dma: FrameworkVersion
) -> None:
    assert organization.sector == "C"
    pk, label = selected_framework(start_form(owner_web, organization))
    assert pk == miit.pk
    assert label == "SME Digitalisation Level Evaluation Indicators (2024 edition): manufacturing"


def test_another_sector_gets_the_eu_dma_suggested(
    owner_web: Client, organization: Organization, miit: FrameworkVersion, eu_dma: FrameworkVersion
) -> None:
    organization.sector = "I"  # information technology services
    organization.save(update_fields=["sector"])
    pk, label = selected_framework(start_form(owner_web, organization))
    assert pk == eu_dma.pk
    assert label == "Digital Maturity Assessment for SMEs (EDIH DMA) (2024)"


def test_the_selects_show_no_ids_or_slugs(
    owner_web: Client, organization: Organization, owner: User, miit: FrameworkVersion, eu_dma: FrameworkVersion
) -> None:
    earlier = assessment_create(organization=organization, framework_version=eu_dma, created_by=owner)
    html = start_form(owner_web, organization)
    options = re.findall(r"<option[^>]*>([^<]*)</option>", html)
    assert len(options) == 4  # two frameworks; "none" and the earlier assessment
    for text in options:
        assert "miit-2024" not in text, text
        assert "eu-dma" not in text, text
        assert "@" not in text, text
        assert f"#{earlier.pk}" not in text, text
    assert (
        f"Digital Maturity Assessment for SMEs (EDIH DMA) (2024) · draft · {earlier.created_at.date():%Y-%m-%d}"
        in options
    )


def test_a_first_assessment_is_not_offered_answers_to_copy(
    owner_web: Client, organization: Organization, miit: FrameworkVersion
) -> None:
    html = start_form(owner_web, organization)
    assert 'name="copy_answers"' not in html
    assert 'name="previous"' not in html


def test_with_an_earlier_assessment_copying_is_offered_but_not_ticked(
    owner_web: Client, organization: Organization, owner: User, miit: FrameworkVersion
) -> None:
    assessment_create(organization=organization, framework_version=miit, created_by=owner)
    html = start_form(owner_web, organization)
    copy = re.search(r'<input type="checkbox" name="copy_answers"[^>]*>', html)
    assert copy is not None
    assert "checked" not in copy.group(0)
    # The page hides it until an earlier assessment is chosen (questionnaire.css), "none" being chosen now.
    assert re.search(r'<option value="" selected>None: a first assessment</option>', html)
