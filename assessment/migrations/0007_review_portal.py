import importlib

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

import assessment.exact_json
import assessment.models
import assessment.validators

# SQLite adds a field by rebuilding the table under a new name; 0002's triggers that name these tables
# would stop the rename, so they are dropped for the rebuild and made again after it.
guards = importlib.import_module("assessment.migrations.0002_immutability_triggers")


def sqlite_guards_off(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        guards.backward(apps, schema_editor)


def sqlite_guards_on(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        guards.forward(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0006_plain_text_names_and_amounts_not_negative"),
    ]

    operations = [
        migrations.RunPython(sqlite_guards_off, sqlite_guards_on),
        migrations.AddField(
            model_name="assessment",
            name="reopened_questions",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="While returned: the keys of the only questions whose answers may change"
                " (the change requests).",
            ),
        ),
        migrations.AddField(
            model_name="consultantassignment",
            name="assigned_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="consultantassignment",
            name="consultancy",
            field=models.ForeignKey(
                blank=True,
                help_text="The consultancy the consultant reviews for; empty for an operator's direct assignment.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="assignments_given",
                to="assessment.organization",
            ),
        ),
        migrations.AddField(
            model_name="frameworkversion",
            name="guidance",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Third-party guidance beside the version's content (outside its hash, may"
                " be amended): suggested documents per question and per scenario level,"
                " from the framework file's `guidance`.",
            ),
        ),
        migrations.AddField(
            model_name="organization",
            name="description",
            field=models.TextField(
                blank=True,
                help_text="Consultancies: what you verify and where; shown in the directory SMEs choose from.",
                max_length=2000,
                verbose_name="description",
            ),
        ),
        migrations.AddField(
            model_name="organization",
            name="kind",
            field=models.CharField(
                choices=[("sme", "enterprise (SME)"), ("consultancy", "consultancy or assessment body")],
                default="sme",
                max_length=12,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="invitation",
            name="role",
            field=models.CharField(
                choices=[
                    ("owner", "owner"),
                    ("respondent", "respondent"),
                    ("viewer", "viewer"),
                    ("lead", "lead consultant"),
                    ("consultant", "consultant"),
                ],
                max_length=10,
                verbose_name="role",
            ),
        ),
        migrations.AlterField(
            model_name="membership",
            name="role",
            field=models.CharField(
                choices=[
                    ("owner", "owner"),
                    ("respondent", "respondent"),
                    ("viewer", "viewer"),
                    ("lead", "lead consultant"),
                    ("consultant", "consultant"),
                ],
                max_length=10,
            ),
        ),
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("created", "assessment started"),
                            ("answer_changed", "answer changed"),
                            ("document_added", "document added"),
                            ("document_removed", "document removed"),
                            ("status_changed", "status changed"),
                            ("verdict_set", "verdict given"),
                            ("comment_added", "comment added"),
                            ("consultant_assigned", "consultant assigned"),
                            ("consultant_unassigned", "consultant unassigned"),
                            ("member_removed", "member removed"),
                        ],
                        max_length=24,
                    ),
                ),
                ("question_key", models.CharField(blank=True, max_length=40)),
                (
                    "before",
                    models.JSONField(
                        blank=True,
                        decoder=assessment.exact_json.ExactJSONDecoder,
                        encoder=assessment.exact_json.ExactJSONEncoder,
                        null=True,
                    ),
                ),
                (
                    "after",
                    models.JSONField(
                        blank=True,
                        decoder=assessment.exact_json.ExactJSONDecoder,
                        encoder=assessment.exact_json.ExactJSONEncoder,
                        null=True,
                    ),
                ),
                ("reason", models.TextField(blank=True)),
                (
                    "internal",
                    models.BooleanField(
                        default=False,
                        help_text="Seen only by the consultancy (an internal comment); never shown to the SME.",
                    ),
                ),
                ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "assessment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="audit_events",
                        to="assessment.assessment",
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="assessment.organization"
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "id"],
                "indexes": [models.Index(fields=["assessment", "created_at"], name="assessment__assessm_28fd89_idx")],
            },
        ),
        migrations.CreateModel(
            name="EvidenceDocument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("file", models.FileField(max_length=300, upload_to=assessment.models.evidence_path)),
                (
                    "name",
                    models.CharField(
                        max_length=200,
                        validators=[assessment.validators.validate_display_text],
                        verbose_name="file name",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("pdf", "PDF"), ("image", "image"), ("office", "office document")], max_length=10
                    ),
                ),
                ("content_type", models.CharField(help_text="The media type read from the content.", max_length=120)),
                (
                    "extension",
                    models.CharField(help_text="The extension for the detected type, e.g. '.pdf'.", max_length=10),
                ),
                ("size", models.PositiveBigIntegerField()),
                ("sha256", models.CharField(max_length=64)),
                ("uploaded_at", models.DateTimeField(auto_now_add=True)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="documents",
                        to="assessment.assessment",
                    ),
                ),
                (
                    "question",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty: a document for the assessment as a whole.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="assessment.question",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "ordering": ["uploaded_at", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("assessment", "question", "sha256"), name="evidence_document_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(sqlite_guards_on, sqlite_guards_off),
    ]
