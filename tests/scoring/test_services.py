from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from assessment.models import Assessment, FrameworkVersion, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from scoring.models import AssessmentResult
from scoring.selectors import assessment_result
from scoring.services import assessment_result_ensure, results_sweep
from tests.helpers import submit_filling_gaps

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(miit: FrameworkVersion, organization: Organization, owner: User) -> Assessment:
    return assessment_create(organization=organization, framework_version=miit, created_by=owner)


def test_ensuring_the_result_stores_scores_level_and_path(assessment: Assessment, owner: User) -> None:
    answers_upsert(
        assessment=assessment,
        answered_by=owner,
        items=[
            {"question": "F1", "choices": ["B", "C", "D", "E"]},  # 8
            {"question": "F5", "choice": "E"},  # 10
            {"question": "M1", "choice": "C"},  # 3
            *({"question": f"S{n:02d}", "level": 1} for n in range(1, 7)),  # S01 S03 S06 constrained
        ],
    )
    assert not AssessmentResult.objects.filter(assessment=assessment).exists(), "saving answers does not score"
    assessment_result(assessment, with_path=True)
    assert not AssessmentResult.objects.filter(assessment=assessment).exists(), "reading does not store"
    assessment_result_ensure(assessment=assessment)
    result = AssessmentResult.objects.get(assessment=assessment)
    assert result.total == Decimal(21)
    assert result.level == 1
    assert result.completeness == Decimal("0.290322580645")  # 9 of 31 required questions, to 12 places
    # 数字化经营 has no points: peers compare its scenarios' average level, six at level 1 of 16 → 0.375 of 4.
    assert {d.dimension: (d.score, d.max) for d in result.dimension_results.all()} == {
        "foundation": (18, 50),
        "operations": (Decimal("0.375"), 4),
        "management": (3, 30),
        "outcomes": (0, 20),
    }
    assert result.card["questions"]["F1"]["earned"][0] == {"source": "B", "points": 2, "total_points": 2}
    assert result.path["target"] == 2
    assert result.path["reachable"] is True
    assert result.frozen is False
    assert result.peer_group is False


def test_a_read_after_a_change_scores_again_without_storing_and_a_stored_current_result_is_reused(
    assessment: Assessment, owner: User
) -> None:
    def read() -> AssessmentResult:
        return assessment_result(Assessment.objects.select_related("result").get(pk=assessment.pk))

    answers_upsert(assessment=assessment, answered_by=owner, items=[{"question": "F5", "choice": "B"}])
    assert read().total == Decimal("2.5")
    stored = assessment_result_ensure(assessment=assessment)
    answers_upsert(assessment=assessment, answered_by=owner, items=[{"question": "F5", "choice": "E"}])
    assert AssessmentResult.objects.get(assessment=assessment).total == Decimal("2.5"), "writes do not score"
    assert read().total == 10
    assert read().pk is None, "scored for the read, not stored"
    assert AssessmentResult.objects.get(assessment=assessment).computed_at == stored.computed_at
    second = assessment_result_ensure(assessment=assessment)
    assert (second.total, read().pk, read().computed_at) == (10, second.pk, second.computed_at)


def test_submission_freezes_the_result_and_joins_the_peer_group(assessment: Assessment, owner: User) -> None:
    answers_upsert(assessment=assessment, answered_by=owner, items=[{"question": "F5", "choice": "E"}])
    submit_filling_gaps(assessment, owner)
    result = assessment_result(Assessment.objects.get(pk=assessment.pk))
    assert result.frozen is True
    assert result.peer_group is True
    assert set(result.dimension_results.values_list("peer_group", flat=True)) == {True}

    assert (result.path_pending, result.path) == (True, None), "submitting leaves the path to a worker"
    with_path = assessment_result(Assessment.objects.get(pk=assessment.pk), with_path=True)
    assert (with_path.pk, with_path.path_pending, with_path.path["target"]) == (result.pk, False, 1)
    assert AssessmentResult.objects.get(pk=result.pk).path is None, "a read adds the path without storing it"
    assessment_result_ensure(assessment=assessment)
    assert AssessmentResult.objects.get(pk=result.pk).path == with_path.path

    computed_at = result.computed_at
    assert assessment_result_ensure(assessment=assessment).computed_at == computed_at  # not recomputed
    assert assessment_result_ensure(assessment=assessment, force=True).computed_at > computed_at


def test_the_result_records_the_scoring_and_framework_versions(assessment: Assessment, owner: User) -> None:
    from scoring.engine import SCORING_VERSION

    answers_upsert(assessment=assessment, answered_by=owner, items=[])
    result = assessment_result_ensure(assessment=assessment)
    assert result.scoring_version == SCORING_VERSION
    assert result.framework_version == assessment.framework_version
    assert result.card["framework"] == "miit-2024-manufacturing@2024"


def test_what_if_scores_changes_without_saving_anything(assessment: Assessment, owner: User) -> None:
    from scoring.engine import AnswerSetError
    from scoring.selectors import assessment_what_if

    answers_upsert(assessment=assessment, answered_by=owner, items=[{"question": "F5", "choice": "B"}])
    what_if = assessment_what_if(assessment, [{"question": "F5", "choice": "E"}, {"question": "M4", "choice": "E"}])
    assert what_if["total"] == 17.5  # 10 + 7.5 instead of 2.5
    assert what_if["next_level_path"]["target"] == 1
    assert assessment_result(Assessment.objects.get(pk=assessment.pk)).total == Decimal("2.5")
    assert assessment.answers.get(question__key="F5").option_keys == ["B"]
    with pytest.raises(AnswerSetError, match="unknown option"):
        assessment_what_if(assessment, [{"question": "F5", "choice": "Z"}])


def test_the_sweeper_adds_the_path_a_lost_task_did_not(assessment: Assessment, owner: User) -> None:
    answers_upsert(assessment=assessment, answered_by=owner, items=[{"question": "F5", "choice": "E"}])
    submit_filling_gaps(assessment, owner)  # its path task is sent after commit, which this test never reaches
    assert results_sweep() == 0, "not yet: the task may still be on its way"
    AssessmentResult.objects.filter(assessment=assessment).update(computed_at=timezone.now() - timedelta(minutes=5))
    assert results_sweep() == 1
    result = AssessmentResult.objects.get(assessment=assessment)
    assert (result.path_pending, result.path["target"]) == (False, 1)


def test_the_sweeper_takes_batch_after_batch_until_its_time_is_up(
    miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    """After a rescore every result waits for its path: the sweeper catches up in batches, within its time."""
    for choice in "ACE":
        assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
        answers_upsert(assessment=assessment, answered_by=owner, items=[{"question": "F5", "choice": choice}])
        submit_filling_gaps(assessment, owner)
    pending = AssessmentResult.objects.filter(path_pending=True)
    pending.update(computed_at=timezone.now() - timedelta(minutes=5))
    assert results_sweep(batch=1, seconds=0) == 1, "out of time after the first batch"
    assert pending.count() == 2
    assert results_sweep(batch=1) == 2, "batch after batch while time is left"
    assert not pending.exists()
