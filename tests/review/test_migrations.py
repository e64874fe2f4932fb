"""Review notes become shared review comments (review 0002) before assessment 0009 drops them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from assessment.models import FrameworkVersion, Organization, Question, User
from assessment.services.assessments import assessment_create
from review.models import ReviewComment

BEFORE = [("assessment", "0008_history_and_documents_guards"), ("review", "0001_initial")]
AFTER = [("assessment", "0009_remove_review_note"), ("review", "0002_review_notes_become_comments")]


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.mark.django_db(transaction=True)
def test_every_review_note_becomes_a_shared_comment_with_its_author_question_and_date(
    miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    question = Question.objects.get(version=miit, key="F2")
    written = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    try:
        notes = migrate(BEFORE).loader.project_state(BEFORE).apps.get_model("assessment", "ReviewNote").objects
        on_question = notes.create(
            assessment_id=assessment.pk, question_id=question.pk, author_id=owner.pk, text="台账一致"
        )
        general = notes.create(assessment_id=assessment.pk, author_id=owner.pk, text="现场核查完毕")
        notes.filter(pk=general.pk).update(created_at=written)

        migrate(AFTER)
        comments = ReviewComment.objects.filter(assessment=assessment).order_by("created_at")
        assert [(c.question_id, c.author_id, c.body, c.visibility, c.created_at) for c in comments] == [
            (None, owner.pk, "现场核查完毕", "shared", written),
            (question.pk, owner.pk, "台账一致", "shared", on_question.created_at),
        ]
        assert "assessment_reviewnote" not in connection.introspection.table_names()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
