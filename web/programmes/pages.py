"""Page data of the programme pages: the tabs, and what an operator sees of one enrolled SME.

The SME's figures are the results view's and the verification's (scoring.results.results_view,
review.results.comparison), as on the SME's own results page: one builder for every reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from assessment.framework_texts import document_language
from assessment.models import Assessment, Membership
from programmes.models import Enrolment, Programme
from programmes.selectors import enrolment_assessments, may_administer, may_see_named
from review.results import Comparison, comparison
from scoring.results import ResultsView, results_view
from scoring.wording import answer_as_text, question_text


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    url: str


# Pages other parts of the programme add (analytics and exports, the provider evaluation), by URL name:
# shown when they are installed.
OPTIONAL_TABS = (
    ("analytics", "web:programme_analytics", Membership.PROGRAMME_ANALYSTS | {Membership.Role.VIEWER}),
    ("exports", "web:programme_exports", Membership.PROGRAMME_ANALYSTS),
    ("providers", "web:programme_providers", Membership.PROGRAMME_ANALYSTS | {Membership.Role.VIEWER}),
)


def programme_page(programme: Programme, role: str | None, tab: str, **extra: Any) -> dict[str, Any]:
    """What every page of a programme shows around its content: the operator's navigation and the programme's tabs."""
    return {
        "programme": programme,
        "organization": programme.operator,  # the operator's navigation
        "role": role,
        "nav": "programmes",
        "tab": tab,
        "tabs": programme_tabs(programme, role),
        "is_admin": may_administer(role),
        **extra,
    }


def programme_tabs(programme: Programme, role: str | None) -> list[Tab]:
    """The programme's pages this role may open."""
    labels = {
        "overview": _("Overview"),
        "invitations": _("Invitations"),
        "smes": _("Enrolled SMEs"),
        "analytics": _("Analytics"),
        "exports": _("Exports"),
        "providers": _("Providers"),
        "edit": _("Edit"),
    }
    tabs = [Tab("overview", labels["overview"], reverse("web:programme_overview", args=[programme.pk]))]
    if may_see_named(role):
        tabs.append(
            Tab("invitations", labels["invitations"], reverse("web:programme_invitations", args=[programme.pk]))
        )
        tabs.append(Tab("smes", labels["smes"], reverse("web:programme_smes", args=[programme.pk])))
    for key, name, roles in OPTIONAL_TABS:
        if role in roles:
            try:
                tabs.append(Tab(key, labels[key], reverse(name, args=[programme.pk])))
            except NoReverseMatch:
                continue
    if may_administer(role):
        tabs.append(Tab("edit", labels["edit"], reverse("web:programme_edit", args=[programme.pk])))
    return tabs


@dataclass(frozen=True)
class AnswerRow:
    key: str
    question: str
    answer: str


@dataclass(frozen=True)
class Baseline:
    """The T0 assessment: the last submitted before the programme's date."""

    assessment: Assessment
    level: str
    total: Decimal
    submitted_at: datetime | None


@dataclass(frozen=True)
class SmeDetail:
    enrolment: Enrolment
    assessment: Assessment | None  # T1 (the latest submitted); None before the SME has submitted any
    view: ResultsView | None
    verification: Comparison | None
    verified_level: str
    baseline: Baseline | None
    answers: tuple[AnswerRow, ...]  # only with consent to the answers, and when asked for


def sme_detail(enrolment: Enrolment, *, with_answers: bool) -> SmeDetail:
    """What the operator sees of an enrolled SME: its latest results (T1), the verified figures, T0; its answers
    only when `with_answers` (the view has checked the consent)."""
    language = document_language()
    t0, t1 = enrolment_assessments(enrolment)
    baseline = None
    if t0 is not None:
        t0_view = results_view(t0, language=language)
        baseline = Baseline(t0, t0_view.level.name, t0_view.card.total, t0.submitted_at)
    if t1 is None:
        return SmeDetail(enrolment, None, None, None, "", baseline, ())
    view = results_view(t1, language=language)
    verification = comparison(t1, language=language)
    verified_level = (
        view.texts.level_name(verification.verified.level) if verification.verified and verification.final else ""
    )
    answers: tuple[AnswerRow, ...] = ()
    if with_answers:
        answers = tuple(
            AnswerRow(key, question_text(view.texts, key), answer_as_text(view.framework, view.texts, key, answer))
            for key in view.texts.places
            if (answer := view.answers.get(key)) is not None
        )
    return SmeDetail(
        enrolment=enrolment,
        assessment=t1,
        view=view,
        verification=verification if verification.final else None,
        verified_level=verified_level,
        baseline=baseline,
        answers=answers,
    )
