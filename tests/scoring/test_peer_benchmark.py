from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from assessment.models import Assessment, FrameworkVersion, User
from assessment.services.assessments import answers_upsert, assessment_create
from assessment.services.organizations import organization_create
from scoring.models import AssessmentResult
from scoring.peers import PeerFilter, peer_benchmark
from scoring.selectors import assessment_result
from tests.helpers import submit_filling_gaps

pytestmark = pytest.mark.django_db


def submitted(
    miit: FrameworkVersion,
    owner: User,
    name: str,
    f5: str,
    *,
    sector: str = "C",
    province: str = "32",
    submit: bool = True,
) -> AssessmentResult:
    """An organisation whose only answer is F5 (A=0, B=2.5, C=5, D=7.5, E=10 points)."""
    organization = organization_create(owner=owner, name=name, sector=sector, size_band="small", province=province)
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    answers_upsert(assessment=assessment, answered_by=owner, items=[{"question": "F5", "choice": f5}])
    if submit:
        submit_filling_gaps(assessment, owner)
    return assessment_result(Assessment.objects.get(pk=assessment.pk))


def by_key(result: AssessmentResult, peer_filter: PeerFilter | None = None) -> dict[str, object]:
    return {s.key: s for s in peer_benchmark(result, peer_filter)}


def test_the_percentile_counts_lower_peers_and_half_the_ties(miit: FrameworkVersion, owner: User) -> None:
    for index, choice in enumerate("ABCCD"):  # totals 0, 2.5, 5, 5, 7.5
        submitted(miit, owner, f"同行{index}", choice)
    mine = submitted(miit, owner, "本企业", "C")  # 5: two below, two equal
    total = by_key(mine)["total"]
    assert total.percentile == Decimal(60)  # (2 + 2/2) / 5
    assert total.peers == 5
    # Over all six, this one included, interpolated as percentile_cont does: 2.5 + 0.25 × 2.5.
    assert total.quartiles == (Decimal("3.125"), Decimal(5), Decimal(5))
    foundation = by_key(mine)["foundation"]
    assert foundation.percentile == Decimal(60)


def test_the_comparison_is_withheld_with_fewer_than_five_other_organisations(
    miit: FrameworkVersion, owner: User
) -> None:
    for index in range(4):
        submitted(miit, owner, f"同行{index}", "B")
    mine = submitted(miit, owner, "本企业", "C")
    standings = peer_benchmark(mine)
    assert {s.percentile for s in standings} == {None}
    assert standings[0].withheld == "fewer than 5 other organisations in this peer group"


def test_drafts_and_the_organisations_own_assessments_are_not_peers(miit: FrameworkVersion, owner: User) -> None:
    for index in range(5):
        submitted(miit, owner, f"同行{index}", "E")
    submitted(miit, owner, "草稿企业", "A", submit=False)
    mine = submitted(miit, owner, "本企业", "C")
    assert by_key(mine)["total"].percentile == Decimal(0)
    assert by_key(mine)["total"].peers == 5


def test_filters_narrow_the_peer_group_by_sector_and_province(miit: FrameworkVersion, owner: User) -> None:
    for index in range(5):
        submitted(miit, owner, f"江苏{index}", "A", province="32")
        submitted(miit, owner, f"广东{index}", "E", province="44")
    mine = submitted(miit, owner, "本企业", "C", province="32")
    assert by_key(mine)["total"].percentile == Decimal(50)
    assert by_key(mine, PeerFilter(province="32"))["total"].percentile == Decimal(100)
    assert by_key(mine, PeerFilter(province="44"))["total"].percentile == Decimal(0)
    assert by_key(mine, PeerFilter(sector="F"))["total"].withheld is not None


def test_a_new_submission_is_counted_although_the_distribution_was_cached(
    miit: FrameworkVersion, owner: User, django_capture_on_commit_callbacks: Any
) -> None:
    for index in range(5):
        submitted(miit, owner, f"同行{index}", "A")
    mine = submitted(miit, owner, "本企业", "C")
    assert by_key(mine)["total"].percentile == Decimal(100)  # the distribution is now cached
    with django_capture_on_commit_callbacks(execute=True):
        submitted(miit, owner, "新同行", "E")
    assert by_key(mine)["total"].percentile == Decimal("83.33333333333333333333333333")  # 5 of 6 below
    assert by_key(mine)["total"].peers == 6


def test_scores_are_compared_at_a_hundredth_of_a_point(miit: FrameworkVersion, owner: User) -> None:
    for index in range(5):
        submitted(miit, owner, f"同行{index}", "D")  # 7.5
    mine = submitted(miit, owner, "本企业", "D")
    assert by_key(mine)["total"].percentile == Decimal(50)  # all level: ties count half
