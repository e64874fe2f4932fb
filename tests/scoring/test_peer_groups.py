"""Who the peers are: the group chosen (the narrowest large enough) and stated, each firm once and never
among its own peers; MIIT's 数字化经营 (no points) compared by its scenarios' average level."""

from __future__ import annotations

import importlib
import subprocess
from decimal import Decimal
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps

from assessment.models import Assessment, FrameworkVersion, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from reports.rendering import html_to_pdf, report_html
from reports.selectors import report_content
from scoring.models import AssessmentResult, DimensionResult
from scoring.peers import PeerFilter, peer_comparison
from scoring.results import results_view
from scoring.selectors import assessment_result
from scoring.services import results_rescore
from tests.helpers import established_organization, submit_filling_gaps

pytestmark = pytest.mark.django_db
NUMBERS = count(1)  # credit codes of the test's organisations
SCENARIOS = [f"S{n:02d}" for n in range(1, 17)]  # MIIT's sixteen scenarios, all in 数字化经营 ("operations")
MIIT_TITLE = "SME Digitalisation Level Evaluation Indicators (2024 edition): manufacturing"

# F5 is worth 10 of MIIT's 100 points: A 0, C 5, E 10; bands of 5 points: A in 0–5, C in 5–10, E in 10–15.


def assessed(
    miit: FrameworkVersion, organization: Organization, owner: User, f5: str = "A", scenarios: int = 0
) -> AssessmentResult:
    """A submitted assessment of `organization`: F5 at `f5`, every scenario at level `scenarios`."""
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    items = [{"question": "F5", "choice": f5}, *({"question": s, "level": scenarios} for s in SCENARIOS)]
    answers_upsert(assessment=assessment, answered_by=owner, items=items)
    submit_filling_gaps(assessment, owner)
    return assessment_result(Assessment.objects.get(pk=assessment.pk))


def peers(miit: FrameworkVersion, owner: User, n: int, f5: str = "A", scenarios: int = 0, **profile: Any) -> None:
    """`n` established organisations (sector C, small, Jiangsu unless `profile` says otherwise), each assessed."""
    for _ in range(n):
        organization = established_organization(owner, f"同行{next(NUMBERS)}", next(NUMBERS), **profile)
        assessed(miit, organization, owner, f5, scenarios)


def me(miit: FrameworkVersion, owner: User, f5: str = "C", scenarios: int = 0) -> AssessmentResult:
    return assessed(miit, established_organization(owner, "本企业", next(NUMBERS)), owner, f5, scenarios)


def test_the_narrowest_group_with_enough_for_quartiles_is_chosen(miit: FrameworkVersion, owner: User) -> None:
    peers(miit, owner, 5, "A")  # C, small, Jiangsu: as the firm
    peers(miit, owner, 5, "E", province="44")  # C, small, Guangdong
    peers(miit, owner, 3, "E", size_band="medium")
    peers(miit, owner, 4, "E", sector="F")
    comparison = peer_comparison(me(miit, owner))
    # The whole version has 17 others, the sector 13, sector and size band 10, all three 5: the narrowest
    # with ten (quartiles) is the sector and size band.
    assert comparison.automatic
    assert comparison.filter == PeerFilter(sector="C", size_band="small")
    total = comparison.standings[0]
    assert (total.peers, total.percentile) == (10, Decimal(50))  # five A below, five E above
    assert total.quartiles == (Decimal("2.5"), Decimal("12.5"), Decimal("12.5"))


def test_without_enough_for_quartiles_the_narrowest_group_with_five_is_chosen(
    miit: FrameworkVersion, owner: User
) -> None:
    peers(miit, owner, 5, "A")
    peers(miit, owner, 3, "E", sector="F")
    comparison = peer_comparison(me(miit, owner))
    assert comparison.filter == PeerFilter(sector="C", size_band="small", province="32")
    assert (comparison.peers, comparison.standings[0].percentile) == (5, Decimal(100))
    assert comparison.standings[0].quartiles is None


def test_when_no_group_is_large_enough_the_whole_version_is_stated_and_withheld(
    miit: FrameworkVersion, owner: User
) -> None:
    peers(miit, owner, 2, "A")
    peers(miit, owner, 2, "E", sector="F")
    view = results_view(Assessment.objects.get(pk=me(miit, owner).assessment_id), language="en")
    assert view.peers.filter == {}
    assert view.peers.withheld == "fewer than 5 other organisations in this peer group"
    assert view.peers.group == f"4 other organisations that submitted {MIIT_TITLE}"


def test_the_group_is_stated_in_words_in_the_views_language(miit: FrameworkVersion, owner: User) -> None:
    peers(miit, owner, 10, "A")
    assessment = Assessment.objects.get(pk=me(miit, owner).assessment_id)
    english = results_view(assessment, language="en").peers
    assert english.group == (
        "10 other organisations of the same sector (Manufacturing), size band (small) and province (Jiangsu) "
        f"that submitted {MIIT_TITLE}"
    )
    assert english.filter == {"sector": "C", "size_band": "small", "province": "32"}
    chinese = results_view(assessment, language="zh-Hans").peers.group
    for name in ("制造业", "小型", "江苏省", "中小企业数字化水平评测指标（2024年版）"):
        assert name in chinese
    for name in ("Manufacturing", "Jiangsu", "SME Digitalisation"):
        assert name not in chinese


