"""Reads for scoring: framework structures, answers as engine values, results (peers: scoring.peers).

Reads never write. A result that is out of date (its answers changed since it was stored) is scored
again here and returned unsaved; `scoring.services.assessment_result_ensure` is what stores one.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from django.db.models import F, Max, Min, Sum
from django.utils import timezone

from assessment.models import Answer as AnswerRow
from assessment.models import Assessment, FrameworkVersion, Question
from assessment.selectors import framework_version_document
from scoring.engine import (
    Answer,
    Framework,
    PathToLevel,
    Plan,
    apply_changes,
    framework_from_document,
    parse_answers,
    path_to_level,
    plan_from_document,
    score,
)
from scoring.engine.numbers import exact
from scoring.engine.path import DEFAULT_SIZE
from scoring.engine.serialize import card_as_data, path_as_data
from scoring.models import AssessmentResult, DimensionResult, RescoreChunk, RescoreRun
from scoring.peers import dimension_metric


@lru_cache(maxsize=64)
def _framework(version_id: int, content_hash: str) -> Framework:
    # Keyed by content hash too: a draft re-imported under the same id gets a fresh structure.
    return framework_from_document(framework_version_document(FrameworkVersion.objects.get(pk=version_id)))


def framework_structure(version: FrameworkVersion) -> Framework:
    """The engine's view of a framework version, built once per process."""
    return _framework(version.pk, version.content_hash)


@lru_cache(maxsize=64)
def _question_ids(version_id: int, content_hash: str) -> dict[str, int]:
    return dict(Question.objects.filter(version=version_id).values_list("key", "pk"))


def question_ids_by_key(version: FrameworkVersion) -> dict[str, int]:
    """Question primary keys by question key, read once per process (published versions never change)."""
    return _question_ids(version.pk, version.content_hash)


def engine_answer(row: Any, key: str | None = None) -> Answer:
    """An answer row (a model instance, or a named row of its fields) as the engine's value; `key` spares
    loading `row.question` when known."""
    return Answer(
        question=key or row.question.key,
        choices=tuple(row.option_keys or ()),
        chosen=row.option_keys is not None,
        number=row.number,
        level=row.level,
        before=row.before_value,
        after=row.after_value,
        yes=row.boolean,
        text=row.text or None,
        not_applicable=row.not_applicable,
        evidence=row.evidence,
        comment=row.comment,
    )


def assessment_answers(assessment: Assessment) -> dict[str, Answer]:
    return answers_of([assessment.pk])[assessment.pk]


_ANSWER_FIELDS = (
    "option_keys",
    "number",
    "level",
    "before_value",
    "after_value",
    "boolean",
    "text",
    "not_applicable",
    "evidence",
    "comment",
)  # what engine_answer reads of a row


def answers_of(assessment_ids: Iterable[int]) -> dict[int, dict[str, Answer]]:
    """The answers of several assessments in one query (as tuples: model instances cost more than the scoring)."""
    answers: dict[int, dict[str, Answer]] = {pk: {} for pk in assessment_ids}
    rows = (
        AnswerRow.objects.filter(assessment_id__in=list(answers))
        .annotate(key=F("question__key"))
        .values_list("assessment_id", "key", *_ANSWER_FIELDS, named=True)
    )
    for row in rows:
        answers[row.assessment_id][row.key] = engine_answer(row, row.key)
    return answers


@lru_cache(maxsize=64)
def _plan(version_id: int, raw: str) -> Plan | None:
    return plan_from_document(json.loads(raw))


def framework_plan(version: FrameworkVersion) -> Plan | None:
    """The engine's view of a version's plan (effort and cost estimates), None without one. Read from the row:
    the plan is outside the content hash and may be amended."""
    return _plan(version.pk, json.dumps(version.plan, sort_keys=True)) if version.plan else None


def next_level_path(assessment: Assessment, answers: Mapping[str, Answer]) -> PathToLevel | None:
    """The cheapest path to the next level for these answers, costed for the organisation's size band."""
    version = assessment.framework_version
    size = assessment.organization.size_band or DEFAULT_SIZE
    return path_to_level(framework_structure(version), answers, plan=framework_plan(version), size=size)


def path_data(assessment: Assessment, answers: Mapping[str, Answer]) -> dict[str, Any] | None:
    """The path to the next level as stored: data whose answers are in the answer format."""
    return path_as_data(framework_structure(assessment.framework_version), next_level_path(assessment, answers))


