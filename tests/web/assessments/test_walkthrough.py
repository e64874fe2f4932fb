"""A respondent's whole way through MIIT on the web: answer every question, submit, read, get the PDF."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import Answer, Assessment, FrameworkVersion, Organization, User
from reports.models import Report
from reports.services import report_render
from tests.web.answering import HTMX, MIIT_LEVEL_TWO, form_data, save

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(owner_web: Client, organization: Organization, miit: FrameworkVersion) -> Assessment:
    owner_web.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = owner_web.post(reverse("web:assessment_start", args=[organization.pk]), {"framework": miit.pk})
    assert response.status_code == 302
    return Assessment.objects.get(organization=organization)


def test_answering_all_31_questions_submitting_and_downloading_the_report(
    owner_web: Client, assessment: Assessment, owner: User
) -> None:
    assert owner_web.get(reverse("web:assessment", args=[assessment.pk]))["Location"] == reverse(
        "web:wizard", args=[assessment.pk, 1]
    )
    for key, item in MIIT_LEVEL_TWO.items():
        response = save(owner_web, assessment, key, form_data({"question": key, **item}))
        assert response.status_code == 200, (key, response.content.decode())
        assert "Saved" in response.content.decode()
        assert "by you" in response.content.decode()
    assert Answer.objects.filter(assessment=assessment).count() == 31

    # Reloading a step shows the saved answers, evidence and comment, escaped.
    step1 = owner_web.get(reverse("web:wizard", args=[assessment.pk, 1])).content.decode()
    assert re.search(r'name="choice" value="E" checked', step1)
    assert 'name="evidence.devices_total" value="100"' in step1
    assert "Your figures give 70.0%, which is “More than 60%, up to 100%”." in step1
    management = owner_web.get(reverse("web:wizard", args=[assessment.pk, 6])).content.decode()
    assert "&lt;b&gt;not bold&lt;/b&gt;" in management
    assert "<b>not bold</b>" not in management
    assert "Answered overall: 31 of 31" in management

    # Everything answered: opening the assessment goes to the review, which lists nothing missing.
    assert owner_web.get(reverse("web:assessment", args=[assessment.pk]))["Location"] == reverse(
        "web:review", args=[assessment.pk]
    )
    review = owner_web.get(reverse("web:review", args=[assessment.pk])).content.decode()
    assert "Every required question is answered." in review

    response = owner_web.post(reverse("web:review", args=[assessment.pk]), {"pledge": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:results", args=[assessment.pk])
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED
    assert assessment.submitted_by == owner

    results = owner_web.get(reverse("web:results", args=[assessment.pk])).content.decode()
    assert '<span class="badge level">Level 2</span>' in results
    assert '<dd id="total-score">50 / 100</dd>' in results
    assert "What Level 3 needs" in results
    assert "A total of at least 60 points (now 50)" in results

    # Request the English PDF: queued, polled, rendered (no worker in tests), downloaded.
    response = owner_web.post(reverse("web:report_request", args=[assessment.pk]), {"language": "en"}, **HTMX)
    assert response.status_code == 200
    report = Report.objects.get(assessment=assessment)
    status_url = reverse("web:report_status", args=[report.pk])
    assert f'hx-get="{status_url}" hx-trigger="every 2s"' in response.content.decode()
    assert "queued" in owner_web.get(status_url).content.decode()
    report_render(report_id=report.pk)
    ready = owner_web.get(status_url).content.decode()
    assert "hx-trigger" not in ready  # polling stops
    assert reverse("web:report_pdf", args=[report.pk]) in ready
    pdf = owner_web.get(reverse("web:report_pdf", args=[report.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
