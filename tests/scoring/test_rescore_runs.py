"""`manage.py rescore` in chunks: on real Celery workers or inline, resumable after a crash with no chunk done
twice or skipped; results with the path and explanations left pending are the same as those computed with them."""

from __future__ import annotations

import gc
import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessment.models import Assessment, FrameworkVersion, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from scoring import services
from scoring.models import AssessmentResult, RescoreChunk, RescoreRun
from scoring.selectors import assessment_result, rescore_run_rate
from scoring.services import assessment_result_ensure, rescore_chunk_run, rescore_run_start, results_rescore
from tests.helpers import submit_filling_gaps

pytestmark = pytest.mark.django_db
F5 = "ACEACE"  # F5: A 0, C 5, E 10 points


def submitted(miit: FrameworkVersion, organization: Organization, owner: User, n: int) -> list[int]:
    """`n` submitted assessments, F5 cycling through A, C, E; their results' totals then set to 999."""
    ids = []
    for i in range(n):
        assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
        answers_upsert(assessment=assessment, answered_by=owner, items=[{"question": "F5", "choice": F5[i % 6]}])
        submit_filling_gaps(assessment, owner)
        ids.append(assessment.pk)
    AssessmentResult.objects.filter(assessment_id__in=ids).update(total=999)  # as if scored by an old engine
    return ids


def totals(ids: list[int]) -> list[int]:
    by_id = dict(AssessmentResult.objects.filter(assessment_id__in=ids).values_list("assessment_id", "total"))
    return [int(by_id[pk]) for pk in ids]


