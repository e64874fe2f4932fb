"""Keeping CohortMember current: one row of figures per active enrolment, what analytics and exports read.

A row is refreshed after commit whenever what it shows may have changed (programmes/apps.py connects the signals:
an enrolment accepted or withdrawn, an assessment submitted or moved on, a result stored or rescored, a
verification signed, the organisation's profile edited); `cohort_sweep` repairs what a lost signal missed.
Each change raises the programme's data_version, which keys the cached analytics.

T0 is the last assessment submitted before the programme's date on one of its framework versions; the row's own
figures (T1) are those of the latest one submitted (on or after the date when there is one). "Submitted" is a
status whose result is frozen: submitted, under review, finalised (a returned assessment counts again once it is
resubmitted). The verified figures are those of the latest signed Verification of such an assessment.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from assessment.models import Assessment, Organization
from programmes.models import CohortMember, Enrolment, Programme
from review.models import Verification
from scoring.engine import ScoreCard
from scoring.engine.numbers import exact
from scoring.engine.serialize import card_from_data
from scoring.models import AssessmentResult
from scoring.peers import dimension_metric

logger = logging.getLogger(__name__)

# Statuses whose result is frozen: they count as submitted for T0 and T1.
COUNTED_STATUSES = tuple(Assessment.PEER_STATUSES)
SCENARIO_GATES = frozenset({"scenarios", "constrained"})


def baseline_start(programme: Programme) -> datetime:
    """The first moment of the programme's T0/T1 date, in the site's time zone."""
    return timezone.make_aware(datetime.combine(programme.baseline_date, time.min))


def card_dimensions(card: ScoreCard) -> dict[str, str]:
    """Each dimension as compared (points, or a scenario dimension's average level), exact, as strings."""
    return {d.key: str(exact(dimension_metric(card, d).score)) for d in card.dimensions}


def held_back_by(card_data: dict[str, Any]) -> list[str]:
    """Which gates of the next level fail: "score", "scenarios" (scenario count or constrained ones), both, none."""
    failing = {g["gate"] for g in card_data.get("gates", []) if not g["holds"]}
    return [gate for gate, kinds in (("score", {"score"}), ("scenarios", SCENARIO_GATES)) if failing & kinds]


def path_steps(path_data: dict[str, Any] | None) -> list[str]:
    """The question keys of the stored path to the next level (none while it is pending)."""
    return [i["question"] for i in (path_data or {}).get("improvements", [])]


def _figures(enrolment: Enrolment) -> dict[str, Any]:
    """What the enrolment's CohortMember row holds, computed from the stored results."""
    programme = enrolment.programme
    organization = enrolment.organization
    versions = list(programme.framework_versions.values_list("pk", flat=True))
    assessments = list(
        Assessment.objects.filter(
            organization=organization,
            framework_version__in=versions,
            status__in=COUNTED_STATUSES,
            submitted_at__isnull=False,
        )
        .select_related("result")
        .order_by("submitted_at", "pk")
    )
    start = baseline_start(programme)
    figures: dict[str, Any] = {
        "programme": programme,
        "group": enrolment.group,
        "organization": organization,
        "sector": organization.sector,
        "size_band": organization.size_band,
        "province": organization.province,
        "city": organization.city,
        "framework_version": None,
        "assessment": None,
        "submitted_at": None,
        "level": None,
        "total": None,
        "dimensions": {},
        "scenarios": {},
        "verified_level": None,
        "verified_total": None,
        "verified_dimensions": {},
        "verified_at": None,
        "t0_assessment": None,
        "t0_level": None,
        "t0_total": None,
        "held_back_by": [],
        "path_steps": [],
    }
    scored = [a for a in assessments if getattr(a, "result", None) is not None]
    if not scored:
        return figures
    current = scored[-1]
    result: AssessmentResult = current.result
    figures.update(
        framework_version=current.framework_version,
        assessment=current,
        submitted_at=current.submitted_at,
        level=result.level,
        total=result.total,
        dimensions=card_dimensions(result.scorecard()),
        scenarios={key: int(level) for key, level in result.card.get("scenario_levels", {}).items()},
        held_back_by=held_back_by(result.card),
        path_steps=[] if result.path_pending else path_steps(result.path),
    )
    before = [a for a in scored if a.submitted_at is not None and a.submitted_at < start]
    if before:
        t0 = before[-1]
        figures.update(t0_assessment=t0, t0_level=t0.result.level, t0_total=t0.result.total)
    verification = (
        Verification.objects.filter(assessment__in=[a.pk for a in assessments]).order_by("-signed_at", "-pk").first()
    )
    if verification is not None:
        figures.update(
            verified_level=verification.level,
            verified_total=verification.total,
            verified_dimensions=card_dimensions(card_from_data(verification.card)),
            verified_at=verification.signed_at,
        )
    return figures


def _differs(member: CohortMember, figures: dict[str, Any]) -> bool:
    for field, value in figures.items():
        current = getattr(member, field)
        if isinstance(value, Decimal) and current is not None:
            if Decimal(current) != value:
                return True
        elif current != value:
            return True
    return False


def programme_data_version_bump(*, programme_ids: Iterable[int]) -> None:
    """Raise the programmes' data_version: their cached analytics are no longer looked up."""
    ids = sorted(set(programme_ids))
    if ids:
        Programme.objects.filter(pk__in=ids).update(data_version=F("data_version") + 1)


@transaction.atomic
def cohort_member_refresh(*, enrolment_id: int) -> CohortMember | None:
    """Bring the enrolment's row up to date (None, and no row, once consent is withdrawn); raise the programme's
    data_version when anything changed."""
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("programme", "organization", "group")
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None:
        return None
    if not enrolment.is_active:
        deleted, _ = CohortMember.objects.filter(enrolment=enrolment).delete()
        if deleted:
            programme_data_version_bump(programme_ids=[enrolment.programme_id])
        return None
    figures = _figures(enrolment)
    member = CohortMember.objects.filter(enrolment=enrolment).first()
    if member is not None and not _differs(member, figures):
        CohortMember.objects.filter(pk=member.pk).update(refreshed_at=timezone.now())
        return member
    if member is None:
        member = CohortMember(enrolment=enrolment)
    for field, value in figures.items():
        setattr(member, field, value)
    member.refreshed_at = timezone.now()
    member.save()
    programme_data_version_bump(programme_ids=[enrolment.programme_id])
    return member


def cohort_refresh_organization(*, organization_id: int) -> int:
    """Refresh the rows of every enrolment of the organisation (active or just withdrawn); how many."""
    enrolments = list(
        Enrolment.objects.filter(organization_id=organization_id)
        .filter(Q(withdrawn_at__isnull=True) | Q(cohort__isnull=False))
        .values_list("pk", flat=True)
    )
    for enrolment_id in enrolments:
        cohort_member_refresh(enrolment_id=enrolment_id)
    return len(enrolments)


def cohort_programme_refresh(*, programme_id: int) -> int:
    """Refresh every row of a programme (its T0/T1 date or framework versions changed); how many enrolments."""
    enrolments = list(
        Enrolment.objects.filter(programme_id=programme_id)
        .filter(Q(withdrawn_at__isnull=True) | Q(cohort__isnull=False))
        .values_list("pk", flat=True)
    )
    for enrolment_id in enrolments:
        cohort_member_refresh(enrolment_id=enrolment_id)
    return len(enrolments)


def cohort_refresh_later(*, organization_ids: Collection[int]) -> None:
    """After commit, refresh the rows of those of the organisations that are enrolled anywhere (one query first)."""
    if not organization_ids:
        return
    enrolled = Enrolment.objects.filter(organization_id__in=organization_ids).values_list("organization_id", flat=True)
    found = sorted(set(enrolled))
    if not found:
        return

    def refresh() -> None:
        for organization_id in found:
            try:
                cohort_refresh_organization(organization_id=organization_id)
            except Exception:  # the sweep repairs what this missed; the user's own request must not fail for it
                logger.exception("cohort refresh of organisation %s failed", organization_id)

    transaction.on_commit(refresh)


def _stale_enrolments() -> Q:
    """Active enrolments whose row is missing or older than what it is computed from."""
    member = CohortMember.objects.filter(enrolment=OuterRef("pk"))
    versions = Programme.framework_versions.through.objects.filter(programme_id=OuterRef(OuterRef("programme_id")))
    counted = Assessment.objects.filter(
        organization=OuterRef("organization"),
        framework_version__in=versions.values("frameworkversion_id"),
        status__in=COUNTED_STATUSES,
    )
    newer_submission = counted.filter(submitted_at__gt=OuterRef("cohort__refreshed_at"))
    rescored = counted.filter(result__computed_at__gt=OuterRef("cohort__refreshed_at"))
    signed = counted.filter(verification__signed_at__gt=OuterRef("cohort__refreshed_at"))
    left = CohortMember.objects.filter(enrolment=OuterRef("pk")).filter(
        ~Q(assessment__status__in=COUNTED_STATUSES) & Q(assessment__isnull=False)
    )
    return (
        ~Exists(member)
        | Exists(newer_submission)
        | Exists(rescored)
        | Exists(signed)
        | Exists(left)
        | ~Q(cohort__sector=F("organization__sector"))
        | ~Q(cohort__size_band=F("organization__size_band"))
        | ~Q(cohort__province=F("organization__province"))
        | ~Q(cohort__city=F("organization__city"))
        | (Q(cohort__group__isnull=False, group__isnull=False) & ~Q(cohort__group_id=F("group_id")))
        | Q(cohort__group__isnull=False, group__isnull=True)
        | Q(cohort__group__isnull=True, group__isnull=False)
    )


def cohort_sweep(*, batch: int = 500) -> int:
    """Repair rows a lost signal left behind: drop those of withdrawn enrolments, refresh missing and stale ones."""
    waited = timezone.now() - timedelta(seconds=settings.SWEEP_INTERVAL_SECONDS)
    withdrawn = list(
        CohortMember.objects.filter(enrolment__withdrawn_at__isnull=False).values_list("enrolment_id", flat=True)[
            :batch
        ]
    )
    stale = list(
        Enrolment.objects.filter(withdrawn_at__isnull=True, consented_at__lt=waited)
        .filter(_stale_enrolments())
        .values_list("pk", flat=True)
        .distinct()[:batch]
    )
    for enrolment_id in [*withdrawn, *stale]:
        cohort_member_refresh(enrolment_id=enrolment_id)
    return len(withdrawn) + len(stale)


# --- signal receivers (connected in programmes/apps.py) ------------------------------------------------


def on_enrolment_saved(sender: type[Enrolment], instance: Enrolment, **kwargs: Any) -> None:
    enrolment_id = instance.pk
    transaction.on_commit(lambda: cohort_member_refresh(enrolment_id=enrolment_id), robust=True)


def on_assessment_saved(sender: type[Assessment], instance: Assessment, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "status" not in update_fields:
        return  # answers or metadata: nothing the cohort shows
    if instance.status == Assessment.Status.DRAFT:
        return
    cohort_refresh_later(organization_ids=[instance.organization_id])


def on_result_changed(sender: type[AssessmentResult], instance: AssessmentResult, **kwargs: Any) -> None:
    if instance.frozen:
        cohort_refresh_later(organization_ids=[instance.organization_id])


def on_results_deleted(sender: type[AssessmentResult], organization_ids: Collection[int], **kwargs: Any) -> None:
    cohort_refresh_later(organization_ids=organization_ids)


def on_verification_saved(sender: type[Verification], instance: Verification, **kwargs: Any) -> None:
    organization_ids = Assessment.objects.filter(pk=instance.assessment_id).values_list("organization_id", flat=True)
    cohort_refresh_later(organization_ids=list(organization_ids))


def on_programme_changed(sender: Any, instance: Programme, **kwargs: Any) -> None:
    # A new T0/T1 date or other framework versions change every row: a worker refreshes them (a programme's edit
    # is rare, its rows may be 50,000). Skipped for a new programme, which has no one enrolled yet.
    if kwargs.get("created") or not isinstance(instance, Programme):
        return
    if kwargs.get("action", "post_add") not in ("post_add", "post_remove", "post_clear"):
        return
    programme_id = instance.pk

    def dispatch() -> None:
        from programmes.tasks import cohort_programme_refresh_task  # the task module imports this one

        cohort_programme_refresh_task.delay(programme_id)

    if Enrolment.objects.filter(programme_id=programme_id).exists():
        transaction.on_commit(dispatch, robust=True)


def on_organization_saved(sender: type[Organization], instance: Organization, **kwargs: Any) -> None:
    # The name is not in the row but is in the cached figures (named SMEs): forget them too.
    programmes = Enrolment.objects.filter(organization_id=instance.pk, withdrawn_at__isnull=True)
    programme_ids = list(programmes.values_list("programme_id", flat=True))
    if programme_ids:
        programme_data_version_bump(programme_ids=programme_ids)
    cohort_refresh_later(organization_ids=[instance.pk])
