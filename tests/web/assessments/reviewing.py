"""A consultant's review as the services make it, for the enterprise's pages to show."""

from __future__ import annotations

from assessment.models import Assessment, User
from review.models import Verification
from review.services import review_finalize, review_item_set, review_return, review_start
from scoring.selectors import assessment_answers

ADJUSTED_REASON = "设备台账显示仅少数设备联网 <b>not bold</b>"
CHANGE_MESSAGE = "请上传数字化投入的合同或发票"
RETURN_MESSAGE = "请补充F5的证明材料"


def verify_all(assessment: Assessment, consultant: User, *, except_: tuple[str, ...] = ()) -> None:
    for key in assessment_answers(assessment):
        if key not in except_:
            review_item_set(assessment=assessment, reviewer=consultant, question_key=key, verdict="verified")


def adjust_f2(assessment: Assessment, consultant: User) -> None:
    """F2 "E" (80 % and more digitised) adjusted to "A" with a reason."""
    review_item_set(
        assessment=assessment,
        reviewer=consultant,
        question_key="F2",
        verdict="adjusted",
        answer={"choice": "A"},
        reason=ADJUSTED_REASON,
    )


def returned(assessment: Assessment, consultant: User) -> Assessment:
    """Reviewed: F2 adjusted, a change requested on F5, the rest verified; returned with a message."""
    review_start(assessment=assessment, consultant=consultant)
    verify_all(assessment, consultant, except_=("F2", "F5"))
    adjust_f2(assessment, consultant)
    review_item_set(
        assessment=assessment,
        reviewer=consultant,
        question_key="F5",
        verdict="change_requested",
        message=CHANGE_MESSAGE,
    )
    review_return(assessment=assessment, consultant=consultant, message=RETURN_MESSAGE)
    assessment.refresh_from_db()
    return assessment


def finalized(assessment: Assessment, consultant: User) -> Verification:
    """Reviewed with F2 adjusted and the rest verified, and signed off."""
    review_start(assessment=assessment, consultant=consultant)
    verify_all(assessment, consultant, except_=("F2",))
    adjust_f2(assessment, consultant)
    verification = review_finalize(assessment=assessment, consultant=consultant, statement="经现场核查，结果属实。")
    assessment.refresh_from_db()
    return verification
