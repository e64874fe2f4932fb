from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from assessment.models import Answer, Assessment, FrameworkVersion, Option, Organization, Question, User
from assessment.selectors import framework_version_get
from assessment.services import ImmutableError, ServiceError
from assessment.services.assessments import answers_upsert, assessment_create, assessment_submit
from assessment.services.frameworks import framework_version_retire
from scoring.engine import AnswerSetError
from tests.helpers import submit_filling_gaps

pytestmark = pytest.mark.django_db
MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini-framework.yaml"


@pytest.fixture
def published() -> FrameworkVersion:
    call_command("import_framework", str(MINI), verbosity=0)
    return framework_version_get("mini@1")


@pytest.fixture
def assessment(published: FrameworkVersion, organization: Organization, owner: User) -> Assessment:
    return assessment_create(organization=organization, framework_version=published, created_by=owner)


def test_the_database_refuses_to_edit_a_published_question(published: FrameworkVersion) -> None:
    question = Question.objects.get(version=published, key="Q1")
    question.text_en = "Edited"
    with pytest.raises(IntegrityError, match="cannot change"), transaction.atomic():
        question.save()


def test_the_database_refuses_to_add_or_delete_options_of_a_published_version(published: FrameworkVersion) -> None:
    question = Question.objects.get(version=published, key="Q1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Option.objects.create(
            version=published, question=question, key="Z", position=9, text_zh_hans="新", text_en="New", points=1
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Option.objects.filter(question=question, key="B").delete()
    assert question.options.count() == 3


def test_the_database_refuses_raw_sql_that_changes_points(published: FrameworkVersion) -> None:
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE assessment_option SET points = 99 WHERE version_id = %s", [published.pk])


def test_a_published_version_cannot_be_relabelled_unpublished_or_deleted(published: FrameworkVersion) -> None:
    for field, value in (("label", "1b"), ("status", FrameworkVersion.Status.DRAFT), ("content_hash", "0" * 64)):
        version = FrameworkVersion.objects.get(pk=published.pk)
        setattr(version, field, value)
        with pytest.raises(IntegrityError), transaction.atomic():
            version.save()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM assessment_frameworkversion WHERE id = %s", [published.pk])


def test_a_published_version_can_be_retired(published: FrameworkVersion) -> None:
    framework_version_retire(version=published)
    published.refresh_from_db()
    assert published.status == FrameworkVersion.Status.RETIRED


def test_a_draft_version_can_still_change(published: FrameworkVersion) -> None:
    draft = FrameworkVersion.objects.create(
        framework=published.framework,
        label="draft",
        content_hash="x",
        title_zh_hans="草稿",
        title_en="Draft",
        scoring={"total": "sum"},
        levels={},
    )
    draft.title_en = "Draft 2"
    draft.save()
    draft.delete()


def test_answers_of_a_submitted_assessment_cannot_change(assessment: Assessment, owner: User) -> None:
    [answer] = answers_upsert(assessment=assessment, answered_by=owner, items=[{"question": "Q1", "choices": ["B"]}])
    submit_filling_gaps(assessment, owner)

    with pytest.raises(ImmutableError, match="can no longer change"):
        answers_upsert(assessment=assessment, answered_by=owner, items=[{"question": "Q1", "choices": ["C"]}])
    answer.option_keys = ["C"]
    with pytest.raises(IntegrityError, match="answers cannot change"), transaction.atomic():
        answer.save()
    other = Question.objects.get(version=assessment.framework_version, key="Y1")
    with pytest.raises(IntegrityError, match="answers cannot change"), transaction.atomic():
        Answer.objects.create(assessment=assessment, question=other, boolean=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.filter(pk=answer.pk).delete()
    assert Answer.objects.get(pk=answer.pk).option_keys == ["B"]


def test_a_returned_assessment_changes_only_its_reopened_answers(assessment: Assessment, owner: User) -> None:
    answers_upsert(assessment=assessment, answered_by=owner, items=[{"question": "Q1", "choices": ["B"]}])
    submit_filling_gaps(assessment, owner)
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.RETURNED, reopened_questions=["Q1"])
    [answer] = answers_upsert(
        assessment=assessment, answered_by=owner, items=[{"question": "Q1", "choices": ["B", "C"]}]
    )
    assert answer.option_keys == ["B", "C"]
    assert answer.option_points == ["2", "2"]
    with pytest.raises(ImmutableError, match="returned for changes to Q1 only: Q2 cannot change"):
        answers_upsert(assessment=assessment, answered_by=owner, items=[{"question": "Q2", "choice": "A"}])


def test_submitting_needs_the_truthfulness_pledge(assessment: Assessment, owner: User) -> None:
    with pytest.raises(ValidationError, match="pledge"):
        assessment_submit(assessment=assessment, submitted_by=owner, pledge=False)
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DRAFT
    submitted = submit_filling_gaps(assessment, owner)
    assert submitted.pledged_at == submitted.submitted_at


def test_answers_store_the_option_points_at_answer_time(assessment: Assessment, owner: User) -> None:
    [answer] = answers_upsert(
        assessment=assessment,
        answered_by=owner,
        items=[{"question": "Q2", "choice": "B", "evidence": {"total": 10, "networked": 7}}],
    )
    answer.refresh_from_db()
    assert answer.option_points == ["6"]
    assert answer.evidence == {"total": 10, "networked": 7}


def test_an_unknown_option_is_refused_with_its_key_and_nothing_is_saved(assessment: Assessment, owner: User) -> None:
    items = [{"question": "Q2", "choice": "B"}, {"question": "Q1", "choices": ["Z"]}]
    with pytest.raises(AnswerSetError, match='answers\\[1\\] \\(Q1\\): unknown option "Z"'):
        answers_upsert(assessment=assessment, answered_by=owner, items=items)
    assert not assessment.answers.exists()


def test_an_assessment_starts_only_from_a_published_version(organization: Organization, owner: User) -> None:
    call_command("import_framework", "--draft", str(MINI), verbosity=0)
    with pytest.raises(ServiceError, match="is draft"):
        assessment_create(
            organization=organization, framework_version=framework_version_get("mini@1"), created_by=owner
        )
