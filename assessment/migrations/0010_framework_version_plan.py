from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0009_remove_review_note"),
    ]

    operations = [
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
    ]
