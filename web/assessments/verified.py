"""The results page's verification panel: self-assessed and verified side by side (review.results.comparison).

The self-assessed figures stay what the results view shows; the verified ones are a second basis beside them.
"""

from __future__ import annotations

from dataclasses import dataclass

from assessment.framework_texts import document_language
from assessment.models import Assessment
from review.models import ReviewItem
from review.results import Comparison, comparison
from review.selectors import review_comments
from scoring.results import TOP_SCENARIO_LEVEL
from web.assessments.pages import Questionnaire
from web.assessments.verification import Reviewer, reviewers

STATUS = Assessment.Status


@dataclass(frozen=True)
class VerificationPanel:
    """Where the verification stands, and what it says so far."""

    state: str  # "unrequested", "waiting", "under_review", "returned", "verified"
    comparison: Comparison
    self_level: str
    verified_level: str  # "" until the first verdict
    reviewers: tuple[Reviewer, ...]
    shared_comments: int
    top_scenario_level: int = TOP_SCENARIO_LEVEL  # a dimension judged by scenarios: its average level out of this

    @property
    def verdict_counts(self) -> list[tuple[str, str, int]]:
        """(verdict, its label, how many answers have it), in the order of the verdicts."""
        return [
            (value, str(label), self.comparison.counts.get(value, 0)) for value, label in ReviewItem.Verdict.choices
        ]

    @property
    def provisional(self) -> bool:
        """Verified figures from the verdicts so far: the consultant has not signed."""
        return self.comparison.verified is not None and not self.comparison.final


def _state(assessment: Assessment, view: Comparison, assigned: list[Reviewer]) -> str:
    if view.final:
        return "verified"
    if assessment.status == STATUS.UNDER_REVIEW:
        return "under_review"
    if assessment.status == STATUS.RETURNED:
        return "returned"
    waiting = assessment.status == STATUS.SUBMITTED and (assigned or view.verified is not None)
    return "waiting" if waiting else "unrequested"


def verification_panel(assessment: Assessment, layout: Questionnaire) -> VerificationPanel | None:
    """The panel of a submitted assessment (None for a draft: there is nothing to verify yet)."""
    if assessment.status == STATUS.DRAFT:
        return None
    view = comparison(assessment, language=document_language())
    assigned = reviewers(assessment.organization)
    return VerificationPanel(
        state=_state(assessment, view, assigned),
        comparison=view,
        self_level=layout.level_name(view.self_card.level),
        verified_level=layout.level_name(view.verified.level) if view.verified else "",
        reviewers=tuple(assigned),
        shared_comments=review_comments(assessment, with_internal=False).count(),
    )
