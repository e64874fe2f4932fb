"""Reads of the consultant review: a consultant's queue, and how long each assessment has waited for them."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, F, Q, QuerySet

from assessment.models import Assessment, AuditEvent, ConsultantAssignment, User
from review.models import ReviewComment, ReviewItem

# The consultant has the next step: a (re)submitted assessment to open, or one under review to finish.
WAITING_ON_CONSULTANT = frozenset({Assessment.Status.SUBMITTED, Assessment.Status.UNDER_REVIEW})


def verdict_count(verdict: str) -> str:
    """The name of the annotation review_queue() gives each assessment: how many answers have `verdict`."""
    return f"verdicts_{verdict}"


def review_queue(consultant: User, *, only: int | None = None) -> QuerySet[Assessment]:
    """Every assessment (drafts aside) of the organisations assigned to `consultant`, newest submission first,
    each annotated with its count of each verdict (verdict_count()); `only` narrows it to one organisation."""
    assigned = ConsultantAssignment.objects.filter(consultant=consultant).values("organization")
    queue = Assessment.objects.filter(organization__in=assigned).exclude(status=Assessment.Status.DRAFT)
    if only is not None:
        queue = queue.filter(organization_id=only)
    counts = {
        verdict_count(verdict): Count("review_items", filter=Q(review_items__verdict=verdict))
        for verdict in ReviewItem.Verdict.values
    }
    return (
        queue.annotate(**counts)
        .select_related("organization", "framework_version__framework")
        .order_by(F("submitted_at").desc(nulls_last=True), "-id")
    )


def waiting_seconds(assessment: Assessment, now: datetime) -> int | None:
    """Seconds since the (last) submission while the consultant has the next step; None otherwise."""
    if assessment.status not in WAITING_ON_CONSULTANT or assessment.submitted_at is None:
        return None
    return max(0, int((now - assessment.submitted_at).total_seconds()))


def is_assigned_consultant(user: User, organization_id: int) -> bool:
    """Whether `user` reviews the organisation: only they see internal comments and events."""
    return ConsultantAssignment.objects.filter(consultant_id=user.pk, organization_id=organization_id).exists()


def review_comments(assessment: Assessment, *, with_internal: bool) -> QuerySet[ReviewComment]:
    """The assessment's comments, oldest first; internal ones only `with_internal` (for its consultants)."""
    comments = ReviewComment.objects.filter(assessment=assessment).select_related("author", "question")
    return comments if with_internal else comments.exclude(visibility=ReviewComment.Visibility.INTERNAL)


def assessment_history(assessment: Assessment, *, with_internal: bool) -> QuerySet[AuditEvent]:
    """The assessment's audit trail, oldest first; internal events only `with_internal` (for its consultants)."""
    events = AuditEvent.objects.filter(assessment=assessment).select_related("actor").order_by("created_at", "id")
    return events if with_internal else events.filter(internal=False)


def review_items(assessment: Assessment) -> QuerySet[ReviewItem]:
    """The verdicts given on the assessment's answers, in the framework's order of questions."""
    return ReviewItem.objects.filter(assessment=assessment).select_related("question", "reviewer")
