"""The review cycle as services: start, verdicts, return, resubmit, sign off; every wrong step refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from assessment.models import Assessment, AuditEvent, ConsultantAssignment, User
from assessment.services import ImmutableError, NotAllowedError, TransitionError
from assessment.services.assessments import answers_upsert
from review.models import ReviewItem, Verification
from review.notifications import notifications_sweep
from review.results import comparison
from review.services import (
    assessment_resubmit,
    finalize_checklist,
    review_finalize,
    review_item_set,
    review_return,
    review_start,
    review_verify_remaining,
)
from scoring.selectors import assessment_answers

pytestmark = pytest.mark.usefixtures("assignment")


def _verify_all(assessment: Assessment, consultant: User, *, except_: tuple[str, ...] = ()) -> None:
    for key in assessment_answers(assessment):
        if key not in except_:
            review_item_set(assessment=assessment, reviewer=consultant, question_key=key, verdict="verified")


def test_the_whole_cycle_keeps_the_self_assessment_and_signs_a_verified_result(
    submitted: Assessment, consultant: User, owner: User
) -> None:
    self_total = submitted.result.total
    review_start(assessment=submitted, consultant=consultant)
    _verify_all(submitted, consultant, except_=("F2", "F5"))
    review_item_set(
        assessment=submitted,
        reviewer=consultant,
        question_key="F2",
        verdict="adjusted",
        answer={"choice": "A"},
        reason="设备台账显示仅少数设备联网",
    )
    review_item_set(
        assessment=submitted,
        reviewer=consultant,
        question_key="F5",
        verdict="change_requested",
        message="请上传数字化投入的合同或发票",
    )
    review_return(assessment=submitted, consultant=consultant, message="请补充F5的证明材料")
    submitted.refresh_from_db()
    assert submitted.status == "returned"
    assert submitted.reopened_questions == ["F5"]
    with pytest.raises(ImmutableError, match="F1 cannot change"):
        answers_upsert(assessment=submitted, answered_by=owner, items=[{"question": "F1", "choices": []}])
    answers_upsert(assessment=submitted, answered_by=owner, items=[{"question": "F5", "choice": "B"}])
    assessment_resubmit(assessment=submitted, submitted_by=owner, pledge=True)
    review_start(assessment=submitted, consultant=consultant)
    review_item_set(assessment=submitted, reviewer=consultant, question_key="F5", verdict="verified")
    verification = review_finalize(assessment=submitted, consultant=consultant, statement="经现场核查，结果属实。")

    submitted.refresh_from_db()
    assert submitted.status == "finalized"
    assert submitted.answers.get(question__key="F2").option_keys == ["E"]  # the SME's answer row is untouched
    assert verification.total < submitted.result.total  # the adjustment cost points
    assert verification.consultant_name == "王立"
    view = comparison(submitted, language="zh-Hans")
    assert view.final
    assert view.verified is not None
    assert view.self_card.total == submitted.result.total != self_total  # F5 changed on resubmission
    assert view.verified.total == verification.total
    [difference] = view.differences
    assert (difference.question, difference.verdict, difference.reason) == (
        "F2",
        "adjusted",
        "设备台账显示仅少数设备联网",
    )
    assert difference.verified_points < difference.self_points  # type: ignore[operator]
    kinds = list(AuditEvent.objects.filter(assessment=submitted).values_list("kind", "after"))
    statuses = [after for kind, after in kinds if kind == "status_changed"]
    assert statuses == ["submitted", "under_review", "returned", "submitted", "under_review", "finalized"]
    assert ("answer_changed", {"question": "F5", "choice": "B"}) in kinds


def test_a_verdict_needs_the_review_started(submitted: Assessment, consultant: User) -> None:
    with pytest.raises(TransitionError, match="under review"):
        review_item_set(assessment=submitted, reviewer=consultant, question_key="F1", verdict="verified")


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"verdict": "adjusted", "answer": {"choice": "A"}}, "reason"),
        ({"verdict": "adjusted", "reason": "x"}, "answer"),
        ({"verdict": "adjusted", "answer": {"choice": "Z"}, "reason": "x"}, "answer"),
        ({"verdict": "change_requested"}, "message"),
        ({"verdict": "unverifiable"}, "reason"),
        ({"verdict": "verified", "answer": {"choice": "A"}}, "answer"),
        ({"verdict": "approved"}, "verdict"),
    ],
)
def test_verdicts_refuse_what_they_lack(submitted: Assessment, consultant: User, fields: dict, error: str) -> None:
    review_start(assessment=submitted, consultant=consultant)
    with pytest.raises(ValidationError) as refused:
        review_item_set(assessment=submitted, reviewer=consultant, question_key="F2", **fields)
    assert error in refused.value.message_dict
    assert not ReviewItem.objects.exists()


def test_refused_transitions(submitted: Assessment, consultant: User) -> None:
    with pytest.raises(TransitionError):
        review_return(assessment=submitted, consultant=consultant, message="x")
    with pytest.raises(TransitionError):
        review_finalize(assessment=submitted, consultant=consultant, statement="x")
    review_start(assessment=submitted, consultant=consultant)
    with pytest.raises(TransitionError):
        review_start(assessment=submitted, consultant=consultant)
    with pytest.raises(ValidationError, match="Request a change"):
        review_return(assessment=submitted, consultant=consultant, message="x")
    with pytest.raises(ValidationError) as refused:
        review_finalize(assessment=submitted, consultant=consultant, statement="ok")
    assert "have no verdict yet" in refused.value.message_dict["checklist"][0]
    assert not Verification.objects.exists()


def test_only_an_assigned_consultant_reviews(submitted: Assessment, owner: User, consultant: User) -> None:
    with pytest.raises(NotAllowedError):
        review_start(assessment=submitted, consultant=owner)
    ConsultantAssignment.objects.filter(consultant=consultant).delete()
    with pytest.raises(NotAllowedError):
        review_start(assessment=submitted, consultant=consultant)


def test_the_enterprise_hears_of_each_step_once(submitted: Assessment, consultant: User) -> None:
    notifications_sweep()  # the request to the consultancy and the assignment
    mail.outbox.clear()
    review_start(assessment=submitted, consultant=consultant)
    assert notifications_sweep() == 1  # what the worker would have sent after commit
    assert notifications_sweep() == 0
    assert [m.subject for m in mail.outbox] == [f"您的评测 #{submitted.pk} 正在审核中"]  # the site's language
    assert mail.outbox[0].to == ["owner@example.com"]
    assert f"/assessments/{submitted.pk}/results/" in mail.outbox[0].body


def test_self_and_verified_differ_only_by_the_adjustment(submitted: Assessment, consultant: User) -> None:
    review_start(assessment=submitted, consultant=consultant)
    assert comparison(submitted, language="en").verified is None
    review_item_set(
        assessment=submitted,
        reviewer=consultant,
        question_key="F2",
        verdict="adjusted",
        answer={"choice": "A"},
        reason="r",
    )
    view = comparison(submitted, language="en")
    assert view.verified is not None
    lost = view.self_card.questions["F2"].score - view.verified.questions["F2"].score
    assert lost > Decimal(0)
    assert view.self_card.total - view.verified.total == lost * view.self_card.factors["F2"]


def test_verifying_the_remaining_answers_leaves_given_verdicts_alone(submitted: Assessment, consultant: User) -> None:
    review_start(assessment=submitted, consultant=consultant)
    review_item_set(
        assessment=submitted,
        reviewer=consultant,
        question_key="F2",
        verdict="adjusted",
        answer={"choice": "A"},
        reason="r",
    )
    answered = len(assessment_answers(submitted))
    assert review_verify_remaining(assessment=submitted, reviewer=consultant) == answered - 1
    assert review_verify_remaining(assessment=submitted, reviewer=consultant) == 0
    assert ReviewItem.objects.get(assessment=submitted, question__key="F2").verdict == "adjusted"
    assert finalize_checklist(submitted) == []
    events = AuditEvent.objects.filter(assessment=submitted, kind=AuditEvent.Kind.VERDICT_SET).count()
    assert events == answered
