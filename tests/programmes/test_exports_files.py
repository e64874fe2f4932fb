"""Cohort exports: the CSV and the XLSX read back hold one exact row per consenting SME and the aggregates; the
cohort PDF holds the charts and tables in Chinese and English; every SME in a file is in its access log."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from assessment.models import FrameworkVersion, Organization
from programmes.analytics import CohortFilter
from programmes.cohort import cohort_member_refresh
from programmes.exports import cohort_export_now, cohort_export_request, cohort_export_run
from programmes.models import AccessRecord, CohortExport, Programme
from review.models import Verification
from scoring.models import AssessmentResult
from tests.programmes.cohort_world import standard_world
from tests.reports.test_pipeline import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(miit: FrameworkVersion) -> Any:
    return standard_world(miit)


def csv_rows(world: Any, **filters: Any) -> list[dict[str, str]]:
    made = cohort_export_now(
        programme=world.programme, format="csv", filters=CohortFilter(**filters), language="en", viewer=world.analyst
    )
    text = b"".join(made.chunks).decode()
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_the_csv_has_one_exact_row_per_enrolled_sme(world: Any) -> None:
    rows = {r["Company"]: r for r in csv_rows(world)}
    assert sorted(rows) == sorted(world.smes)
    first, second = (AssessmentResult.objects.get(assessment=a) for a in world.assessments["甲精密制造"])
    signed = Verification.objects.get()
    row = rows["甲精密制造"]
    assert row["Status"] == "verified"
    assert (row["Self-assessed level"], row["Self-assessed total"]) == (str(second.level), "58.125")
    assert (row["Verified level"], Decimal(row["Verified total"])) == (str(signed.level), signed.total)
    assert (row["T0 level"], Decimal(row["T0 total"])) == (str(first.level), first.total)
    assert Decimal(row["Total change T0→T1"]) == second.total - first.total
    assert row["S01 Product design"] != ""
    assert (rows["丁食品"]["Status"], rows["丁食品"]["Self-assessed total"]) == ("not assessed", "")
    assert rows["乙电子科技"]["T1 total"] == ""  # T0 only: no change to show
    assert (rows["丙机械"]["Group"], rows["丙机械"]["City"]) == (world.group.name, "苏州市")


def test_every_sme_in_an_export_is_in_its_access_log(world: Any) -> None:
    csv_rows(world, province="64")
    logged = AccessRecord.objects.filter(kind=AccessRecord.Kind.EXPORT, viewer=world.analyst)
    assert sorted(r.enrolment.organization.name for r in logged) == ["丁食品", "乙电子科技", "甲精密制造"]


def test_a_withdrawn_sme_is_absent_from_the_next_export(world: Any) -> None:
    enrolment = world.enrolments["乙电子科技"]
    enrolment.withdrawn_at = timezone.now()
    enrolment.save(update_fields=["withdrawn_at"])
    cohort_member_refresh(enrolment_id=enrolment.pk)
    world.programme = Programme.objects.get(pk=world.programme.pk)
    assert "乙电子科技" not in {r["Company"] for r in csv_rows(world)}
    assert not AccessRecord.objects.filter(enrolment=enrolment).exists()


def test_a_name_that_looks_like_a_formula_is_quoted_in_the_csv(world: Any) -> None:
    Organization.objects.filter(pk=world.smes["丁食品"].pk).update(name="=HYPERLINK(1)")
    cohort_member_refresh(enrolment_id=world.enrolments["丁食品"].pk)
    assert "'=HYPERLINK(1)" in {r["Company"] for r in csv_rows(world)}


def test_the_xlsx_job_reads_back_with_openpyxl(world: Any) -> None:
    export = cohort_export_request(
        programme=world.programme, format="xlsx", filters=CohortFilter(), language="zh-Hans", requested_by=world.analyst
    )
    done = cohort_export_run(export_id=export.pk)
    assert done is not None
    assert done.status == CohortExport.Status.READY, done.error
    assert (done.rows_done, done.rows_total) == (4, 4)
    book = load_workbook(done.file.open("rb"), read_only=True)
    smes, aggregates = book.worksheets
    assert smes.title == "企业" or smes.title == "SMEs"
    header, *rows = [list(r) for r in smes.iter_rows(values_only=True)]
    by_name = {r[1]: dict(zip(header, r + [None] * (len(header) - len(r)), strict=True)) for r in rows}
    assert sorted(by_name) == sorted(world.smes)
    second = AssessmentResult.objects.get(assessment=world.assessments["甲精密制造"][1])
    total_column = next(h for h in header if h in ("Self-assessed total", "自评总分"))
    assert Decimal(str(by_name["甲精密制造"][total_column])) == second.total
    labels = [r[0] for r in aggregates.iter_rows(values_only=True) if r]
    assert len(labels) > 20
    assert AccessRecord.objects.filter(kind=AccessRecord.Kind.EXPORT).count() == 4


@pytest.mark.parametrize(
    ("language", "words"), [("zh-Hans", ["企业", "银川数字化转型试点"]), ("en", ["enrolled", "Levels"])]
)
def test_the_cohort_pdf_holds_the_figures_and_renders_chinese(
    world: Any, language: str, words: list[str], tmp_path: Path
) -> None:
    Organization.objects.filter(pk=world.smes["甲精密制造"].pk).update(name="甲<b>精密</b>制造")
    cohort_member_refresh(enrolment_id=world.enrolments["甲精密制造"].pk)
    export = cohort_export_request(
        programme=Programme.objects.get(pk=world.programme.pk),
        format="pdf",
        filters=CohortFilter(),
        language=language,
        requested_by=world.analyst,
    )
    done = cohort_export_run(export_id=export.pk)
    assert done is not None
    assert done.status == CohortExport.Status.READY, done.error
    text = " ".join(pdf_text(done.file.read(), tmp_path).split())
    assert "银川数字化转型试点" in text
    assert "甲<b>精密</b>制造" in text  # escaped: shown as written, not as markup
    for word in words[1:]:
        assert word in text
    with translation.override("en"):
        assert "58.13" in text  # the median total, rounded for reading
    assert AccessRecord.objects.filter(kind=AccessRecord.Kind.REPORT).count() == 1  # the one SME it names
