"""Stored results of scoring an assessment, shaped for peer comparison in the database."""

from __future__ import annotations

from django.db import models

from assessment.classification import PROVINCES, SECTORS, SizeBand
from assessment.exact_json import exact_json_field
from assessment.models import Assessment, FrameworkVersion, Organization
from scoring.engine import Framework, PathToLevel, ScoreCard
from scoring.engine.serialize import card_from_data, path_from_data


def figure_field() -> models.DecimalField:
    """A score as the engine carries it: up to 10^6 points, to 12 decimal places (never rounded to 2)."""
    return models.DecimalField(max_digits=20, decimal_places=12)


class AssessmentResult(models.Model):
    """The ScoreCard of an assessment. Recomputed while answers change; frozen from submission on."""

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="result")
    # No index of its own: the peer index below starts with it (every index is paid for on each rescore).
    framework_version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="+", db_index=False)
    scoring_version = models.PositiveIntegerField()
    total = figure_field()
    max_total = figure_field()
    level = models.SmallIntegerField()
    completeness = figure_field()
    card = exact_json_field(help_text="The whole ScoreCard as data (scoring.engine.serialize): exact decimals.")
    path = exact_json_field(
        null=True, blank=True, help_text="The path to the next level as data, its answers in the answer format."
    )
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
            # Peers are read from the cache or the last rebuild's counts (PeerDistribution), not counted on a
            # reader's path: no index per profile field, which every rescore and submission would pay for.
            models.Index(fields=["framework_version", "peer_group", "total"], name="result_peer_total"),
            models.Index(fields=["scoring_version"], name="result_scoring_version"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.total} (level {self.level})"

    def scorecard(self) -> ScoreCard:
        return card_from_data(self.card)

    def path_to_next_level(self, framework: Framework) -> PathToLevel | None:
        """The stored path (None when there is no next level, or while it is pending)."""
        return path_from_data(framework, self.path)


class DimensionResult(models.Model):
    """One dimension's score of a result, denormalised so a rebuild counts peer groups without joining results."""

    # Neither has an index of its own: dimension_result_unique and the peer index start with them.
    result = models.ForeignKey(
        AssessmentResult, on_delete=models.CASCADE, related_name="dimension_results", db_index=False
    )
    framework_version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="+", db_index=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=40)
    score = figure_field()
    max = figure_field()
    peer_group = models.BooleanField(default=False)
    sector = models.CharField(max_length=1, choices=SECTORS)
    size_band = models.CharField(max_length=6, choices=SizeBand.choices)
    province = models.CharField(max_length=2, choices=PROVINCES)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["result", "dimension"], name="dimension_result_unique")]
        indexes = [
            models.Index(fields=["framework_version", "dimension", "peer_group", "score"], name="dim_peer_score"),
        ]

    def __str__(self) -> str:
        return f"{self.result_id} {self.dimension}: {self.score}"


class PeerDistribution(models.Model):
    """A group's band counts for one metric as the last rebuild counted them (scoring.distributions): what a
    reader uses while the cache has none (Redis down or flushed), instead of counting a million rows."""

    framework_version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="+")
    resolution = models.PositiveSmallIntegerField(help_text="PEER_RESOLUTION_PERCENT when counted.")
    slot = models.CharField(max_length=100, help_text="metric:sector:size band:province ('' where not narrowed).")
    counts = models.JSONField(help_text="Organisations per band, the lowest band first.")
    built_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["framework_version", "resolution", "slot"], name="peer_distribution_slot")
        ]

    def __str__(self) -> str:
        return f"{self.framework_version_id} {self.slot}"


class RescoreRun(models.Model):
    """One `manage.py rescore`: the assessments it recomputes, in chunks; a restarted command resumes it."""

    class Status(models.TextChoices):
        RUNNING = "running"
        DONE = "done"

    framework = models.CharField(max_length=100, blank=True, help_text="The framework's slug; empty: all.")
    with_path = models.BooleanField(default=False, help_text="Compute paths now, not on first read.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    assessments = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"rescore #{self.pk} ({self.framework or 'all'}): {self.status}"


class RescoreChunk(models.Model):
    """A share of a run, done by one Celery task (or inline) in one transaction: the row is the truth."""

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"  # claimed; taken again once `lease_until` passes (its worker died)
        DONE = "done"

    run = models.ForeignKey(RescoreRun, on_delete=models.CASCADE, related_name="chunks")
    position = models.PositiveIntegerField()
    assessment_ids = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    # The database's clock, whichever machine ran the chunk: the run's rate is read from these.
    started_at = models.DateTimeField(null=True, blank=True, help_text="When it was last claimed.")
    finished_at = models.DateTimeField(null=True, blank=True)
    rescored = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "position"], name="rescore_chunk_position_unique")]
        indexes = [models.Index(fields=["run", "status"], name="rescore_chunk_status")]

    def __str__(self) -> str:
        return f"rescore #{self.run_id} chunk {self.position}: {self.status}"
