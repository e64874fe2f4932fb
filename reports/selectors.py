"""What a report says: the results view (scoring.results), the verification beside it (review.results) and, on
top of them, advice, answers and the shared review comments."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, is_dataclass, replace
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation

from assessment import exact_json
from assessment.models import Assessment, Membership, User
from offerings.selectors import Match, Need, Profile, match_of, offerings_matching
from reports import summary
from reports.identity import verification_code_normalised
from reports.models import Report
from reports.roadmap import Roadmap, build_roadmap, recommendation_library
from review.models import ReviewComment, person_name
from review.results import Difference, DimensionPair, comparison
from scoring.engine import answer_item
from scoring.results import TOP_SCENARIO_LEVEL, Level, ResultsView, level_of, results_view
from scoring.wording import answer_as_text, evidence_labels, quantity, question_text, without_instructions

METHODOLOGY_DIR = Path(__file__).resolve().parent / "methodology"
TEMPLATE_VERSION = 7  # bump when the report's layout or wording changes: every report's inputs change with it


@cache
def methodology(slug: str) -> dict[str, Any]:
    """What the methodology page says of a framework (reports/methodology/<slug>.yaml), both languages."""
    path = METHODOLOGY_DIR / f"{slug}.yaml"
    if not path.exists():
        return {}
    found: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return found


@dataclass(frozen=True)
class Note:
    """A shared review comment: by the organisation's consultant, or a reply from the enterprise."""

    author: str
    date: datetime
    text: str
    by_consultant: bool


@dataclass(frozen=True)
class SignedVerification:
    """What the signed-off verification says, in the report's language (review.results.comparison's figures)."""

    consultant: str  # in the language's order: 王立, "Li Wang"
    qualification: str
    certificate_number: str
    consultancy: str
    statement: str
    signed_at: datetime
    level: Level
    total: Decimal
    self_level: Level
    self_total: Decimal
    max_total: Decimal
    dimensions: tuple[DimensionPair, ...]
    differences: tuple[Difference, ...]
    counts: dict[str, int]  # verdict → how many answers


@dataclass(frozen=True)
class VerificationState:
    """None of it before a review; "in_progress" (no verified figures) until sign-off; "verified" after."""

    state: str | None
    signed: SignedVerification | None


@dataclass(frozen=True)
class AppendixRow:
    key: str
    text: str
    indicator: str
    answer: str
    evidence: tuple[tuple[str, str], ...]  # (label, value with unit)
    comment: str
    notes: tuple[Note, ...]


def _evidence(view: ResultsView, key: str) -> tuple[tuple[str, str], ...]:
    answer = view.answers.get(key)
    if answer is None:
        return ()
    node = view.texts.places[key].node
    fields = {f["key"]: f for f in node.get("evidence", [])}
    labels = evidence_labels(node, without_units=True)
    shown = []
    for field, value in answer.evidence.items():
        spec = fields.get(field)
        if spec is None:  # a field the framework no longer has: its key means nothing to a reader
            continue
        unit = str(spec.get("unit") or "")
        figure = quantity(value, unit, view.language) if isinstance(value, int | float | Decimal) else str(value)
        shown.append((labels[field], figure))
    return tuple(shown)


def person_display_name(user: User, language: str) -> str:
    """A person as readers of `language` expect: the consultant profile's name, else the account's, in the
    language's order (王建国, "Jianguo Wang"); the e-mail address when neither is known."""
    profile = getattr(user, "consultant_profile", None)
    if profile is not None:
        return person_name(profile.family_name, profile.given_name, language)
    return person_name(user.last_name, user.first_name, language) or user.email


