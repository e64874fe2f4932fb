"""Test helpers shared by several test packages."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from stdnum.cn import uscc

from assessment.models import Assessment, Organization, User
from assessment.services.assessments import answers_upsert, assessment_submit
from assessment.services.organizations import organization_create
from scoring.engine import missing_for_submission
from scoring.engine.framework import Question
from scoring.selectors import assessment_answers, framework_structure

ANSWER_FILES = Path(__file__).resolve().parent / "fixtures" / "answers"


def answer_file(name: str) -> list[dict[str, Any]]:
    """The answers of tests/fixtures/answers/<name> (the format `manage.py score_answers` reads)."""
    items: list[dict[str, Any]] = json.loads((ANSWER_FILES / name).read_text(encoding="utf-8"))["answers"]
    return items


def lowest_item(question: Question) -> dict[str, Any]:
    """An answer-format item giving `question` its lowest-scoring value."""
    item: dict[str, Any] = {"question": question.key}
    if question.kind == "scenario":
        item["level"] = 0
    elif question.kind == "single_choice":
        item["choice"] = min(question.options, key=lambda o: o.points).key
    elif question.kind == "multiple_choice":
        item["choices"] = []
    elif question.kind == "banded_number":
        band = min(question.bands, key=lambda b: b.points).interval
        item["number"] = float(band.lower if band.lower_closed else band.lower + Decimal("0.5"))
    elif question.kind == "yes_no":
        item["yes"] = False
    elif question.kind == "before_after":
        item["before"] = item["after"] = 1
    else:
        item["text"] = "—"
    return item


def submit_filling_gaps(assessment: Assessment, user: User) -> Assessment:
    """Answer every still-unanswered required question at its lowest value, then submit with the pledge."""
    framework = framework_structure(assessment.framework_version)
    missing = missing_for_submission(framework, assessment_answers(assessment))
    items = [lowest_item(framework.questions[m.question]) for m in missing if m.evidence is None]
    if items:
        answers_upsert(assessment=assessment, items=items, answered_by=user)
    return assessment_submit(assessment=assessment, submitted_by=user, pledge=True)


def valid_uscc(number: int) -> str:
    """A unified social credit code with a right check digit, one for each `number`."""
    body = f"91320500{number:08d}X"
    return body + uscc.calc_check_digit(body)


def established_organization(owner: User, name: str, number: int, **profile: Any) -> Organization:
    """An organisation that counts among peers: a valid credit code (from `number`), created long ago."""
    profile = {"sector": "C", "size_band": "small", "province": "32", **profile}
    organization = organization_create(owner=owner, name=name, uscc=valid_uscc(number), **profile)
    old = timezone.now() - timedelta(days=settings.PEER_MIN_AGE_DAYS + 1)
    Organization.objects.filter(pk=organization.pk).update(created_at=old)
    return organization
