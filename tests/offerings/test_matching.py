"""Which offerings an SME sees for its gaps: the same framework, covering the key and level, serving its
province, sector and size band; closest fit first, one per gap and offering, never more than three."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from assessment.models import Assessment, FrameworkVersion, Organization
from offerings.selectors import MATCH_LIMIT, Need, Profile, offerings_matching
from reports.rendering import html_to_pdf, report_html
from reports.selectors import assessment_roadmap, report_content, support_needs, support_that_fits
from scoring.results import results_view

PROFILE = Profile(province="32", sector="C", size_band="small")


def titles(found: list[Any]) -> list[tuple[str, str]]:
    return [(offering.title, need.question) for offering, need in found]


def match(miit: FrameworkVersion, needs: list[Need], profile: Profile = PROFILE) -> list[tuple[str, str]]:
    return titles(offerings_matching(framework_id=miit.framework_id, needs=needs, profile=profile))


def test_an_exact_level_and_a_specific_region_come_before_a_generic_offering(
    make_offering: Any, miit: FrameworkVersion
) -> None:
    make_offering(title="通用", level_min=0, level_max=4)
    make_offering(title="二级江苏", level_min=2, level_max=2, provinces=["32"])
    make_offering(title="二级通用", level_min=2, level_max=2)
    found = match(miit, [Need("S07", 2), Need("S08", 2)])
    assert found == [("二级江苏", "S07")]  # one per gap: S08 has no offering


def test_among_equal_ranges_the_more_specific_profile_wins(make_offering: Any, miit: FrameworkVersion) -> None:
    make_offering(title="任意", question_keys=["S07"])
    make_offering(title="制造业小企业", question_keys=["S07"], sectors=["C"], size_bands=["small"])
    assert match(miit, [Need("S07", 1)]) == [("制造业小企业", "S07")]


def test_offerings_for_other_regions_sectors_sizes_levels_or_unpublished_are_left_out(
    make_offering: Any, miit: FrameworkVersion
) -> None:
    make_offering(title="北京", provinces=["11"])
    make_offering(title="采矿", sectors=["B"])
    make_offering(title="中型", size_bands=["medium"])
    make_offering(title="三四级", level_min=3, level_max=4)
    make_offering(title="下架", active=False)
    make_offering(title="另一题", question_keys=["S08"])
    assert match(miit, [Need("S07", 2)]) == []


def test_never_more_than_three_and_each_offering_once(make_offering: Any, miit: FrameworkVersion) -> None:
    for key in ("S01", "S02", "S03", "S04", "S05"):
        make_offering(title=f"专项{key}", question_keys=[key], level_min=1, level_max=1)
    make_offering(title="多题", question_keys=["S01", "S02", "S03", "S04", "S05"], level_min=1, level_max=1)
    needs = [Need(key, 1) for key in ("S05", "S04", "S03", "S02", "S01")]
    found = match(miit, needs)
    assert MATCH_LIMIT == 3
    assert found == [("专项S05", "S05"), ("专项S04", "S04"), ("专项S03", "S03")]  # single-key first, path order


def test_an_offering_of_another_framework_is_not_matched(
    make_offering: Any, miit: FrameworkVersion, eu_dma: FrameworkVersion
) -> None:
    key = eu_dma.questions.values_list("key", flat=True).first()
    make_offering(title="欧盟", framework=eu_dma.framework, question_keys=[key], level_min=1, level_max=4)
    assert match(miit, [Need(key, 1)]) == []


def test_the_needs_are_the_path_steps_then_the_roadmap_with_their_target_levels(low_assessment: Assessment) -> None:
    view = results_view(low_assessment, language="en")
    needs = support_needs(view, assessment_roadmap(low_assessment, view))
    keys = [n.question for n in needs]
    assert keys[:8] == ["F6", "M1", "S01", "S02", "S03", "S04", "S05", "S06"]
    assert len(keys) == len(set(keys))
    assert {n.level for n in needs} == {1}  # level 0 → 1: every step aims at level 1


def test_the_match_says_which_gap_and_level_it_is_for(make_offering: Any, low_assessment: Assessment) -> None:
    make_offering(title="场景一级辅导", kind="training", question_keys=["S02"], level_min=1, level_max=1)
    view = results_view(low_assessment, language="en")
    [found] = support_that_fits(low_assessment, view, assessment_roadmap(low_assessment, view))
    assert (found.title, found.kind, found.reason, found.provider) == (
        "场景一级辅导",
        "training",
        "for S02 → level 1",
        "数转服务商",
    )


def pdf_text(assessment: Assessment, language: str, tmp_path: Path) -> str:
    path = tmp_path / f"{assessment.pk}-{language}.pdf"
    path.write_bytes(html_to_pdf(report_html(report_content(assessment, language))))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def test_the_report_has_a_support_section_with_the_provider_text_escaped(
    make_offering: Any, low_assessment: Assessment, tmp_path: Path
) -> None:
    make_offering(title="<b>Line</b> & Co audit", question_keys=["S01"], level_min=1, level_max=1, price="<i>free</i>")
    text = pdf_text(low_assessment, "en", tmp_path)
    assert "Support that fits" in text
    assert "<b>Line</b> & Co audit" in text  # shown as typed: escaped, not markup
    assert "for S01 → level 1" in text
    assert "wang@provider.example" in text
    assert "<i>free</i>" in text


def test_the_report_has_no_support_section_without_a_match(low_assessment: Assessment, tmp_path: Path) -> None:
    assert report_content(low_assessment, "en")["offerings"] == ()
    assert "Support that fits" not in pdf_text(low_assessment, "en", tmp_path)


def test_an_sme_elsewhere_is_not_offered_a_regional_offering(
    make_offering: Any, low_assessment: Assessment, organization: Organization
) -> None:
    make_offering(title="只服务北京", question_keys=["S01"], provinces=["11"])
    view = results_view(low_assessment, language="en")
    assert support_that_fits(low_assessment, view, assessment_roadmap(low_assessment, view)) == ()
