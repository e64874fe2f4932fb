"""The cohort's figures equal figures computed here, independently, from the stored results and verifications."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.models import FrameworkVersion
from programmes.analytics import CohortFilter, cohort_analytics, cohort_filter_parse, distribution, quantile
from programmes.cohort import cohort_member_refresh
from programmes.models import Programme
from review.models import Verification
from scoring.models import AssessmentResult
from tests.programmes.cohort_world import standard_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(miit: FrameworkVersion) -> Any:
    return standard_world(miit)


def latest_results(world: Any) -> dict[str, AssessmentResult]:
    """Each SME's latest submitted result, straight from the results table."""
    found = {}
    for name, assessments in world.assessments.items():
        if assessments:
            latest = max(assessments, key=lambda a: a.submitted_at)
            found[name] = AssessmentResult.objects.get(assessment=latest)
    return found


def test_counts_and_level_distributions_match_the_stored_results(world: Any) -> None:
    figures = cohort_analytics(world.programme, CohortFilter(), language="en")
    results = latest_results(world)
    verifications = list(Verification.objects.all())
    assert figures["counts"] == {"enrolled": 4, "assessed": 3, "verified": 1, "with_t0": 2, "withdrawn": 0}
    self_levels = Counter(r.level for r in results.values())
    assert {lvl["level"]: lvl["self"] for lvl in figures["levels"] if lvl["self"]} == dict(self_levels)
    assert {lvl["level"]: lvl["verified"] for lvl in figures["levels"] if lvl["verified"]} == {
        verifications[0].level: 1
    }


def test_the_total_distribution_is_the_exact_five_number_summary(world: Any) -> None:
    totals = sorted(r.total for r in latest_results(world).values())  # 28.125, 58.125, 58.125
    summary = cohort_analytics(world.programme, CohortFilter(), language="en")["total"]["self"]
    assert [summary[k] for k in ("min", "q1", "median", "q3", "max")] == [
        totals[0],
        (totals[0] + totals[1]) / 2,
        totals[1],
        totals[2],
        totals[2],
    ]
    assert summary["mean"] == Decimal("48.125")
    assert sum(b["count"] for b in summary["bins"]) == 3
    assert [b["count"] for b in summary["bins"]] == [0, 0, 1, 0, 0, 2, 0, 0, 0, 0]  # 20–30 and 50–60


def test_each_dimension_is_summarised_from_the_cards(world: Any) -> None:
    figures = cohort_analytics(world.programme, CohortFilter(), language="en")
    results = latest_results(world)
    foundation = sorted(
        Decimal(str(next(d for d in r.card["dimensions"] if d["key"] == "foundation")["score"]))
        for r in results.values()
    )
    row = next(d for d in figures["dimensions"] if d["key"] == "foundation")
    assert (row["self"]["min"], row["self"]["median"], row["self"]["max"]) == (
        foundation[0],
        foundation[1],
        foundation[2],
    )
    operations = next(d for d in figures["dimensions"] if d["key"] == "operations")
    assert operations["scale"] == "scenario_level"
    assert operations["self"]["max_possible"] == 4


def test_the_scenario_heatmap_counts_each_sme_once_per_scenario(world: Any) -> None:
    figures = cohort_analytics(world.programme, CohortFilter(), language="en")
    results = latest_results(world)
    assert len(figures["scenarios"]) == 16
    for scenario in figures["scenarios"]:
        expected = Counter(r.card["scenario_levels"][scenario["key"]] for r in results.values())
        assert {c["level"]: c["count"] for c in scenario["levels"] if c["count"]} == dict(expected)
        assert sum(c["count"] for c in scenario["levels"]) == 3


def test_held_back_counts_the_failing_gates_of_the_next_level(world: Any) -> None:
    figures = cohort_analytics(world.programme, CohortFilter(), language="en")
    expected: Counter[str] = Counter()
    for result in latest_results(world).values():
        failing = {g["gate"] for g in result.card["gates"] if not g["holds"]}
        score, scenarios = "score" in failing, bool(failing & {"scenarios", "constrained"})
        expected[
            "both" if score and scenarios else "score_only" if score else "scenarios_only" if scenarios else "at_top"
        ] += 1
    held = figures["held_back"]
    assert {k: held[k] for k in ("score_only", "scenarios_only", "both", "at_top") if held[k]} == dict(expected)


