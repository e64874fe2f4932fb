"""A verification keeps the consultant's family and given names as signed, to write the name in each language's
order (王立; "Li Wang"). Earlier sign-offs take them from the consultant's profile."""

from __future__ import annotations

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def names_from_profiles(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Verification = apps.get_model("review", "Verification")
    ConsultantProfile = apps.get_model("review", "ConsultantProfile")
    for verification in Verification.objects.all():
        profile = ConsultantProfile.objects.filter(user_id=verification.consultant_id).first()
        if profile is not None and f"{profile.family_name}{profile.given_name}" == verification.consultant_name:
            Verification.objects.filter(pk=verification.pk).update(
                family_name=profile.family_name, given_name=profile.given_name
            )


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0002_review_notes_become_comments"),
    ]

    operations = [
        migrations.AddField(
            model_name="verification",
            name="family_name",
            field=models.CharField(blank=True, max_length=60),
        ),
        migrations.AddField(
            model_name="verification",
            name="given_name",
            field=models.CharField(blank=True, max_length=60),
        ),
        migrations.AlterField(
            model_name="verification",
            name="consultant_name",
            field=models.CharField(help_text="The name in Chinese order (person_name).", max_length=130),
        ),
        migrations.RunPython(names_from_profiles, migrations.RunPython.noop, elidable=True),
    ]
