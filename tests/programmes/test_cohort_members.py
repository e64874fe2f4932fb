"""CohortMember rows hold each consenting SME's figures, kept current by signals and repaired by the sweep."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from assessment.models import FrameworkVersion, Organization
from assessment.services.assessments import answers_upsert, assessment_create
from assessment.services.organizations import organization_update
from programmes.cohort import cohort_member_refresh, cohort_programme_refresh, cohort_sweep
from programmes.models import CohortMember, Enrolment, Programme
from review.models import Verification
from scoring.models import AssessmentResult
from scoring.services import results_rescore
from tests.helpers import answer_file, submit_filling_gaps
from tests.programmes.cohort_world import assess, enrol, operator_with_programme, standard_world, verify

pytestmark = pytest.mark.django_db


def member(world: Any, name: str) -> CohortMember:
    return CohortMember.objects.get(enrolment=world.enrolments[name])


def test_t1_is_the_latest_submission_and_t0_the_last_before_the_programme_date(miit: FrameworkVersion) -> None:
    world = standard_world(miit)
    first, second = world.assessments["甲精密制造"]
    row = member(world, "甲精密制造")
    assert row.assessment_id == second.pk
    assert row.t0_assessment_id == first.pk
    assert row.total == AssessmentResult.objects.get(assessment=second).total == Decimal("58.125")
    assert row.t0_total == AssessmentResult.objects.get(assessment=first).total
    assert row.level == AssessmentResult.objects.get(assessment=second).level


def test_an_sme_assessed_only_before_the_date_has_that_assessment_as_t0_and_as_its_current_figures(
    miit: FrameworkVersion,
) -> None:
    world = standard_world(miit)
    row = member(world, "乙电子科技")
    assert row.assessment_id == row.t0_assessment_id == world.assessments["乙电子科技"][0].pk
    assert row.total == Decimal("28.125")


def test_the_verified_figures_are_the_signed_verifications(miit: FrameworkVersion) -> None:
    world = standard_world(miit)
    signed = Verification.objects.get(assessment=world.assessments["甲精密制造"][1])
    row = member(world, "甲精密制造")
    assert (row.verified_level, row.verified_total) == (signed.level, signed.total)
    assert row.verified_level < row.level  # four scenarios rated lower cost a level
    assert set(row.verified_dimensions) == set(row.dimensions)


def test_dimensions_scenarios_gates_and_path_come_from_the_stored_result(miit: FrameworkVersion) -> None:
    world = standard_world(miit)
    row = member(world, "丙机械")
    result = AssessmentResult.objects.get(assessment=row.assessment_id)
    card = result.card
    assert row.scenarios == card["scenario_levels"]
    assert {d["key"] for d in card["dimensions"]} == set(row.dimensions)
    foundation = next(d for d in card["dimensions"] if d["key"] == "foundation")
    assert Decimal(row.dimensions["foundation"]) == Decimal(str(foundation["score"]))
    failing = {g["gate"] for g in card["gates"] if not g["holds"]}
    assert ("score" in row.held_back_by) == ("score" in failing)
    assert ("scenarios" in row.held_back_by) == bool(failing & {"scenarios", "constrained"})


def test_an_unassessed_sme_has_a_row_without_figures(miit: FrameworkVersion) -> None:
    world = standard_world(miit)
    row = member(world, "丁食品")
    assert (row.assessment_id, row.level, row.total, row.dimensions) == (None, None, None, {})


def test_withdrawal_removes_the_row_and_raises_the_data_version(miit: FrameworkVersion) -> None:
    world = standard_world(miit)
    enrolment = world.enrolments["乙电子科技"]
    before = Programme.objects.get(pk=world.programme.pk).data_version
    enrolment.withdrawn_at = timezone.now()
    enrolment.save(update_fields=["withdrawn_at"])
    cohort_member_refresh(enrolment_id=enrolment.pk)
    assert not CohortMember.objects.filter(enrolment=enrolment).exists()
    assert Programme.objects.get(pk=world.programme.pk).data_version == before + 1


def test_a_refresh_that_changes_nothing_keeps_the_data_version(miit: FrameworkVersion) -> None:
    world = standard_world(miit)
    before = Programme.objects.get(pk=world.programme.pk).data_version
    cohort_member_refresh(enrolment_id=world.enrolments["丙机械"].pk)
    assert Programme.objects.get(pk=world.programme.pk).data_version == before


def test_signals_refresh_the_row_after_commit_on_enrolment_submission_and_profile_change(
    miit: FrameworkVersion, django_capture_on_commit_callbacks: Any
) -> None:
    world = operator_with_programme(miit)
    with django_capture_on_commit_callbacks(execute=True):
        sme = enrol(world, "戊纺织", 5)
    assert member(world, "戊纺织").level is None
    owner = sme.memberships.get().user
    with django_capture_on_commit_callbacks(execute=True):
        assessment = assessment_create(organization=sme, framework_version=miit, created_by=owner)
        answers_upsert(assessment=assessment, items=answer_file("miit-58.125.json"), answered_by=owner)
        submit_filling_gaps(assessment, owner)
    assert (member(world, "戊纺织").assessment_id, member(world, "戊纺织").total) == (assessment.pk, Decimal("58.125"))
    with django_capture_on_commit_callbacks(execute=True):
        organization_update(organization=sme, province="11", size_band="medium")
    row = member(world, "戊纺织")
    assert (row.province, row.size_band) == ("11", "medium")


def test_the_sweep_repairs_rows_that_missed_their_signal(miit: FrameworkVersion, settings: Any) -> None:
    world = standard_world(miit)
    settings.SWEEP_INTERVAL_SECONDS = 1
    long_ago = timezone.now() - timedelta(hours=1)
    Enrolment.objects.filter(programme=world.programme).update(consented_at=long_ago)
    CohortMember.objects.filter(enrolment=world.enrolments["丁食品"]).delete()  # never made
    Organization.objects.filter(pk=world.smes["丙机械"].pk).update(province="11")  # an edit without a signal
    CohortMember.objects.filter(enrolment=world.enrolments["甲精密制造"]).update(  # a submission it missed
        refreshed_at=long_ago, assessment=world.assessments["甲精密制造"][0], level=0
    )
    withdrawn = world.enrolments["乙电子科技"]
    Enrolment.objects.filter(pk=withdrawn.pk).update(withdrawn_at=timezone.now())
    assert cohort_sweep() == 4
    assert member(world, "丁食品").assessment_id is None
    assert member(world, "丙机械").province == "11"
    assert member(world, "甲精密制造").assessment_id == world.assessments["甲精密制造"][1].pk
    assert not CohortMember.objects.filter(enrolment=withdrawn).exists()
    assert cohort_sweep() == 0


def test_signals_refresh_the_row_after_a_sign_off_and_after_rescoring(
    miit: FrameworkVersion, django_capture_on_commit_callbacks: Any
) -> None:
    world = operator_with_programme(miit)
    enrol(world, "己软件", 6)
    assessment = assess(world, "己软件", miit, "miit-58.125.json", timezone.localdate())
    assert member(world, "己软件").verified_level is None
    with django_capture_on_commit_callbacks(execute=True):
        verify(assessment, refresh=False)
    assert member(world, "己软件").verified_level == Verification.objects.get(assessment=assessment).level
    CohortMember.objects.filter(enrolment=world.enrolments["己软件"]).update(total=Decimal(1), dimensions={})
    with django_capture_on_commit_callbacks(execute=True):
        results_rescore(assessment_ids=[assessment.pk])
    row = member(world, "己软件")
    assert row.total == Decimal("58.125")
    assert row.dimensions


def test_a_new_programme_date_moves_t0_and_t1_for_every_row(miit: FrameworkVersion) -> None:
    world = standard_world(miit)
    second = world.assessments["甲精密制造"][1]
    Programme.objects.filter(pk=world.programme.pk).update(baseline_date=second.submitted_at.date() + timedelta(days=1))
    assert cohort_programme_refresh(programme_id=world.programme.pk) == 4
    row = member(world, "甲精密制造")
    assert (row.t0_assessment_id, row.assessment_id) == (second.pk, second.pk)  # both before the date now