def _notes(assessment: Assessment, language: str) -> dict[str, list[Note]]:
    """The shared review comments by question key ("" for the general thread); internal ones never."""
    members = set(Membership.objects.filter(organization=assessment.organization_id).values_list("user_id", flat=True))
    comments = ReviewComment.objects.filter(
        assessment=assessment, visibility=ReviewComment.Visibility.SHARED
    ).select_related("question", "author__consultant_profile")
    notes: dict[str, list[Note]] = {}
    for comment in comments:
        author = comment.author
        note = Note(
            person_display_name(author, language),
            comment.created_at,
            comment.body,
            author.pk not in members,  # consultants are never members of the enterprise they verify
        )
        notes.setdefault(comment.question.key if comment.question else "", []).append(note)
    return notes


IN_REVIEW = frozenset({Assessment.Status.UNDER_REVIEW, Assessment.Status.RETURNED})


def _verification(assessment: Assessment, view: ResultsView) -> VerificationState:
    """The consultant's verification as the report shows it: verified figures only once signed off."""
    if assessment.status == Assessment.Status.DRAFT:
        return VerificationState(None, None)
    compared = comparison(assessment, language=view.language)
    signed = compared.signed
    if signed is None or compared.verified is None:
        in_progress = assessment.status in IN_REVIEW or compared.verified is not None
        return VerificationState("in_progress" if in_progress else None, None)
    return VerificationState(
        "verified",
        SignedVerification(
            consultant=signed.consultant_name_in(view.language),
            qualification=signed.qualification,
            certificate_number=signed.certificate_number,
            consultancy=signed.consultancy.name if signed.consultancy else "",
            statement=signed.statement,
            signed_at=signed.signed_at,
            level=level_of(view.texts, compared.verified.level),
            total=compared.verified.total,
            self_level=level_of(view.texts, compared.self_card.level),
            self_total=compared.self_card.total,
            max_total=compared.self_card.max_total,
            dimensions=compared.dimensions,
            differences=tuple(replace(d, text=without_instructions(d.text)) for d in compared.differences),
            counts=dict(compared.counts),
        ),
    )


def assessment_roadmap(assessment: Assessment, view: ResultsView) -> Roadmap:
    """The roadmap of the results view (the results page's; the report builds its own beside its notes)."""
    library = recommendation_library(assessment.framework_version.framework.slug)
    # A draft has no review comments yet: they come with a review, after submission.
    notes = {} if assessment.status == Assessment.Status.DRAFT else _notes(assessment, view.language)
    return build_roadmap(assessment, view, library, notes)


def support_needs(view: ResultsView, roadmap: Roadmap) -> tuple[Need, ...]:
    """The gaps help could close, in the plan's order: each step of the path and item of the roadmap with the
    level it aims at (a scenario's level; for other questions, the level the plan reaches)."""
    aim = roadmap.reaches or view.next_level
    kinds = {key: q.kind for key, q in view.framework.questions.items()}
    changes = [step.answer for step in roadmap.steps] + [c for item in roadmap.items for c in item.changes]
    needs: dict[str, Need] = {}
    for change in changes:
        if change.question in needs:
            continue
        if kinds.get(change.question) == "scenario" and change.level:
            needs[change.question] = Need(change.question, change.level)
        elif aim is not None and kinds.get(change.question) != "scenario":
            needs[change.question] = Need(change.question, aim.number)
    return tuple(needs.values())


def support_that_fits(assessment: Assessment, view: ResultsView, roadmap: Roadmap) -> tuple[Match, ...]:
    """Published offerings for the plan's gaps (offerings.selectors: closest fit first, a few), in the view's
    language: the results page and the report show the same."""
    organization = assessment.organization
    profile = Profile(organization.province, organization.sector, organization.size_band)
    found = offerings_matching(
        framework_id=assessment.framework_version.framework_id, needs=support_needs(view, roadmap), profile=profile
    )
    with translation.override("en" if view.language == "en" else "zh-hans"):
        return tuple(match_of(offering, need) for offering, need in found)


