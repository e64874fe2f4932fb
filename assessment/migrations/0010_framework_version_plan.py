import importlib

from django.db import migrations, models

# SQLite remakes a table to add a column: the immutability guards on the framework tables go off around it.
portal = importlib.import_module("assessment.migrations.0007_review_portal")


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0009_remove_review_note"),
    ]

    operations = [
        migrations.RunPython(portal.sqlite_guards_off, portal.sqlite_guards_on),
        migrations.AddField(
            model_name="frameworkversion",
            name="plan",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Our effort and cost estimates beside the version's content (outside its hash, may be "
                "amended): effort classes with durations and cost bands, each question's class per rung, caveats; "
                "from the framework file's `plan`. Empty: the path weighs each step by the question's `effort`.",
            ),
        ),
        migrations.RunPython(portal.sqlite_guards_on, portal.sqlite_guards_off),
    ]
