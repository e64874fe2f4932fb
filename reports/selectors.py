"""What a report says, gathered from stored rows: the result, the framework's texts, peers, advice."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.core.serializers.json import DjangoJSONEncoder

from assessment.framework_format import localised
from assessment.models import Answer, Assessment, ReviewNote
from assessment.selectors import framework_version_document
from scoring.engine import Framework, parse_answer
from scoring.models import AssessmentResult
from scoring.selectors import PeerStanding, engine_answer, framework_structure, peer_benchmark
from scoring.services import assessment_result

LIBRARY_DIR = Path(__file__).resolve().parent / "recommendations"
TEMPLATE_VERSION = 1  # bump when the report's layout or wording changes: every report's inputs change with it
HORIZONS = ("now", "next", "later")

Node = dict[str, Any]


@cache
def recommendation_library(slug: str) -> dict[str, Any]:
    """The advice file of a framework (reports/recommendations/<slug>.yaml); empty when there is none."""
    path = LIBRARY_DIR / f"{slug}.yaml"
    if not path.exists():
        return {"support": {}, "advice": []}
    library: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return library


def advice_stage(kind: str, score: Decimal, maximum: Decimal, level: int | None) -> str | None:
    """A question's advice stage: a scenario's current level, else the share of points earned; None when full."""
    if kind == "scenario":
        current = level or 0
        return str(current) if current < 4 else None
    if maximum <= 0 or score >= maximum:
        return None
    share = score / maximum
    return "low" if share < Decimal(1) / 3 else "mid" if share < Decimal(2) / 3 else "high"


@dataclass(frozen=True)
class Recommendation:
    question: str
    question_text: str
    indicator: str
    horizon: str  # now: on the path to the next level; next: weak basics; later: refinements
    stage: str
    title: str
    action: str
    support: tuple[str, ...]
    points: Decimal  # what the step adds to the total (the path's figure, else the next option's)
    effort: Decimal


def _walk(document: Node) -> dict[str, tuple[Node, Node, Node]]:
    """Question key → (question, indicator, dimension) of a localised document."""
    found: dict[str, tuple[Node, Node, Node]] = {}

    def walk(indicators: list[Node], dimension: Node) -> None:
        for indicator in indicators:
            for question in indicator["questions"]:
                found[question["key"]] = (question, indicator, dimension)
            walk(indicator["indicators"], dimension)

    for dimension in document["dimensions"]:
        walk(dimension["indicators"], dimension)
    return found


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value))


def answer_text(question: Node, answer: Any, language: str) -> str:
    """The answer as a reader sees it: option texts, the level's name, the number with its unit."""
    if answer is None or not answer.has_value:
        return "—"
    if answer.not_applicable:
        return "不适用" if language == "zh-Hans" else "Not applicable"
    if answer.chosen:
        texts = {o["key"]: o["text"] for o in question.get("options", [])}
        chosen = [f"{key}. {texts.get(key, '')}" for key in answer.choices]
        return "；".join(chosen) if chosen else ("以上都没有" if language == "zh-Hans" else "None of these")
    if answer.level is not None:
        return f"{answer.level} 级" if language == "zh-Hans" else f"Level {answer.level}"
    if answer.number is not None:
        return f"{answer.number.normalize():f} {question.get('unit') or ''}".strip()
    if answer.before is not None:
        return f"{answer.before.normalize():f} → {answer.after.normalize():f}"
    if answer.yes is not None:
        return ("是" if answer.yes else "否") if language == "zh-Hans" else ("Yes" if answer.yes else "No")
    return str(answer.text or "")


def _evidence(question: Node, evidence: dict[str, Any]) -> list[tuple[str, str]]:
    fields = {f["key"]: f for f in question.get("evidence", [])}
    shown = []
    for key, value in evidence.items():
        spec = fields.get(key, {})
        shown.append((spec.get("label") or key, f"{value} {spec.get('unit') or ''}".strip()))
    return shown