def report_content(assessment: Assessment, language: str) -> dict[str, Any]:
    """Every fact the report shows, in `language` ("zh-Hans" or "en"). Data only: the template lays it out."""
    view = results_view(assessment, language=language)
    version = assessment.framework_version
    library = recommendation_library(version.framework.slug)
    notes = _notes(assessment, language)
    roadmap = build_roadmap(assessment, view, library, notes)
    organization = assessment.organization
    texts = view.texts
    with translation.override("en" if language == "en" else "zh-hans"):
        verification = _verification(assessment, view)  # its verdicts' names in the report's language
        appendix = [
            AppendixRow(
                key=key,
                text=question_text(texts, key),
                indicator=place.indicator,
                answer=answer_as_text(view.framework, texts, key, view.answers.get(key)),
                evidence=_evidence(view, key),
                comment=view.answers[key].comment if key in view.answers else "",
                notes=tuple(notes.get(key, [])),
            )
            for key, place in texts.places.items()
        ]
        signed = verification.signed
        company = summary.profile(organization, language)
        facts = {
            "ladder": summary.ladder(texts, view.card.level, signed.level.number if signed else None),
            "shortfalls": summary.shortfalls(view),
            "change": summary.change(view),
        }
    submitter = assessment.submitted_by
    about = methodology(version.framework.slug)
    plan = getattr(version, "plan", None) or {}
    return {
        "view": view,
        "language": language,
        "template_version": TEMPLATE_VERSION,
        "organization": company,
        "framework": {
            "title": texts.title,
            "edition": version.label,
            "description": texts.document.get("description", ""),
            "content_hash": version.content_hash,
        },
        "methodology": {
            "source": about.get("source", {}).get(language, ""),
            "level_rule": about.get("level_rule", {}).get(language, ""),
            "unverified": [item[language] for item in about.get("unverified", [])],
            "official": about.get("official", {}).get(language, ""),
            "cost_note": (plan.get("note") or {}).get(language, ""),
        },
        "assessment": {
            "date": assessment.submitted_at or assessment.updated_at,
            "status": assessment.status,
            "submitted_by": person_display_name(submitter, language) if submitter else "",
            "pledged_at": assessment.pledged_at,
        },
        **facts,
        "peer_rules": {
            "resolution_percent": settings.PEER_RESOLUTION_PERCENT,
            "min_organizations": settings.PEER_MIN_ORGANIZATIONS,
            "min_for_quartiles": settings.PEER_MIN_FOR_QUARTILES,
        },
        "verification": verification,
        "top_scenario_level": TOP_SCENARIO_LEVEL,
        "priorities": roadmap.items[:3],
        "roadmap": roadmap,
        "support": {kind: text[language] for kind, text in library["support"].items()},
        "offerings": support_that_fits(assessment, view, roadmap),
        "appendix": appendix,
        "notes": notes.get("", []),
        "question_notes": {key: found for key, found in notes.items() if key},
    }


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, Mapping):  # a card's questions, read on first use (scoring.engine.LazyMapping)
        return dict(value)
    return DjangoJSONEncoder().default(value)


def report_inputs_hash(content: dict[str, Any]) -> str:
    """Same content, same hash: a report whose inputs have not changed is not made again.

    The framework's texts and structure stand in by the version's content hash, and when the result
    was worked out is left out: a result scored again from the same answers says the same.
    """
    view: ResultsView = content["view"]
    shown = {k: v for k, v in asdict(view).items() if k not in ("texts", "framework", "computed_at", "answers")}
    answers = {key: answer_item(view.framework.questions[key], answer) for key, answer in view.answers.items()}
    facts = {**{k: v for k, v in content.items() if k != "view"}, "view": shown, "answers": answers}
    canonical = exact_json.dumps(facts, default=_jsonable, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def report_by_verification_code(typed: str) -> Report | None:
    """The ready report whose verification code this is, typed in any case, with or without separators.

    A code that cannot be one is still looked up (matching nothing), so every miss takes the same way.
    """
    code = verification_code_normalised(typed) or ""
    return Report.objects.filter(verification_code=code, status=Report.Status.READY).exclude(sha256="").first()
