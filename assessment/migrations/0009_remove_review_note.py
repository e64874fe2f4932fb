"""Review notes are review comments now (review 0002 copied them): the old table goes."""

from __future__ import annotations

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0008_history_and_documents_guards"),
        ("review", "0002_review_notes_become_comments"),
    ]

    operations = [migrations.DeleteModel(name="ReviewNote")]
