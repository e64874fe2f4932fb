"""Stored results of scoring an assessment, shaped for peer comparison in the database."""

from __future__ import annotations

from django.db import models

from assessment.classification import PROVINCES, SECTORS, SizeBand
from assessment.models import Assessment, FrameworkVersion, Organization


class AssessmentResult(models.Model):
    """The ScoreCard of an assessment. Recomputed while answers change; frozen from submission on."""

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="result")
    framework_version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="+")
    scoring_version = models.PositiveIntegerField()
    total = models.DecimalField(max_digits=12, decimal_places=6)
    max_total = models.DecimalField(max_digits=12, decimal_places=6)
    level = models.SmallIntegerField()
    completeness = models.DecimalField(max_digits=7, decimal_places=6)
    card = models.JSONField(help_text="The whole ScoreCard: node scores, gates, explanation.")
    path = models.JSONField(null=True, blank=True, help_text="The path to the next level, if any.")
    path_pending = models.BooleanField(
        default=False, help_text="The path is not computed yet: it is, when the full result is first read."
    )
    frozen = models.BooleanField(default=False, help_text="Set at submission: answers no longer change.")
    computed_at = models.DateTimeField()
    answers_as_of = models.DateTimeField(
        null=True, blank=True, help_text="The assessment's updated_at when scored; differs once answers change."
    )
    # Peer comparison: the organisation's profile when the assessment was submitted.
    peer_group = models.BooleanField(default=False, help_text="Submitted or finalised: counts among peers.")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    sector = models.CharField(max_length=1, choices=SECTORS)
    size_band = models.CharField(max_length=6, choices=SizeBand.choices)
    province = models.CharField(max_length=2, choices=PROVINCES)

    class Meta:
        indexes = [
            models.Index(fields=["framework_version", "peer_group", "total"], name="result_peer_total"),
            models.Index(fields=["framework_version", "peer_group", "sector", "total"], name="result_peer_sector"),
            models.Index(fields=["framework_version", "peer_group", "size_band", "total"], name="result_peer_size"),
            models.Index(fields=["framework_version", "peer_group", "province", "total"], name="result_peer_province"),
            models.Index(fields=["scoring_version"], name="result_scoring_version"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.total} (level {self.level})"


class DimensionResult(models.Model):
    """One dimension's score of a result, denormalised so peer percentiles are index range counts."""

    result = models.ForeignKey(AssessmentResult, on_delete=models.CASCADE, related_name="dimension_results")
    framework_version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=40)
    score = models.DecimalField(max_digits=12, decimal_places=6)
    max = models.DecimalField(max_digits=12, decimal_places=6)
    peer_group = models.BooleanField(default=False)
    sector = models.CharField(max_length=1, choices=SECTORS)
    size_band = models.CharField(max_length=6, choices=SizeBand.choices)
    province = models.CharField(max_length=2, choices=PROVINCES)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["result", "dimension"], name="dimension_result_unique")]
        indexes = [
            models.Index(fields=["framework_version", "dimension", "peer_group", "score"], name="dim_peer_score"),
            models.Index(
                fields=["framework_version", "dimension", "peer_group", "sector", "score"], name="dim_peer_sector"
            ),
            models.Index(
                fields=["framework_version", "dimension", "peer_group", "size_band", "score"], name="dim_peer_size"
            ),
            models.Index(
                fields=["framework_version", "dimension", "peer_group", "province", "score"], name="dim_peer_province"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.result_id} {self.dimension}: {self.score}"
