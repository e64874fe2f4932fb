"""What a report says, read back from real PDFs: the cover's company profile, a summary that passes the 30-second
test (level ladder, the next level, what holds it back, the change, peers), the methodology page, the sign-off,
names in the language's order, and no keys, slugs, form instructions or doubled units anywhere.

With REPORT_PDF_DIR set, the PDFs are also written there (to look at them as PNG).
"""

from __future__ import annotations

import os
import re
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from assessment.framework_texts import framework_texts
from assessment.models import Assessment, FrameworkVersion, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from assessment.services.organizations import organization_create
from reports.rendering import html_to_pdf, report_html
from reports.selectors import methodology, report_content
from review.services import review_comment_add
from scoring.engine.framework import Question
from scoring.selectors import framework_structure
from scoring.templatetags.figures import figure
from tests.helpers import answer_file, submit_filling_gaps, valid_uscc

pytestmark = pytest.mark.django_db
LANGUAGES = ("zh-Hans", "en")
REVENUE = {
    "employees_last_year": 38,
    "revenue_last_year": 16800,
    "employees_year_before": 36,
    "revenue_year_before": 15000,
}


def pdf_text(content: dict[str, Any], name: str, tmp_path: Path) -> str:
    """The report's text as pdftotext reads it, each run of white space as one space."""
    target = Path(os.environ.get("REPORT_PDF_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"{name}-{content['language']}.pdf"
    path.write_bytes(html_to_pdf(report_html(content)))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def joined(text: str) -> str:
    """Without any white space: a Chinese line wraps without a space, pdftotext joins lines with one."""
    return "".join(text.split())


def slug_keys(version: FrameworkVersion, language: str) -> set[str]:
    """The question and option keys no reader should see: longer than 3 characters, not plain words, and not
    words the framework's own texts use (the option key "e-commerce" beside the option text "E-commerce")."""
    framework = framework_structure(version)
    texts = framework_texts(version, language)
    words = " ".join(
        [place.node["text"] for place in texts.places.values()]
        + [text for key in texts.places for text in texts.options(key).values()]
    )
    keys = set(framework.questions)
    keys |= {option.key for question in framework.questions.values() for option in question.options}
    return {key for key in keys if len(key) > 3 and re.search(r"[-_.\d]", key) and key not in words}


def evidence_units(version: FrameworkVersion, language: str) -> set[str]:
    texts = framework_texts(version, language)
    return {
        str(spec["unit"])
        for place in texts.places.values()
        for spec in place.node.get("evidence", [])
        if spec.get("unit")
    }


@pytest.fixture
def level_zero(miit: FrameworkVersion, owner: User) -> Assessment:
    """A 38-person firm that answered everything at its lowest: rated, below level 1."""
    owner.first_name, owner.last_name = "建国", "王"
    owner.save(update_fields=["first_name", "last_name"])
    firm = organization_create(
        owner=owner,
        name="常州小微五金制品有限公司",
        uscc=valid_uscc(77),
        sector="C",
        size_band="micro",
        province="32",
        employees=38,
        annual_revenue=Decimal(2600),
    )
    assessment = assessment_create(organization=firm, framework_version=miit, created_by=owner)
    answers_upsert(
        assessment=assessment, answered_by=owner, items=[{"question": "R3", "choice": "B", "evidence": REVENUE}]
    )
    assessment = submit_filling_gaps(assessment, owner)
    review_comment_add(assessment=assessment, author=owner, body="设备台账已上传。")
    return assessment


@pytest.fixture
def eu_firm(eu_dma: FrameworkVersion, owner: User) -> Assessment:
    firm = organization_create(owner=owner, name="Lindqvist Metall AB", sector="C", size_band="small", province="31")
    assessment = assessment_create(organization=firm, framework_version=eu_dma, created_by=owner)
    answers_upsert(assessment=assessment, answered_by=owner, items=answer_file("eu-dma-25+1-504.json"))
    return submit_filling_gaps(assessment, owner)


def self_assessed(language: str) -> str:
    with translation.override("en" if language == "en" else "zh-hans"):
        return gettext("Self-assessed, not verified by a consultant.")


def users_words(content: dict[str, Any]) -> list[str]:
    """What people wrote (comments, notes, the consultant's statement and reasons): they may write "；"."""
    found = [a.comment for a in content["appendix"]] + [n.text for a in content["appendix"] for n in a.notes]
    found += [n.text for n in content["notes"]]
    signed = content["verification"].signed
    if signed is not None:
        found += [signed.statement] + [d.reason for d in signed.differences]
    return [escape(text) for text in found if text]


def assert_no_leaks(text: str, version: FrameworkVersion, language: str, content: dict[str, Any]) -> None:
    for key in slug_keys(version, language):
        assert not re.search(rf"(?<![\w-]){re.escape(key)}(?![\w-])", text), key
    assert version.reference not in text
    assert "Please select" not in text
    assert "请选择" not in joined(text)
    assert not re.search(r"\d\s*10k CNY", text), "10k CNY after a number: say CNY 168 million"
    units = "|".join(map(re.escape, evidence_units(version, language)))
    assert not re.search(rf"（(?:{units})）\s*[:：]", text), "a unit in a label beside a value with its unit"
    assert not re.search(r"(?<![\w-])(?:yes|no|[A-H])\. \S", text), "an option key before its text"
    if language == "en":
        html = report_html(content)
        for written in users_words(content):
            html = html.replace(written, "")
        assert "；" not in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_level_zero_report_names_the_company_and_the_level_below_one(
    level_zero: Assessment, miit: FrameworkVersion, language: str, tmp_path: Path
) -> None:
    content = report_content(level_zero, language)
    text = pdf_text(content, "miit-level-0", tmp_path)
    en = language == "en"
    organization: Organization = level_zero.organization
    for shown in (
        organization.name,
        organization.uscc,
        "Manufacturing" if en else "制造业",
        "Jiangsu" if en else "江苏省",
        "38",
        "CNY 26 million" if en else "2600万元",
        content["view"].texts.title.split(":")[0],
        "2024",
    ):
        assert shown in text, shown
    assert f"#{level_zero.pk}" not in text
    assert ("Below Level 1" if en else "未达到一级") in text
    assert "Not yet rated" not in text
    assert ("CNY 168 million" if en else "16800万元") in text  # R3's revenue evidence, its unit once
    assert "王建国" in text  # the enterprise's comment, by the account's name
    assert "建国 王" not in text
    statement = (
        "This is not a result of the official MIIT assessment platform"
        if en
        else "本报告不是工业和信息化部中小企业数字化水平评测平台出具的官方评测结果"
    )
    assert joined(statement) in joined(text)
    assert self_assessed(language) in text
    assert_no_leaks(text, miit, language, content)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_summary_shows_the_ladder_the_next_level_and_what_holds_it_back(
    level_zero: Assessment, language: str, tmp_path: Path
) -> None:
    content = report_content(level_zero, language)
    text = pdf_text(content, "miit-level-0", tmp_path)
    view = content["view"]
    with translation.override("en" if language == "en" else "zh-hans"):
        heading = gettext("Executive summary")
    summary = joined(text[text.index(heading, text.index(heading) + 1) :])  # past the contents
    summary = summary[: summary.index(joined(content["priorities"][0].title))]
    names = [rung.level.name for rung in content["ladder"]]
    assert len(names) == 5
    positions = [summary.index(joined(name)) for name in names]
    assert positions == sorted(positions), "the ladder runs from level 0 to level 4"
    assert joined(view.next_level.description) in summary
    scenarios = next(s for s in content["shortfalls"] if s.kind == "scenarios")
    assert scenarios.scenarios_more == 6  # level 1: 6 scenarios, 3 constrained
    assert scenarios.constrained_more == 3
    assert len(scenarios.candidates) == 6
    assert sum(c.constrained for c in scenarios.candidates) >= 3
    for candidate in scenarios.candidates:
        assert joined(candidate.name) in summary


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_re_assessment_leads_with_its_change_and_a_verified_one_signs_off_in_the_languages_order(
    verified_re_assessment: Assessment,
    language: str,
    tmp_path: Path,
) -> None:
    content = report_content(verified_re_assessment, language)
    text = pdf_text(content, "miit-verified", tmp_path)
    view = content["view"]
    change = content["change"]
    assert change is not None
    assert change.delta > 0
    with translation.override("en" if language == "en" else "zh-hans"):
        headline = gettext("%(before)s → %(now)s, +%(delta)s points")
    values = {"before": view.previous.level.name, "now": view.level.name, "delta": figure(change.delta)}
    assert headline % values in text
    with translation.override("en" if language == "en" else "zh-hans"):
        heading = gettext("Sign-off")
    signoff = text[text.rindex(heading) :]
    assert "李伟" in signoff  # a name in Chinese characters: family name first in both languages
    assert "SZDT-2026-0137" in signoff
    assert "苏州数字化转型评估中心" in signoff
    assert_no_leaks(text, verified_re_assessment.framework_version, language, content)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_consultant_with_a_latin_name_signs_in_the_languages_order(
    verified_re_assessment: Assessment,
    language: str,
) -> None:
    from review.models import Verification

    Verification.objects.filter(assessment=verified_re_assessment).update(family_name="Wang", given_name="Jianguo")
    content = report_content(verified_re_assessment, language)
    html = report_html(content)
    signoff = html[html.index('id="signoff"') :]
    assert ("Jianguo Wang" if language == "en" else "Wang Jianguo") in signoff


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_eu_dma_report_shows_no_slugs_or_form_instructions(
    eu_firm: Assessment, eu_dma: FrameworkVersion, language: str, tmp_path: Path
) -> None:
    content = report_content(eu_firm, language)
    text = pdf_text(content, "eu-dma", tmp_path)
    assert_no_leaks(text, eu_dma, language, content)
    assert "MIIT" not in text
    assert "工业和信息化部" not in text
    official = methodology("eu-dma")["official"][language]
    assert joined(official) in joined(text)
    assert self_assessed(language) in text


def test_every_bundled_framework_has_a_methodology_text_in_both_languages() -> None:
    for path in sorted(Path("frameworks").glob("*.yaml")):
        about = methodology(path.stem)
        assert about, f"reports/methodology/{path.stem}.yaml is missing"
        for field in ("source", "level_rule", "official"):
            assert all(about[field].get(language) for language in LANGUAGES), (path.stem, field)
        assert all(item.get(language) for item in about.get("unverified", []) for language in LANGUAGES)


def test_option_keys_are_never_part_of_an_answers_text(eu_dma: FrameworkVersion) -> None:
    from scoring.engine import parse_answers
    from scoring.wording import answer_as_text

    framework = framework_structure(eu_dma)
    question: Question = next(q for q in framework.questions.values() if q.kind == "multiple_choice")
    keys = [o.key for o in question.options if not o.exclusive][:2]
    answer = parse_answers(framework, [{"question": question.key, "choices": keys}])[question.key]
    for language in LANGUAGES:
        with translation.override("en" if language == "en" else "zh-hans"):
            texts = framework_texts(eu_dma, language)
            shown = answer_as_text(framework, texts, question.key, answer)
        assert shown == ("; " if language == "en" else "；").join(texts.options(question.key)[k] for k in keys)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_appendix_tells_r3s_two_revenue_fields_apart_with_each_unit_once(
    level_zero: Assessment, language: str
) -> None:
    content = report_content(level_zero, language)
    (r3,) = [item for item in content["appendix"] if item.key == "R3"]
    labels = [label for label, _ in r3.evidence]
    assert len(set(labels)) == len(labels) == 4
    revenue = dict(r3.evidence)
    if language == "en":
        assert revenue["Operating revenue last year"] == "CNY 168 million"
        assert revenue["Operating revenue the year before last"] == "CNY 150 million"
    else:
        assert revenue["营业收入（上年）"] == "16800万元"
        assert revenue["营业收入（前年）"] == "15000万元"
        assert not any("（万元）" in label for label in labels)
