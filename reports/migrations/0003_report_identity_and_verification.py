"""Report identity: number, verification code, date of issue, the PDF's SHA-256 and what /verify/<code>/ shows.

Existing rows are left empty on purpose: their PDFs print no code, so no one holding one could check it, and a
SHA-256 or facts taken now would not be those of the file as it was issued. Their check page is a 404.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_report_dispatched_at"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReportNumberCounter",
            fields=[
                ("year", models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ("last", models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.AddField(
            model_name="report",
            name="assessed_at",
            field=models.DateTimeField(blank=True, help_text="The assessment's date, as printed.", null=True),
        ),
        migrations.AddField(
            model_name="report",
            name="framework_title",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name="report",
            name="issued_at",
            field=models.DateTimeField(blank=True, help_text="When the stored PDF was rendered.", null=True),
        ),
        migrations.AddField(
            model_name="report",
            name="level_name",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="report",
            name="level_number",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="report",
            name="number",
            field=models.CharField(
                blank=True,
                help_text="DMR-<year>-<sequence>: given at first render.",
                max_length=20,
                null=True,
                unique=True,
            ),
        ),
        migrations.AddField(
            model_name="report",
            name="organization_name",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="report",
            name="sha256",
            field=models.CharField(blank=True, help_text="SHA-256 of the stored PDF's bytes, hex.", max_length=64),
        ),
        migrations.AddField(
            model_name="report",
            name="verification_code",
            field=models.CharField(
                blank=True,
                help_text="20 symbols of Crockford base32: 100 random bits.",
                max_length=20,
                null=True,
                unique=True,
            ),
        ),
        migrations.AddField(
            model_name="report",
            name="verified",
            field=models.BooleanField(blank=True, help_text="Consultant-verified (else self-assessed).", null=True),
        ),
    ]