def _peer_rows(standings: list[PeerStanding], names: dict[str, str]) -> list[dict[str, Any]]:
    return [{**asdict(s), "name": names.get(s.key, s.key)} for s in standings]


def _scenario_average(framework: Framework, card: dict[str, Any]) -> Decimal | None:
    """The mean scenario level (0–4) of a scorecard, for frameworks with scenarios."""
    if not framework.scenarios:
        return None
    levels = [Decimal(card["scenario_levels"].get(q.key, 0)) for q in framework.scenarios]
    return (sum(levels, Decimal(0)) / len(levels)).quantize(Decimal("0.01"))


def _indicator_shares(document: dict[str, Any], card: dict[str, Any]) -> list[dict[str, Any]]:
    """Each top-level indicator's share of its maximum; by mean scenario level (of 4) where it has no points."""
    names = {i["key"]: i["text"] for d in document["dimensions"] for i in d["indicators"]}
    shares = []
    for dimension in card["dimensions"]:
        for indicator in dimension["children"]:
            if indicator["max"]:
                share = float(_decimal(indicator["score"]) / _decimal(indicator["max"]))
            else:
                levels = [card["scenario_levels"][q] for q in indicator["questions"] if q in card["scenario_levels"]]
                if not levels:
                    continue
                share = sum(levels) / (4 * len(levels))
            shares.append(
                {"key": indicator["key"], "name": names.get(indicator["key"], indicator["key"]), "share": share}
            )
    return shares