def test_a_chunk_left_running_by_a_dead_worker_is_redone_once_and_a_done_one_never(
    miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    ids = submitted(miit, organization, owner, 3)
    run = rescore_run_start(chunk_size=1)
    first, second, _third = run.chunks.order_by("position")
    # The command was killed: the first chunk's worker died holding it, the second was done (and its result
    # changed since, so a second rescore would show), the third never started.
    lost = timezone.now() - timedelta(seconds=1)
    RescoreChunk.objects.filter(pk=first.pk).update(status="running", attempts=1, lease_until=lost)
    RescoreChunk.objects.filter(pk=second.pk).update(status="done", attempts=1, rescored=1)
    assert totals(ids) == [999, 999, 999]

    call_command("rescore", "--inline", verbosity=0)  # the restarted command resumes the run

    assert totals(ids) == [0, 999, 10], "the dead worker's chunk redone, the done one left alone"
    chunks = list(RescoreChunk.objects.filter(run=run).order_by("position").values_list("status", "attempts"))
    assert chunks == [("done", 2), ("done", 1), ("done", 1)]
    run.refresh_from_db()
    assert run.status == RescoreRun.Status.DONE
    assert RescoreRun.objects.count() == 1, "resumed, not started again"


def test_a_chunk_whose_worker_still_holds_its_lease_is_not_taken(
    miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    ids = submitted(miit, organization, owner, 1)
    run = rescore_run_start()
    chunk = run.chunks.get()
    RescoreChunk.objects.filter(pk=chunk.pk).update(
        status="running", attempts=1, lease_until=timezone.now() + timedelta(minutes=5)
    )
    assert rescore_chunk_run(chunk_id=chunk.pk) is False
    assert totals(ids) == [999]
    RescoreChunk.objects.filter(pk=chunk.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert rescore_chunk_run(chunk_id=chunk.pk) is True
    assert rescore_chunk_run(chunk_id=chunk.pk) is False, "done: never again"
    assert totals(ids) == [0]


def test_results_with_the_path_left_pending_are_those_computed_with_it(
    miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    ids = submitted(miit, organization, owner, 6)
    results_rescore(assessment_ids=ids, with_path=True)
    eager = {r.assessment_id: r for r in AssessmentResult.objects.filter(assessment_id__in=ids)}
    results_rescore(assessment_ids=ids, with_path=False)
    for pk in ids:
        lazy = AssessmentResult.objects.get(assessment_id=pk)
        assert (lazy.path_pending, lazy.path) == (True, None)
        assert (lazy.total, lazy.level) == (eager[pk].total, eager[pk].level)
        assert lazy.card == {k: v for k, v in eager[pk].card.items() if k != "questions"}, "explanations pending"
        with pytest.raises(LookupError):
            lazy.scorecard().questions["F5"]  # never an empty explanation
        assert lazy.scorecard().dimensions == eager[pk].scorecard().dimensions, "peers and cohorts read these"
        shown = assessment_result(Assessment.objects.select_related("result").get(pk=pk), with_path=True)
        assert (shown.path, shown.card) == (eager[pk].path, eager[pk].card), "read: computed on the spot"
        assert assessment_result(Assessment.objects.select_related("result").get(pk=pk)).card == eager[pk].card
        stored = assessment_result_ensure(assessment=Assessment.objects.get(pk=pk))
        assert (stored.path_pending, stored.path, stored.card) == (False, eager[pk].path, eager[pk].card)
        saved = AssessmentResult.objects.get(assessment_id=pk)
        assert (saved.path, saved.card) == (eager[pk].path, eager[pk].card), "stored once read: the sweeper's way"


@pytest.mark.django_db(transaction=True)
def test_rescore_runs_its_chunks_on_real_workers(
    celery_worker_process: Any, miit: FrameworkVersion, organization: Organization, owner: User, postgresql: None
) -> None:
    ids = submitted(miit, organization, owner, 6)
    celery_worker_process()
    celery_worker_process()
    out = io.StringIO()
    call_command("rescore", "--chunk-size", "2", verbosity=0, stdout=out)
    assert totals(ids) == [0, 5, 10, 0, 5, 10]
    chunks = RescoreChunk.objects.order_by("position").values_list("status", "attempts", "rescored")
    assert list(chunks) == [("done", 1, 2)] * 3
    run = RescoreRun.objects.get()
    assert run.status == RescoreRun.Status.DONE
    assert all(c.started_at < c.finished_at for c in run.chunks.all())
    rate = rescore_run_rate(run)
    assert rate is not None
    assert (
        out.getvalue()
        == f"Rescored 6 assessment(s) (run #{run.pk}): {rate:.0f} a second, first chunk's start to last one's end.\n"
    )


def test_a_runs_rate_counts_from_its_first_chunks_start_to_its_last_ones_end(
    miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    submitted(miit, organization, owner, 3)
    run = rescore_run_start(chunk_size=1)
    assert rescore_run_rate(run) is None, "nothing done yet"
    first, second, third = run.chunks.order_by("position")
    at = timezone.now()
    RescoreChunk.objects.filter(pk=first.pk).update(
        status="done", rescored=300, started_at=at, finished_at=at + timedelta(seconds=2)
    )
    RescoreChunk.objects.filter(pk=second.pk).update(
        status="done", rescored=200, started_at=at + timedelta(seconds=1), finished_at=at + timedelta(seconds=5)
    )
    RescoreChunk.objects.filter(pk=third.pk).update(status="running", started_at=at + timedelta(seconds=6))
    assert rescore_run_rate(run) == 100.0, "500 in 5 s; a chunk still running does not count"


def test_a_chunk_is_rescored_with_the_cyclic_collector_paused_and_it_comes_back(
    miit: FrameworkVersion, organization: Organization, owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = submitted(miit, organization, owner, 2)
    run = rescore_run_start(chunk_size=10)
    seen: list[bool] = []
    rescore = services.results_rescore

    def watched(**kwargs: Any) -> int:
        seen.append(gc.isenabled())
        return rescore(**kwargs)

    monkeypatch.setattr(services, "results_rescore", watched)
    assert gc.isenabled()
    assert rescore_chunk_run(chunk_id=run.chunks.get().pk)
    assert seen == [False], "a third of a chunk's CPU was the collector's"
    assert gc.isenabled()
    assert totals(ids) == [0, 5]
