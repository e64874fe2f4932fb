"""Consultants' review notes: only an assigned consultant writes them; the report shows them and versions on them."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from assessment.models import ConsultantAssignment, FrameworkVersion, Organization, User
from assessment.services import ServiceError
from assessment.services.assessments import review_note_add
from reports.services import report_render, report_request
from tests.reports.test_pipeline import answered, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultant(organization: Organization) -> User:
    user = User.objects.create_user("consultant@example.com", "pw-consultant-1234", first_name="Li", last_name="Wei")
    ConsultantAssignment.objects.create(consultant=user, organization=organization)
    return user


def test_only_an_assigned_consultant_adds_notes_on_real_questions(
    miit: FrameworkVersion, organization: Organization, owner: User, consultant: User
) -> None:
    assessment = answered(miit, organization, owner)
    with pytest.raises(ServiceError, match="assigned"):
        review_note_add(assessment=assessment, author=owner, text="Looks fine")
    with pytest.raises(ValidationError, match="No such question"):
        review_note_add(assessment=assessment, author=consultant, text="?", question_key="Z99")
    with pytest.raises(ValidationError, match="Write the note"):
        review_note_add(assessment=assessment, author=consultant, text="   ")
    note = review_note_add(assessment=assessment, author=consultant, text=" 现场核对一致 ", question_key="F5")
    assert (note.question.key, note.text) == ("F5", "现场核对一致")


def test_the_report_shows_notes_escaped_and_a_new_note_makes_a_new_version(
    miit: FrameworkVersion, organization: Organization, owner: User, consultant: User, tmp_path: Path
) -> None:
    assessment = answered(miit, organization, owner)
    first, _ = report_request(assessment=assessment, language="en", requested_by=owner)
    review_note_add(assessment=assessment, author=consultant, text="Verified on site: <b>ERP</b> in use.")
    review_note_add(
        assessment=assessment, author=consultant, text="Device count matches the register.", question_key="F2"
    )
    second, created = report_request(assessment=assessment, language="en", requested_by=owner)
    assert (created, second.version) == (True, first.version + 1)
    rendered = report_render(report_id=second.pk)
    assert rendered is not None
    assert rendered.status == "ready", rendered.error
    text = " ".join(pdf_text(rendered.file.read(), tmp_path).split())
    assert "Consultant's notes Verified on site: <b>ERP</b> in use. Li Wei" in text
    assert "Device count matches the register." in text