def report_content(assessment: Assessment, language: str) -> dict[str, Any]:
    """Every fact the report shows, in `language` ("zh-Hans" or "en"). Data only: the template lays it out."""
    version = assessment.framework_version
    document = localised(framework_version_document(version), language)
    framework = framework_structure(version)
    result = assessment_result(assessment=assessment, with_path=True)
    card, path = result.card, result.path or {}
    nodes = _walk(document)
    rows = list(
        Answer.objects.filter(assessment=assessment)
        .select_related("question", "answered_by")
        .order_by("question__position")
    )
    answers = {row.question.key: engine_answer(row) for row in rows}
    levels = document["levels"]
    level_info = {0: levels["base"]} | {rule["level"]: rule for rule in levels.get("rules", [])}
    names = {d["key"]: d["text"] for d in document["dimensions"]}
    notes: dict[str, list[dict[str, Any]]] = {}  # question key ("" for the whole assessment) → notes
    for note in ReviewNote.objects.filter(assessment=assessment).select_related("question", "author"):
        notes.setdefault(note.question.key if note.question else "", []).append(
            {"author": note.author.get_full_name() or note.author.email, "date": note.created_at, "text": note.text}
        )

    in_path = {i["question"]: i for i in path.get("improvements", [])}
    library = recommendation_library(version.framework.slug)
    advice = {entry["question"]: entry["stages"] for entry in library["advice"]}
    recommendations: list[Recommendation] = []
    for key, question in framework.questions.items():
        scored = card["questions"].get(key)
        answer = answers.get(key)
        stage = advice_stage(
            question.kind,
            _decimal(scored["score"]) if scored else Decimal(0),
            _decimal(scored["max"]) if scored else question.points,
            answer.level if answer else None,
        )
        entry = advice.get(key, {}).get(stage or "")
        if entry is None:
            continue
        improvement = in_path.get(key)
        missed = [_decimal(c["total_points"]) for c in (scored or {}).get("missed", [])]
        node, indicator, _dimension = nodes[key]
        recommendations.append(
            Recommendation(
                question=key,
                question_text=node["text"],
                indicator=indicator["text"],
                horizon="now" if improvement else ("next" if stage in ("low", "0", "1") else "later"),
                stage=str(stage),
                title=entry["title"][language],
                action=entry["action"][language],
                support=tuple(entry["support"]),
                points=_decimal(improvement["points"]) if improvement else (missed[0] if missed else Decimal(0)),
                effort=question.effort,
            )
        )
    recommendations.sort(key=lambda r: (HORIZONS.index(r.horizon), -(r.points / r.effort), r.question))

    peers = peer_benchmark(result)
    previous = None
    if assessment.previous_id:
        earlier = AssessmentResult.objects.filter(assessment_id=assessment.previous_id).first()
        if earlier is not None:
            before = {d["key"]: d["score"] for d in earlier.card["dimensions"]}
            previous = {
                "date": earlier.assessment.submitted_at or earlier.assessment.created_at,
                "total": earlier.total,
                "level": earlier.level,
                "level_name": level_info.get(earlier.level, {}).get("name", str(earlier.level)),
                "dimensions": [  # scenario-judged dimensions (no points) compare by scenario level instead
                    {"name": names.get(d["key"], d["key"]), "before": before.get(d["key"]), "after": d["score"]}
                    for d in card["dimensions"]
                    if d["max"]
                ],
                "scenario_average": _scenario_average(framework, earlier.card),
            }

    scenarios = [
        {
            "key": q.key,
            "name": nodes[q.key][0]["text"],
            "group": nodes[q.key][1]["text"],
            "constrained": q.constrained,
            "level": card["scenario_levels"].get(q.key, 0),
            "descriptors": {d["level"]: d["text"] for d in nodes[q.key][0].get("descriptors", [])},
        }
        for q in framework.scenarios
    ]
    gates = [g for g in card["gates"] if not g["holds"]]
    return {
        "scenario_average": _scenario_average(framework, card),
        "language": language,
        "template_version": TEMPLATE_VERSION,
        "organization": {
            "name": assessment.organization.name,
            "uscc": assessment.organization.uscc,
            "sector": assessment.organization.sector,
            "size_band": assessment.organization.get_size_band_display(),
            "province": assessment.organization.get_province_display(),
        },
        "framework": {"title": document["title"], "reference": version.reference, "source": document.get("source", "")},
        "assessment": {
            "id": assessment.pk,
            "date": assessment.submitted_at or assessment.updated_at,
            "status": assessment.status,
            "verified": assessment.status == Assessment.Status.FINALIZED,
        },
        "level": {"value": card["level"], **level_info.get(card["level"], {})},
        "next_level": level_info.get(card["next_level"]) if card["next_level"] is not None else None,
        "total": card["total"],
        "max_total": card["max_total"],
        "completeness": card["completeness"],
        "dimensions": [
            {
                "key": d["key"],
                "name": names.get(d["key"], d["key"]),
                "score": d["score"],
                "max": d["max"],
                "children": d["children"],
            }
            for d in card["dimensions"]
        ],
        "indicators": _indicator_shares(document, card),
        "gates": gates,
        "blocking_gate": gates[0] if gates else None,
        "priorities": [asdict(r) for r in recommendations[:3]],
        "roadmap": {h: [asdict(r) for r in recommendations if r.horizon == h] for h in HORIZONS},
        "support": {kind: text[language] for kind, text in library["support"].items()},
        "path": {
            **path,
            "improvements": [
                {
                    **i,
                    "text": nodes[i["question"]][0]["text"],
                    "answer_text": answer_text(nodes[i["question"]][0], parse_answer(framework, i["answer"]), language),
                }
                for i in path.get("improvements", [])
            ],
        }
        if path
        else None,
        "peers": _peer_rows(peers, {"total": "总分" if language == "zh-Hans" else "Total", **names}),
        "previous": previous,
        "scenarios": scenarios,
        "appendix": [
            {
                "key": key,
                "text": nodes[key][0]["text"],
                "indicator": nodes[key][1]["text"],
                "answer": answer_text(nodes[key][0], answers.get(key), language),
                "evidence": _evidence(nodes[key][0], dict(answers[key].evidence)) if key in answers else [],
                "comment": answers[key].comment if key in answers else "",
                "notes": notes.get(key, []),
            }
            for key in framework.questions
        ],
        "notes": notes.get("", []),
        "question_notes": {key: found for key, found in notes.items() if key},
    }


def report_inputs_hash(content: dict[str, Any]) -> str:
    """Same content, same hash: a report whose inputs have not changed is not made again."""
    canonical = json.dumps(content, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