def result_rows(
    assessment: Assessment, answers: Mapping[str, Answer], *, with_path: bool = True, explained: bool = True
) -> tuple[AssessmentResult, list[DimensionResult]]:
    """Score one assessment into unsaved result rows; the path (the costly part) only `with_path`, the card's
    explanations only `explained` (result_details_add adds what is left out)."""
    framework = framework_structure(assessment.framework_version)
    scored = score(framework, answers)
    card = card_as_data(scored, explained=explained)
    organization = assessment.organization
    peer_group = assessment.status in Assessment.PEER_STATUSES
    profile = {"sector": organization.sector, "size_band": organization.size_band, "province": organization.province}
    result = AssessmentResult(
        assessment=assessment,
        framework_version_id=assessment.framework_version_id,
        scoring_version=card["scoring_version"],
        total=card["total"],
        max_total=card["max_total"],
        level=card["level"],
        completeness=card["completeness"],
        card=card,
        path=path_data(assessment, answers) if with_path else None,
        path_pending=not with_path,
        frozen=not assessment.is_editable,
        computed_at=timezone.now(),
        answers_as_of=assessment.updated_at,
        peer_group=peer_group,
        organization=organization,
        **profile,
    )
    # What peers are compared by: a dimension's points, or its scenarios' average level (scoring.peers).
    dimensions = [
        DimensionResult(
            result=result,
            framework_version_id=assessment.framework_version_id,
            organization=organization,
            dimension=metric.key,
            score=exact(metric.score),
            max=exact(metric.max),
            peer_group=peer_group,
            **profile,
        )
        for metric in (dimension_metric(scored, d) for d in scored.dimensions)
    ]
    return result, dimensions


def result_is_current(result: AssessmentResult, assessment: Assessment) -> bool:
    """Frozen at submission, or scored from the answers as they are now."""
    return result.frozen or result.answers_as_of == assessment.updated_at


def _stored(assessment: Assessment) -> AssessmentResult | None:
    """The stored result (`assessment.result` when it was loaded with the assessment)."""
    return getattr(assessment, "result", None)


def assessment_result(assessment: Assessment, *, with_path: bool = False) -> AssessmentResult:
    """The result of the answers as they are now: the stored one while it is current, else scored here.

    A result scored here, or a stored one whose path is added here (`with_path`), is not saved.
    """
    stored = _stored(assessment)
    if stored is not None and result_is_current(stored, assessment):
        found = copy.copy(stored)
        return found if result_details_add(found, assessment, with_path=with_path) else stored
    return result_rows(assessment, assessment_answers(assessment), with_path=with_path)[0]


def result_details_add(
    result: AssessmentResult,
    assessment: Assessment,
    answers: Mapping[str, Answer] | None = None,
    *,
    with_path: bool,
) -> list[str]:
    """Fill in what a stored result left pending: its card's explanations (every reader of a card may read
    them), and with `with_path` its path; return the fields changed (none when nothing was pending). A rescore
    leaves both out (scoring.services.results_rescore): they cost more than the scoring."""
    explain, route = "questions" not in result.card, with_path and result.path_pending
    if not (explain or route):
        return []
    given = assessment_answers(assessment) if answers is None else answers
    changed = []
    if explain:
        result.card = card_as_data(score(framework_structure(assessment.framework_version), given))
        changed.append("card")
    if route:
        result.path, result.path_pending = path_data(assessment, given), False
        changed += ["path", "path_pending"]
    return changed


def assessment_results(assessments: list[Assessment]) -> dict[int, AssessmentResult]:
    """The results (without paths) of several assessments: stored ones while current, the others scored
    here from one query for all their answers."""
    results = {a.pk: r for a in assessments if (r := _stored(a)) is not None and result_is_current(r, a)}
    stale = [a for a in assessments if a.pk not in results]
    answers = answers_of(a.pk for a in stale)
    for assessment in stale:
        results[assessment.pk] = result_rows(assessment, answers[assessment.pk], with_path=False)[0]
    return results


def assessment_what_if(assessment: Assessment, changes: Any) -> dict[str, Any]:
    """Score the stored answers with hypothetical changes (answer-format items); nothing is saved.

    Raises AnswerSetError for invalid changes.
    """
    framework = framework_structure(assessment.framework_version)
    answers = apply_changes(assessment_answers(assessment), parse_answers(framework, changes).values())
    return {**card_as_data(score(framework, answers)), "next_level_path": path_data(assessment, answers)}


def rescore_run_progress(run: RescoreRun) -> tuple[int, int]:
    """Assessments rescored so far in a run, and in all."""
    done = run.chunks.filter(status=RescoreChunk.Status.DONE).aggregate(n=Sum("rescored"))["n"] or 0
    return done, run.assessments


def rescore_run_rate(run: RescoreRun) -> float | None:
    """Assessments rescored a second, from the first chunk's start to the last one's end (the database's clock,
    so workers on several machines count alike); None before a chunk is done."""
    done = run.chunks.filter(status=RescoreChunk.Status.DONE)
    span = done.aggregate(n=Sum("rescored"), start=Min("started_at"), end=Max("finished_at"))
    if not span["n"] or span["start"] is None or span["end"] <= span["start"]:
        return None
    return float(span["n"] / (span["end"] - span["start"]).total_seconds())
