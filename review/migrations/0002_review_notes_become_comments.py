"""The old review notes (assessment.ReviewNote) become shared review comments; assessment 0009 then drops them.

A note was always shown to the enterprise (in the PDF report), so each becomes a shared comment on the same
assessment and question, by the same author, with its date. Backwards, shared comments become notes again.
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def notes_to_comments(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    ReviewNote = apps.get_model("assessment", "ReviewNote")
    ReviewComment = apps.get_model("review", "ReviewComment")
    for note in ReviewNote.objects.order_by("created_at", "id").iterator():
        comment = ReviewComment.objects.create(
            assessment_id=note.assessment_id,
            question_id=note.question_id,
            author_id=note.author_id,
            body=note.text,
            visibility="shared",
        )
        # created_at is auto_now_add: the note's date is set afterwards.
        ReviewComment.objects.filter(pk=comment.pk).update(created_at=note.created_at)


def comments_to_notes(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    ReviewNote = apps.get_model("assessment", "ReviewNote")
    ReviewComment = apps.get_model("review", "ReviewComment")
    for comment in ReviewComment.objects.filter(visibility="shared").order_by("created_at", "id").iterator():
        note = ReviewNote.objects.create(
            assessment_id=comment.assessment_id,
            question_id=comment.question_id,
            author_id=comment.author_id,
            text=comment.body,
        )
        ReviewNote.objects.filter(pk=note.pk).update(created_at=comment.created_at)
        comment.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0008_history_and_documents_guards"),
        ("review", "0001_initial"),
    ]

    operations = [migrations.RunPython(notes_to_comments, comments_to_notes, elidable=True)]