def test_filters_asked_for_are_kept_and_stated(miit: FrameworkVersion, owner: User) -> None:
    peers(miit, owner, 10, "A")
    peers(miit, owner, 5, "E", province="44")
    assessment = Assessment.objects.get(pk=me(miit, owner).assessment_id)
    view = results_view(assessment, language="en", peers_by=["sector"])
    assert (view.peers.automatic, view.peers.filter, view.peers.count) == (False, {"sector": "C"}, 15)
    assert view.peers.group.startswith("15 other organisations of the same sector (Manufacturing) that submitted")
    assert results_view(assessment, language="en").peers.count == 10  # chosen: all three, ten others


def test_the_firm_is_left_out_of_its_own_quartiles_and_percentile(miit: FrameworkVersion, owner: User) -> None:
    peers(miit, owner, 5, "A")
    peers(miit, owner, 5, "E")
    mine = me(miit, owner, "A")
    total = peer_comparison(mine).standings[0]
    # Others sorted: five at 0, five at 10. Q1 at rank 2 (band 0–5), the median at rank 5 (10–15), Q3 at
    # rank 7 (10–15). Were the firm (0) among them, the median would be at rank 5 of eleven: 0–5.
    assert total.quartiles == (Decimal("2.5"), Decimal("12.5"), Decimal("12.5"))
    assert (total.peers, total.percentile) == (10, Decimal(25))  # none below, five in its band count half


def test_a_re_assessed_firm_counts_once_also_after_rescoring(miit: FrameworkVersion, owner: User) -> None:
    firms = [established_organization(owner, f"复评{n}", next(NUMBERS)) for n in range(5)]
    earlier = [assessed(miit, firm, owner, "E") for firm in firms]
    later = [assessed(miit, firm, owner, "A") for firm in firms]
    # Rescoring stores every result again, the earlier ones last: still only the latest counts.
    results_rescore(assessment_ids=[r.assessment_id for r in later + earlier])
    assert set(AssessmentResult.objects.filter(peer_group=True).values_list("assessment_id", flat=True)) == {
        r.assessment_id for r in later
    }
    assert DimensionResult.objects.filter(peer_group=True).count() == 5 * 4
    mine = me(miit, owner, "C")
    assert (peer_comparison(mine).peers, peer_comparison(mine).standings[0].percentile) == (5, Decimal(100))


def test_the_firms_own_earlier_assessment_is_compared_without_the_firm(miit: FrameworkVersion, owner: User) -> None:
    peers(miit, owner, 5, "A")
    firm = established_organization(owner, "复评企业", next(NUMBERS))
    earlier = assessed(miit, firm, owner, "E")
    assessed(miit, firm, owner, "C")  # the latest: the one among peers, left out of its own comparisons
    total = peer_comparison(earlier).standings[0]
    assert (total.peers, total.percentile) == (5, Decimal(100))


def test_the_scenario_dimension_is_compared_by_its_average_level(miit: FrameworkVersion, owner: User) -> None:
    peers(miit, owner, 5, "A", scenarios=1)
    peers(miit, owner, 5, "A", scenarios=3)
    mine = me(miit, owner, "A", scenarios=2)
    operations = {s.key: s for s in peer_comparison(mine).standings}["operations"]
    assert (operations.measure, operations.score, operations.max) == ("scenario_level", Decimal(2), Decimal(4))
    # Bands of 0.2 levels: five peers at 1 below, five at 3 above. Quartiles are band middles; with the
    # firm (2) among them the median would be its own band, 2.1.
    assert (operations.peers, operations.percentile) == (10, Decimal(50))
    assert operations.quartiles == (Decimal("1.1"), Decimal("3.1"), Decimal("3.1"))


def test_the_scenario_row_is_shown_with_the_points_rows(miit: FrameworkVersion, owner: User) -> None:
    peers(miit, owner, 5, "A", scenarios=1)
    mine = me(miit, owner, "A", scenarios=4)
    rows = results_view(Assessment.objects.get(pk=mine.assessment_id), language="en").peers.rows
    assert [row.key for row in rows] == ["total", "foundation", "operations", "management", "outcomes"]
    operations = rows[2]
    assert operations.name == "Digital operations (average scenario level, of 4)"
    assert (operations.score, operations.max, operations.percentile) == (Decimal(4), Decimal(4), Decimal(100))


def test_rescoring_and_the_migration_store_the_scenario_average(miit: FrameworkVersion, owner: User) -> None:
    mine = me(miit, owner, scenarios=3)
    stale = DimensionResult.objects.filter(result__assessment_id=mine.assessment_id, dimension="operations")
    stale.update(score=0, max=0)  # as stored before the scenario dimension was compared
    migration = importlib.import_module("scoring.migrations.0005_dimension_result_scenario_average")
    migration.fill_scenario_averages(apps, None)
    assert stale.values_list("score", "max").get() == (Decimal(3), Decimal(4))
    stale.update(score=0, max=0)
    results_rescore(assessment_ids=[mine.assessment_id])
    rescored = DimensionResult.objects.get(result__assessment_id=mine.assessment_id, dimension="operations")
    assert (rescored.score, rescored.max) == (Decimal(3), Decimal(4))


def test_the_report_states_the_group_and_shows_the_scenario_row(
    miit: FrameworkVersion, owner: User, tmp_path: Path
) -> None:
    peers(miit, owner, 5, "A", scenarios=1)
    mine = me(miit, owner, "A", scenarios=2)
    content = report_content(Assessment.objects.get(pk=mine.assessment_id), "en")
    path = tmp_path / "report.pdf"
    path.write_bytes(html_to_pdf(report_html(content)))
    text = " ".join(
        subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    assert (
        "Peer group: 5 other organisations of the same sector (Manufacturing), size band (small) and province "
        f"(Jiangsu) that submitted {MIIT_TITLE}" in text
    )
    assert "(average scenario level, of 4)" in text
