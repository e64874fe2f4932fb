"""Peer benchmarks: established organisations only, one result each, compared in bands; never gameable."""

from __future__ import annotations

from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from django.core.cache import cache

from assessment.models import Assessment, FrameworkVersion, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from assessment.services.organizations import organization_create
from scoring.models import AssessmentResult
from scoring.peers import PeerFilter, PeerStanding, peer_benchmark
from scoring.selectors import assessment_result
from tests.helpers import established_organization, submit_filling_gaps
from tests.scoring.engine.frameworks import MIIT_TOP_FOUNDATION_AND_MANAGEMENT, MIIT_TOP_OUTCOMES

pytestmark = pytest.mark.django_db
NUMBERS = count(1)  # credit codes of the test's organisations

# F5 is worth 10 of MIIT's 100 points: A 0, B 2.5, C 5, D 7.5, E 10. Bands are 5 points wide:
# 0–5 (A, B), 5–10 (C, D), 10–15 (E).


def submitted(
    miit: FrameworkVersion, organization: Organization, owner: User, f5: str, *, submit: bool = True
) -> AssessmentResult:
    """An assessment of `organization` whose only scored answer is F5."""
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    answers_upsert(assessment=assessment, answered_by=owner, items=[{"question": "F5", "choice": f5}])
    if submit:
        submit_filling_gaps(assessment, owner)
    return assessment_result(Assessment.objects.get(pk=assessment.pk))


def peer(miit: FrameworkVersion, owner: User, f5: str, **profile: Any) -> AssessmentResult:
    """An established organisation of the same sector and province with one submitted assessment."""
    organization = established_organization(owner, f"同行{next(NUMBERS)}", next(NUMBERS), **profile)
    return submitted(miit, organization, owner, f5)


def by_key(result: AssessmentResult, peer_filter: PeerFilter | None = None) -> dict[str, PeerStanding]:
    return {s.key: s for s in peer_benchmark(result, peer_filter)}


def test_the_percentile_counts_lower_bands_and_half_the_same_band(miit: FrameworkVersion, owner: User) -> None:
    for choice in "ABCCD":  # totals 0, 2.5 (band 0–5); 5, 5, 7.5 (band 5–10)
        peer(miit, owner, choice)
    mine = peer(miit, owner, "C")  # 5: two peers in lower bands, three in its own
    total = by_key(mine)["total"]
    assert total.percentile == Decimal(70)  # (2 + 3/2) / 5
    assert total.peers == 5
    assert total.quartiles is None, "quartiles need ten other organisations"
    # The foundation (50 points) has bands of 2.5: 0 | 2.5 | 5, 5 | 7.5 against this 5.
    assert by_key(mine)["foundation"].percentile == Decimal(60)


def test_quartiles_are_the_middles_of_the_bands_at_the_nearest_ranks(miit: FrameworkVersion, owner: User) -> None:
    for choice in "AAABBCCDDE":  # 0 0 0 2.5 2.5 | 5 5 7.5 7.5 | 10
        peer(miit, owner, choice)
    mine = peer(miit, owner, "E")
    total = by_key(mine)["total"]
    # Ranks 0–9: Q1 at rank 2 (band 0–5), the median at rank 4.5 → 5 (band 5–10), Q3 at rank 7 (band 5–10).
    assert total.quartiles == (Decimal("2.5"), Decimal("7.5"), Decimal("7.5"))
    assert total.peers == 10


def test_the_comparison_is_withheld_with_fewer_than_five_other_organisations(
    miit: FrameworkVersion, owner: User
) -> None:
    for choice in "BBBB":
        peer(miit, owner, choice)
    mine = peer(miit, owner, "C")
    standings = peer_benchmark(mine)
    assert {s.percentile for s in standings} == {None}
    assert standings[0].withheld == "fewer than 5 other organisations in this peer group"
    assert standings[0].peers == 4


def test_drafts_and_the_organisations_own_assessments_are_not_peers(
    miit: FrameworkVersion, owner: User, organization: Organization
) -> None:
    for choice in "EEEEE":
        peer(miit, owner, choice)
    draft_owner = established_organization(owner, "草稿企业", next(NUMBERS))
    submitted(miit, draft_owner, owner, "A", submit=False)
    mine = peer(miit, owner, "C")
    submitted(miit, Organization.objects.get(pk=mine.organization_id), owner, "A", submit=False)
    assert by_key(mine)["total"].percentile == Decimal(0)
    assert by_key(mine)["total"].peers == 5


def test_organisations_without_a_credit_code_or_younger_than_the_minimum_age_are_not_peers(
    miit: FrameworkVersion, owner: User
) -> None:
    for choice in "EEEEE":
        peer(miit, owner, choice)
    for n in range(3):
        fresh = established_organization(owner, f"新注册{n}", next(NUMBERS))
        Organization.objects.filter(pk=fresh.pk).update(created_at=fresh.created_at.replace(year=2100))
        submitted(miit, fresh, owner, "A")
        anonymous = organization_create(owner=owner, name=f"无代码{n}", sector="C", size_band="small", province="32")
        submitted(miit, anonymous, owner, "A")
    mine = peer(miit, owner, "C")
    assert (by_key(mine)["total"].peers, by_key(mine)["total"].percentile) == (5, Decimal(0))


