"""A re-assessment (T1) that starts from the previous assessment's answers."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from assessment.framework_format import load_document
from assessment.models import Answer, Assessment, FrameworkVersion, Organization, User
from assessment.selectors import framework_version_get
from assessment.services import ServiceError
from assessment.services.assessments import answers_upsert, assessment_create, assessment_start_from_previous
from assessment.services.frameworks import framework_import
from scoring.selectors import assessment_answers
from tests.helpers import submit_filling_gaps

pytestmark = pytest.mark.django_db
MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini-framework.yaml"


@pytest.fixture
def mini(db: None) -> FrameworkVersion:
    call_command("import_framework", str(MINI), verbosity=0)
    return framework_version_get("mini@1")


@pytest.fixture
def t0(mini: FrameworkVersion, organization: Organization, owner: User) -> Assessment:
    assessment = assessment_create(organization=organization, framework_version=mini, created_by=owner)
    answers_upsert(
        assessment=assessment,
        items=[
            {"question": "Q1", "choices": ["B", "C"], "comment": "两套网络"},
            {"question": "Q2", "choice": "B", "evidence": {"total": 40, "networked": 30}},
            {"question": "N1", "number": 12.5},
            {"question": "Y1", "not_applicable": True},
            {"question": "B1", "before": 10, "after": 8},
            {"question": "T1", "text": "备注"},
            {"question": "S1", "level": 3},
        ],
        answered_by=owner,
    )
    return submit_filling_gaps(assessment, owner)


def test_every_answer_is_copied_with_its_evidence_and_comment(t0: Assessment, owner: User) -> None:
    respondent = User.objects.create_user("respondent@example.com", "pw-respondent-1")
    t1 = assessment_start_from_previous(previous=t0, framework_version=t0.framework_version, created_by=respondent)
    assert t1.previous == t0
    assert t1.status == Assessment.Status.DRAFT
    assert assessment_answers(t1) == assessment_answers(t0)
    assert set(Answer.objects.filter(assessment=t1).values_list("answered_by", flat=True)) == {respondent.pk}


def test_decimal_evidence_survives_the_copy(miit: FrameworkVersion, organization: Organization, owner: User) -> None:
    t0 = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    evidence = {"rate_percent": Decimal("33.5"), "devices_total": 120}
    answers_upsert(assessment=t0, items=[{"question": "F2", "choice": "C", "evidence": evidence}], answered_by=owner)
    t1 = assessment_start_from_previous(previous=t0, framework_version=miit, created_by=owner)
    assert Answer.objects.get(assessment=t1).evidence == {"rate_percent": "33.5", "devices_total": 120}


def test_answers_a_newer_version_no_longer_accepts_are_left_out(
    t0: Assessment, organization: Organization, owner: User
) -> None:
    text = MINI.read_text(encoding="utf-8").replace('version: "1"', 'version: "2"')
    text = text.replace("              - {key: C, text: {zh-Hans: 5G网络, en: 5G network}, points: 2}\n", "")
    text = text.replace("points: 4\n            options:", "points: 2\n            options:")
    document, content_hash = load_document(text)
    version_2 = framework_import(document=document, content_hash=content_hash).version
    t1 = assessment_start_from_previous(previous=t0, framework_version=version_2, created_by=owner)
    copied = assessment_answers(t1)
    assert "Q1" not in copied  # option C is gone
    assert copied["S1"].level == 3
    assert copied["N1"].number == Decimal("12.5")


def test_the_previous_assessment_must_be_of_the_same_framework(
    t0: Assessment, miit: FrameworkVersion, owner: User
) -> None:
    with pytest.raises(ServiceError, match="same organisation and framework"):
        assessment_start_from_previous(previous=t0, framework_version=miit, created_by=owner)
    assert Assessment.objects.count() == 1