def test_uplift_compares_t1_with_t0_per_sme(world: Any) -> None:
    uplift = cohort_analytics(world.programme, CohortFilter(), language="en")["uplift"]
    first, second = (AssessmentResult.objects.get(assessment=a) for a in world.assessments["甲精密制造"])
    assert uplift["count"] == 1  # 乙 has only T0; 丙 only T1
    (row,) = uplift["smes"]
    assert (row["name"], row["t0_level"], row["t1_level"]) == ("甲精密制造", first.level, second.level)
    assert row["total_change"] == second.total - first.total
    assert uplift["total_change"]["mean"] == second.total - first.total


def test_progress_counts_smes_at_the_target_level_by_month(world: Any) -> None:
    progress = cohort_analytics(world.programme, CohortFilter(), language="en")["progress"]
    latest = progress["months"][-1]
    results = latest_results(world)
    assert latest["self"]["at_target"] == sum(1 for r in results.values() if r.level >= 2)
    assert latest["verified"]["at_target"] == sum(1 for v in Verification.objects.all() if v.level >= 2)
    assert progress["months"][0]["self"]["at_target"] == 0


def test_filters_narrow_the_cohort(world: Any) -> None:
    in_group = cohort_analytics(world.programme, CohortFilter(group=world.group.pk), language="en")
    assert in_group["counts"]["enrolled"] == 1
    province = cohort_analytics(world.programme, CohortFilter(province="64"), language="en")
    assert (province["counts"]["enrolled"], province["counts"]["withdrawn"]) == (3, None)
    micro = cohort_analytics(world.programme, CohortFilter(size_band="micro"), language="en")
    assert (micro["counts"]["enrolled"], micro["counts"]["assessed"]) == (1, 0)
    city = cohort_analytics(world.programme, CohortFilter(city="苏州市"), language="en")
    assert city["counts"]["enrolled"] == 1


def test_a_withdrawn_sme_leaves_the_figures_and_only_its_count_remains(world: Any) -> None:
    from django.utils import timezone

    enrolment = world.enrolments["乙电子科技"]
    enrolment.withdrawn_at = timezone.now()
    enrolment.save(update_fields=["withdrawn_at"])
    cohort_member_refresh(enrolment_id=enrolment.pk)
    programme = Programme.objects.get(pk=world.programme.pk)
    figures = cohort_analytics(programme, CohortFilter(), language="en")
    assert (figures["counts"]["enrolled"], figures["counts"]["withdrawn"]) == (3, 1)
    assert figures["total"]["self"]["min"] == Decimal("58.125")


def test_a_cached_answer_costs_no_query_and_a_change_is_never_served_stale(world: Any) -> None:
    programme = Programme.objects.get(pk=world.programme.pk)
    cohort_analytics(programme, CohortFilter(), language="en")
    with CaptureQueriesContext(connection) as queries:
        cohort_analytics(programme, CohortFilter(), language="en")
    assert len(queries) == 0
    enrolment = world.enrolments["乙电子科技"]
    enrolment.group = world.group
    enrolment.save(update_fields=["group"])
    cohort_member_refresh(enrolment_id=enrolment.pk)
    programme.refresh_from_db()
    in_group = cohort_analytics(programme, CohortFilter(group=world.group.pk), language="en")
    assert in_group["counts"]["enrolled"] == 2


def test_the_quantiles_interpolate_between_the_closest_ranks() -> None:
    values = [Decimal(v) for v in ("1", "2", "3", "10")]
    assert quantile(values, Decimal("0.25")) == Decimal("1.75")
    assert quantile(values, Decimal("0.5")) == Decimal("2.5")
    assert distribution([], Decimal(100))["median"] is None
    assert distribution([Decimal(100)], Decimal(100))["bins"][-1]["count"] == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"sector": "Z"}, "sector"),
        ({"size_band": "huge"}, "size_band"),
        ({"province": "99"}, "province"),
        ({"group": "abc"}, "group"),
        ({"group": "999999"}, "group"),
        ({"city": "x" * 61}, "city"),
        ({"city": "a\x00b"}, "city"),
    ],
)
def test_a_bad_filter_is_refused_by_name(world: Any, data: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        cohort_filter_parse(world.programme, data)
    assert field in raised.value.message_dict


def test_the_portable_scenario_count_equals_postgresqls(world: Any) -> None:
    from programmes import analytics

    members = analytics.cohort_members(world.programme, CohortFilter()).filter(assessment__isnull=False)
    keys = [f"S{n:02d}" for n in range(1, 17)]
    on_postgresql = analytics.scenario_counts(members, keys)
    assert +analytics.scenario_counts_by_filter(members, keys) == on_postgresql
    assert sum(on_postgresql.values()) == 3 * 16