def test_each_organisation_counts_once_with_its_latest_submission(miit: FrameworkVersion, owner: User) -> None:
    organizations = [established_organization(owner, f"同行{n}", next(NUMBERS)) for n in range(5)]
    for organization in organizations:
        submitted(miit, organization, owner, "A")
        submitted(miit, organization, owner, "E")  # a re-assessment: only this one counts
    mine = peer(miit, owner, "C")
    assert (by_key(mine)["total"].peers, by_key(mine)["total"].percentile) == (5, Decimal(0))
    assert AssessmentResult.objects.filter(organization__in=organizations, peer_group=True).count() == 5


def test_filters_narrow_the_peer_group_by_sector_and_province(miit: FrameworkVersion, owner: User) -> None:
    for _ in range(5):
        peer(miit, owner, "A", province="32")
        peer(miit, owner, "E", province="44")
    mine = peer(miit, owner, "C", province="32")
    assert by_key(mine)["total"].percentile == Decimal(50)
    assert by_key(mine, PeerFilter(province="32"))["total"].percentile == Decimal(100)
    assert by_key(mine, PeerFilter(province="44"))["total"].percentile == Decimal(0)
    assert by_key(mine, PeerFilter(sector="F"))["total"].withheld is not None


def test_a_new_submission_is_counted_although_the_distribution_was_cached(
    miit: FrameworkVersion, owner: User, django_capture_on_commit_callbacks: Any
) -> None:
    for _ in range(5):
        peer(miit, owner, "A")
    mine = peer(miit, owner, "C")
    assert by_key(mine)["total"].percentile == Decimal(100)  # the distribution is now cached
    with django_capture_on_commit_callbacks(execute=True):
        peer(miit, owner, "E")
    assert by_key(mine)["total"].percentile == Decimal("83.33333333333333333333333333")  # 5 of 6 below
    assert by_key(mine)["total"].peers == 6


def test_scores_are_compared_in_bands_of_five_points(miit: FrameworkVersion, owner: User) -> None:
    for _ in range(5):
        peer(miit, owner, "C")  # 5
    mine = peer(miit, owner, "D")  # 7.5: the same band, 5 to 10
    assert by_key(mine)["total"].percentile == Decimal(50)  # all level: the same band counts half


def test_five_fresh_sign_ups_around_a_victim_learn_nothing_of_its_score(miit: FrameworkVersion, owner: User) -> None:
    """The attack: five new organisations in the victim's sector, province and size band, two scoring 0 and
    three 100, would have lifted the withholding and pinned the victim's total with the quartiles."""
    victim = submitted(miit, established_organization(owner, "受害企业", next(NUMBERS)), owner, "D")  # 7.5
    attacker = User.objects.create_user("attacker@example.com", "pw-attacker-1")
    sybils = []
    for n, top in enumerate([False, False, True, True, True]):
        organization = organization_create(
            owner=attacker, name=f"马甲{n}", sector="C", size_band="small", province="32", uscc=""
        )
        assessment = assessment_create(organization=organization, framework_version=miit, created_by=attacker)
        if top:
            items = [*MIIT_TOP_FOUNDATION_AND_MANAGEMENT, *MIIT_TOP_OUTCOMES]
            answers_upsert(assessment=assessment, answered_by=attacker, items=items)
        sybils.append(assessment_result(submit_filling_gaps(assessment, attacker)))
    for sybil in sybils:
        for peer_filter in (PeerFilter(), PeerFilter(sector="C", size_band="small", province="32")):
            standings = peer_benchmark(sybil, peer_filter)
            assert {s.quartiles for s in standings} == {None}
            assert {s.percentile for s in standings} == {None}, "withheld: the sign-ups are not peers"
    assert victim.total == Decimal("7.5")


def test_even_established_organisations_of_an_attackers_making_learn_only_the_bands_of_a_score(
    miit: FrameworkVersion, owner: User
) -> None:
    """An attacker who waited, with ten organisations of valid credit codes around one of two victims:
    one scoring 2.5 (F5 B), one 3.9 (F5 B and two F4 sources of 0.7). Both are in the same band of every
    metric (total 0–5, foundation 2.5–5, the others 0), and everything published to the attacker is the
    same for both: no more than those bands, the published resolution, can be learnt."""
    seen = []
    for extra in ([], [{"question": "F4", "choices": ["F", "G"]}]):
        AssessmentResult.objects.all().delete()
        cache.clear()  # the cached distributions of the first victim's group
        organization = established_organization(owner, f"受害企业{next(NUMBERS)}", next(NUMBERS))
        victim = assessment_create(organization=organization, framework_version=miit, created_by=owner)
        answers_upsert(assessment=victim, answered_by=owner, items=[{"question": "F5", "choice": "B"}, *extra])
        total = assessment_result(submit_filling_gaps(victim, owner)).total
        sybils = [peer(miit, owner, choice) for choice in "AAAAAEEEEE"]
        seen.append([[(s.key, s.percentile, s.quartiles, s.peers) for s in peer_benchmark(x)] for x in sybils])
        assert total == (Decimal("2.5") if not extra else Decimal("3.9"))
    assert seen[0] == seen[1]
