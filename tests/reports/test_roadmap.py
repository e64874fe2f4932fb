"""The roadmap (findings 2 and 3 of issue 14): the path's steps now and next, reaching the next level when done;
answer-aware advice; at most 3/5/5 items, each once; prerequisites first; a consultant's note to the front.

The MIIT version carries the bundled file's plan.
"""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext

from assessment.models import Assessment, FrameworkVersion, User
from assessment.services.assessments import answers_upsert, assessment_create
from assessment.services.frameworks import jsonable
from assessment.services.organizations import organization_create
from reports.rendering import html_to_pdf, report_html
from reports.roadmap import LIMITS, Roadmap, build_roadmap, recommendation_library
from reports.selectors import report_content
from review.services import review_comment_add
from scoring.engine import apply_changes, score
from scoring.results import results_view
from scoring.selectors import assessment_answers, framework_structure
from tests.helpers import submit_filling_gaps
from tests.reports.test_samples import consultant_of_a_consultancy
from tests.scoring.engine.frameworks import miit_plan_document
from tests.scoring.engine.test_path_costs import LEVEL_0

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned_miit(miit: FrameworkVersion) -> FrameworkVersion:
    miit.plan = jsonable(miit_plan_document())
    miit.save(update_fields=["plan"])
    return miit


@pytest.fixture
def level_0(planned_miit: FrameworkVersion, owner: User) -> Assessment:
    """A small manufacturer (38 staff) at level 0: no management policies, four scenarios at level 1."""
    firm = organization_create(
        owner=owner, name="昆山小微精密五金厂", sector="C", size_band="small", province="32", employees=38
    )
    assessment = assessment_create(organization=firm, framework_version=planned_miit, created_by=owner)
    answers_upsert(assessment=assessment, answered_by=owner, items=LEVEL_0)
    return submit_filling_gaps(assessment, owner)


def roadmap_of(assessment: Assessment, library: dict[str, Any] | None = None, notes: Any = None) -> Roadmap:
    view = results_view(assessment, language="en")
    slug = assessment.framework_version.framework.slug
    return build_roadmap(assessment, view, library or recommendation_library(slug), notes or {})


def test_doing_now_and_next_reaches_the_next_level_scored_by_the_engine(level_0: Assessment) -> None:
    roadmap = roadmap_of(level_0)
    answers = assessment_answers(level_0)
    framework = framework_structure(level_0.framework_version)
    assert score(framework, answers).level == 0
    done = [change for h in ("now", "next") for item in roadmap.horizons[h] for change in item.changes]
    after = score(framework, apply_changes(answers, done))
    assert after.level >= 1
    assert roadmap.reaches is not None
    assert roadmap.reaches.number == after.level
    assert roadmap.total_after == after.total


def test_at_most_3_5_5_items_each_title_once_with_owner_cost_duration_and_support(level_0: Assessment) -> None:
    roadmap = roadmap_of(level_0)
    for horizon, limit in LIMITS.items():
        assert len(roadmap.horizons[horizon]) <= limit
    assert roadmap.horizons["now"]
    assert roadmap.horizons["later"]
    titles = [item.title for item in roadmap.items]
    assert len(titles) == len(set(titles))
    for item in roadmap.horizons["now"] + roadmap.horizons["next"]:
        assert item.on_path
        assert item.cost is not None
        assert item.cost[0] <= item.cost[1]
        assert item.cost_unit == "CNY 10k"
        assert item.weeks is not None
        assert item.effort_class
        assert item.support


def test_no_item_advises_what_the_answers_say_exists(level_0: Assessment) -> None:
    answers = assessment_answers(level_0)
    framework = framework_structure(level_0.framework_version)
    roadmap = roadmap_of(level_0)
    for item in roadmap.items:
        for change in item.changes:
            question, before = framework.questions[change.question], answers.get(change.question)
            if question.kind == "multiple_choice":
                exclusive = {o.key for o in question.options if o.exclusive}  # "none of these" gives way
                had = set(before.choices) - exclusive if before else set()
                assert set(change.choices) - had, item.title  # something new …
                assert had <= set(change.choices)  # … on top of what the firm has
            elif question.kind == "single_choice":
                points = {o.key: o.points for o in question.options}
                assert points[change.choices[0]] > (points[before.choices[0]] if before else 0), item.title
            elif question.kind == "scenario":
                assert (change.level or 0) > ((before.level or 0) if before else 0), item.title
    # The firm has F6 B (a network security policy): no item on F6 offers that option again.
    options = results_view(level_0, language="en").texts.options("F6")
    assert all(options["B"] not in item.target for item in roadmap.items if "F6" in item.keys)


