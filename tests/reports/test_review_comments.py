"""Shared review comments in the report (as review notes were): escaped, internal ones never, a new one makes a
new version."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessment.models import Assessment, ConsultantAssignment, User
from reports.services import report_render, report_request
from review.services import review_comment_add
from tests.reports.test_pipeline import pdf_text

pytestmark = pytest.mark.django_db


def test_the_report_shows_shared_comments_escaped_never_internal_ones_and_versions_on_them(
    submitted: Assessment, owner: User, consultant: User, assignment: ConsultantAssignment, tmp_path: Path
) -> None:
    first, _ = report_request(assessment=submitted, language="en", requested_by=owner)
    review_comment_add(assessment=submitted, author=consultant, body="Verified on site: <b>ERP</b> in use.")
    review_comment_add(
        assessment=submitted, author=consultant, body="Device count matches the register.", question_key="F2"
    )
    review_comment_add(assessment=submitted, author=owner, body="The register is attached.", question_key="F2")
    review_comment_add(
        assessment=submitted, author=consultant, body="Ask the lead about F2 first.", visibility="internal"
    )
    second, created = report_request(assessment=submitted, language="en", requested_by=owner)
    assert (created, second.version) == (True, first.version + 1)
    rendered = report_render(report_id=second.pk)
    assert rendered is not None
    assert rendered.status == "ready", rendered.error
    text = " ".join(pdf_text(rendered.file.read(), tmp_path).split())
    assert "Review comments Verified on site: <b>ERP</b> in use. Consultant · 王立" in text
    assert "Consultant · 王立: Device" in text  # the appendix's F2 row, beside the question's wrapped text
    assert "matches the register." in text
    assert "Enterprise · owner@example.com: The register is attached." in text
    assert "Ask the lead" not in text