def test_a_prerequisite_is_never_scheduled_after_what_needs_it(level_0: Assessment) -> None:
    library = copy.deepcopy(recommendation_library("miit-2024-manufacturing"))
    entries = {entry["question"]: entry for entry in library["advice"]}
    entries["M2"]["requires"] = ["S03", "M3"]  # S03 is on the path; the firm has nothing of M3 (off the path)
    roadmap = roadmap_of(level_0, library)
    order = [key for item in roadmap.items for key in item.keys]
    assert "M2" in order
    assert order.index("S03") < order.index("M2")
    assert "M3" in order
    assert order.index("M3") < order.index("M2")
    plain = [key for item in roadmap_of(level_0).items for key in item.keys]
    assert plain.index("M2") < plain.index("S03")  # without the requirement, the cheaper M2 came first


def test_a_consultants_note_brings_its_item_to_the_front(level_0: Assessment, owner: User) -> None:
    consultant = consultant_of_a_consultancy(owner, level_0.organization)
    note = "设备联网是贵厂最紧迫的短板，建议先做车间设备联网。"
    review_comment_add(assessment=level_0, author=consultant, body=note, question_key="F3")
    content = report_content(level_0, "en")
    first = content["priorities"][0]
    assert first.keys == ("F3",)
    assert first.consultant_note == note
    assert content["roadmap"].horizons["now"][0] == first
    assert roadmap_of(level_0).items[0].keys != ("F3",)  # without the note it did not come first


@pytest.mark.parametrize("language", ["en", "zh-Hans"])
def test_the_report_shows_the_path_with_costs_and_the_roadmap_without_keys(
    level_0: Assessment, language: str, tmp_path: Path
) -> None:
    content = report_content(level_0, language)
    path = tmp_path / f"plan-{language}.pdf"
    path.write_bytes(html_to_pdf(report_html(content)))
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout.split())
    with translation.override("en" if language == "en" else "zh-hans"):
        heading, appendix = gettext("Path to the next level"), gettext("Appendix: every answer")
    start = text.index(heading, text.index(heading) + 1)  # after the contents
    chapter = text[start : text.index(appendix, start)]
    unit = "CNY 10k" if language == "en" else "万元"
    assert unit in text
    if language == "en":
        assert "Estimated cost" in text
        assert "for a small enterprise" in text
        caveat = miit_plan_document()["caveats"][0]["text"]["en"]
        assert " ".join(caveat.split()) in text  # the caveat, stated
    for key in ("M2", "M3", "S03", "S06", "F5"):
        assert f"{key} " not in chapter


def test_a_scenario_raised_over_several_levels_gets_the_advice_of_each_level(re_assessment: Assessment) -> None:
    roadmap = roadmap_of(re_assessment)
    answers = assessment_answers(re_assessment)
    stages = {e["question"]: e["stages"] for e in recommendation_library("miit-2024-manufacturing")["advice"]}
    climbs = [
        (item, change)
        for item in roadmap.items
        for change in item.changes
        if change.level is not None and change.level - (answers[change.question].level or 0) > 1
    ]
    assert climbs, "the re-assessment's path raises a scenario by more than one level"
    for item, change in climbs:
        now = answers[change.question].level or 0
        titles = [stages[change.question][str(level)]["title"]["en"] for level in range(now, change.level)]
        shown = [title for title, _action in item.measures]
        assert all(any(title in part for part in shown) for title in titles), (titles, shown)


def test_a_scenario_raised_to_level_1_or_2_brings_no_prerequisite_into_the_plan(level_0: Assessment) -> None:
    roadmap = roadmap_of(level_0)
    assert roadmap.path is not None
    advice = {e["question"]: e for e in recommendation_library("miit-2024-manufacturing")["advice"]}
    steps = roadmap.path.improvements
    low = {i.question for i in steps if i.answer.level is not None and i.answer.level < 3}
    assert any(advice[key].get("requires") for key in low), "a raised scenario names prerequisites (for level 3)"
    planned = {key for horizon in ("now", "next") for item in roadmap.horizons[horizon] for key in item.keys}
    needed = {n for i in steps if i.question not in low for n in advice.get(i.question, {}).get("requires", ())}
    assert planned - {i.question for i in steps} <= needed
