"""Issue 15's "done when", in Chromium with a real Celery worker: a bureau creates a programme with a target and
bulk-invites three SMEs from a CSV file; two owners consent through the e-mailed link and submit, one of them is
verified by the programme's consultancy, the third declines; the cohort page and the XLSX export (a worker's job)
show exactly those two with their levels; one withdraws and is absent from the next export; a provider's offering
appears on that SME's results for a gap on its path, the SME asks for contact and the provider finds the request.

Seeded through services, as a person cannot do it on these pages: the accounts and organisations, and the answers
(the questionnaire's own browser journey is tests/e2e/test_journey.py). Every other step goes through the pages.
The expected levels are scored here from the answers by the scoring engine, not read from the stored results.
Photographed as docs/screenshots/journey-programme-*.png with SAVE_SCREENSHOTS=1.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.mail import EmailMessage
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from assessment.models import Assessment, FrameworkVersion, Membership, Organization, User
from assessment.services.assessments import answers_upsert, assessment_create
from assessment.services.organizations import organization_create
from offerings.models import Referral
from programmes.models import Enrolment, Programme, ProgrammeInvitation
from scoring.engine import missing_for_submission, score
from scoring.selectors import assessment_answers, framework_structure
from tests.conftest import WorkerFactory
from tests.e2e.conftest import PASSWORD, ContextFactory, Photographer, log_in
from tests.e2e.wizard import MIIT_PLAN, items
from tests.helpers import lowest_item, valid_uscc
from web.assessments.pages import questionnaire

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]

BUREAU, CONSULTANCY, PROVIDER = "苏州市工业和信息化局", "苏州数字化评估中心", "数转服务商 <工作室>"
SMES = [  # name, owner's e-mail: the first two consent, the third declines
    ("苏州精工 & 机械有限公司", "owner-a@sme.example"),
    ('吴江"纺织"有限公司', "owner-b@sme.example"),
    ("昆山电子有限公司", "owner-c@sme.example"),
]
OFFERING = "场景数字化入门培训 <第一期>"


def _account(email: str, name: str, kind: str, number: int = 0) -> Organization:
    user = User.objects.create_user(email, PASSWORD)
    uscc = valid_uscc(number) if number else ""
    return organization_create(
        owner=user, name=name, kind=kind, uscc=uscc, sector="C", size_band="small", province="32"
    )


def _answered(organization: Organization, version: FrameworkVersion, plan: list[dict[str, Any]]) -> Assessment:
    """A draft with `plan`'s answers and every other required one at its lowest: ready to submit."""
    owner = organization.memberships.get(role=Membership.Role.OWNER).user
    assessment = assessment_create(organization=organization, framework_version=version, created_by=owner)
    answers_upsert(assessment=assessment, items=plan, answered_by=owner)
    framework = framework_structure(version)
    missing = missing_for_submission(framework, assessment_answers(assessment))
    gaps = [lowest_item(framework.questions[m.question]) for m in missing if m.evidence is None]
    if gaps:
        answers_upsert(assessment=assessment, items=gaps, answered_by=owner)
    return assessment


def _scored(assessment: Assessment) -> Any:
    """The score card of the assessment's answers, computed here by the engine."""
    return score(framework_structure(assessment.framework_version), assessment_answers(assessment))


def _submit(page: Page, assessment: Assessment) -> None:
    page.goto(f"/assessments/{assessment.pk}/review/")
    expect(page.locator("#missing-list")).to_have_count(0)
    page.locator("#id_pledge").check()
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(f"**/assessments/{assessment.pk}/results/")


def _invitation_path(outbox: list[EmailMessage], email: str) -> str:
    """The link in the invitation e-mail sent to `email`, as a path on the live server."""
    (message,) = [m for m in outbox if m.to == [email]]
    found = re.search(r"/programme-invitations/[^/\s]+/", str(message.body))
    assert found, message.body
    return found.group(0)


def _table(page: Page, selector: str) -> list[list[str]]:
    rows = page.locator(f"{selector} tbody tr")
    return [[cell.strip() for cell in row.locator("td, th").all_inner_texts()] for row in rows.all()]


def _export_rows(path: Path) -> dict[str, list[Any]]:
    """The SME sheet of an XLSX export, by company name (the second column)."""
    book = openpyxl.load_workbook(path, read_only=True)
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    book.close()
    return {str(row[1]): list(row) for row in rows[1:]}


def test_a_bureau_runs_a_programme_from_invitation_to_referral(
    new_context: ContextFactory,
    screenshot: Photographer,
    screenshot_dir: Path,
    celery_worker_process: WorkerFactory,
    mailoutbox: list[EmailMessage],
    settings: Any,
    tmp_path: Path,
    miit: FrameworkVersion,
) -> None:
    settings.COHORT_EXPORT_STREAM_MAX_ROWS = 1  # two SMEs: a worker's job; one SME: made in the request
    celery_worker_process(queues="reports,celery", MEDIA_ROOT=str(settings.MEDIA_ROOT))
    bureau = _account("director@bureau.example", BUREAU, Organization.Kind.BUREAU)
    firm = _account("lead@consult.example", CONSULTANCY, Organization.Kind.CONSULTANCY)
    consultant = User.objects.create_user("consultant@consult.example", PASSWORD)
    Membership.objects.create(user=consultant, organization=firm, role=Membership.Role.CONSULTANT)
    smes = [_account(email, name, Organization.Kind.SME, number) for number, (name, email) in enumerate(SMES, 1)]
    _account("admin@provider.example", PROVIDER, Organization.Kind.PROVIDER)
    today = timezone.localdate()

    # 1. The bureau creates the programme with its target and the consultancy that verifies.
    operator = new_context(locale="zh-CN").new_page()
    log_in(operator, "director@bureau.example")
    operator.goto("/programmes/new/")
    operator.locator("#id_name").fill("2025 年中小企业数字化转型试点 <苏州>")
    operator.locator("#id_description").fill("面向规上制造业企业的诊断与改造。")
    operator.locator(f'input[name=framework_versions][value="{miit.pk}"]').check()
    operator.locator("#id_starts_on").fill((today - timedelta(days=30)).isoformat())
    operator.locator("#id_ends_on").fill((today + timedelta(days=365)).isoformat())
    operator.locator("#id_baseline_date").fill((today - timedelta(days=7)).isoformat())
    operator.locator("#id_target_share").fill("60")
    operator.locator("#id_target_level").fill("2")
    operator.locator("#id_target_date").fill((today + timedelta(days=365)).isoformat())
    operator.locator("#id_consultancy").select_option(str(firm.pk))
    screenshot(operator, "journey-programme-1-form")
    operator.locator("form.programme-form button[type=submit]").click()
    operator.wait_for_url(re.compile(r"/programmes/\d+/$"))
    programme = Programme.objects.get(operator=bureau)
    assert (programme.target_level, programme.target_share, programme.consultancy) == (2, 60, firm)

    # 2. It invites the three companies from a CSV file as Excel saves it (GBK); each contact gets a link.
    rows = [f"{name},{org.uscc},{email}" for (name, email), org in zip(SMES, smes, strict=True)]
    csv = tmp_path / "企业名单.csv"
    csv.write_bytes("\n".join(["企业名称,统一社会信用代码,联系邮箱", *rows]).encode("gbk"))
    operator.goto(f"/programmes/{programme.pk}/invitations/")
    operator.locator("#invite-file input[type=file]").set_input_files(str(csv))
    operator.locator("#invite-file button[type=submit]").click()
    expect(operator.locator("#invitations tbody tr")).to_have_count(3)
    expect(operator.locator("#invitations .badge.status-pending")).to_have_count(3)
    screenshot(operator, "journey-programme-2-invitations")
    links = [_invitation_path(mailoutbox, email) for _name, email in SMES]

    # 3. Two owners consent (results and answers, results only) through the link; the third declines.
    owners: list[Page] = []
    for (_name, email), org, link, consent in zip(SMES[:2], smes, links, ["answers", "results"], strict=False):
        owner = new_context(locale="zh-CN").new_page()
        log_in(owner, email)
        owner.goto(link)
        expect(owner.locator("#what-they-see")).to_be_visible()
        expect(owner.locator("#id_organization")).to_have_value(str(org.pk))
        owner.locator(f"#consent-form input[value={consent}]").check()
        if not owners:
            screenshot(owner, "journey-programme-3-consent")
        owner.locator("#consent-form button[type=submit]").click()
        owner.wait_for_url(f"**/organizations/{org.pk}/programmes/")
        expect(owner.locator(".enrolment")).to_contain_text(programme.name)
        owners.append(owner)
    declining = new_context(locale="zh-CN").new_page()
    log_in(declining, SMES[2][1])
    declining.goto(links[2])
    declining.locator("#decline-form button[type=submit]").click()
    with translation.override("zh-hans"):
        declined = gettext("You have declined. The programme sees nothing of your company.")
    expect(declining.locator("main")).to_contain_text(declined)
    screenshot(declining, "journey-programme-3-declined")
    decisions = dict(ProgrammeInvitation.objects.values_list("company_name", "decision"))
    assert decisions == {SMES[0][0]: "accepted", SMES[1][0]: "accepted", SMES[2][0]: "declined"}

    # 4. Both assess (answers seeded) and submit on the review page: A at level 2, B below level 1.
    assessments = [_answered(smes[0], miit, items(MIIT_PLAN))]
    framework = framework_structure(miit)
    assessments.append(_answered(smes[1], miit, [lowest_item(q) for q in framework.questions.values()]))
    for owner, assessment in zip(owners, assessments, strict=True):
        _submit(owner, assessment)
    cards = [_scored(a) for a in assessments]

    # 5. A asks the programme's consultancy; its lead assigns the consultant, who verifies and signs off.
    sme_a = owners[0]
    sme_a.goto(f"/orgs/{smes[0].pk}/verification/")
    sme_a.locator(f'label[for="consultancy-{firm.pk}"]').click()
    sme_a.locator("#id_message").fill("请为试点项目核查我们的自评结果。")
    sme_a.locator("#request-form button[type=submit]").click()
    expect(sme_a.locator("#requests")).to_contain_text(CONSULTANCY)
    lead = new_context(locale="zh-CN").new_page()
    log_in(lead, "lead@consult.example")
    lead.goto(f"/consultancies/{firm.pk}/requests/")
    request_row = lead.locator("li.request")
    request_row.locator("select[name=consultant]").select_option(label=consultant.email)
    request_row.locator("form.inline-form button[type=submit]").first.click()
    expect(lead.locator(".messages .success")).to_be_visible()
    desk = new_context(locale="zh-CN").new_page()
    desk.on("dialog", lambda dialog: dialog.accept())
    log_in(desk, consultant.email)
    desk.goto("/review/profile/")
    desk.locator("#id_family_name").fill("王")
    desk.locator("#id_given_name").fill("立")
    desk.locator("#id_qualification").fill("苏州市数字化评估师")
    desk.locator("#id_certificate_number").fill("SZ-2024-017")
    desk.locator('form[action$="/review/profile/"] button[type=submit]').click()
    expect(desk.locator(".messages .success")).to_be_visible()
    desk.goto(f"/review/assessments/{assessments[0].pk}/")
    desk.locator("form.start-review button[type=submit]").click()
    desk.locator("form.verify-remaining button[type=submit]").click()
    expect(desk.locator("form.verify-remaining")).to_have_count(0)
    desk.locator('form[action$="/finalize/"] textarea[name=statement]').fill("现场核查属实。")
    desk.locator('form[action$="/finalize/"] button[type=submit]').click()
    expect(desk.locator("#signed-title")).to_be_visible()

    # 6. The analytics page counts exactly those two, at the levels scored here (A verified as it answered).
    with translation.override("zh-hans"):
        names = questionnaire(miit)
        level_a, level_b = (names.level_name(card.level) for card in cards)
    assert cards[0].level == 2
    assert cards[1].level == 0
    self_levels = Counter([level_a, level_b])
    verified_levels = Counter([level_a])
    operator.goto(f"/programmes/{programme.pk}/analytics/")
    for figure, count in (("enrolled", 2), ("assessed", 2), ("verified", 1), ("withdrawn", 0)):
        expect(operator.locator(f"#cohort-{figure} strong")).to_have_text(str(count))
    shown = {row[0]: (int(row[1]), int(row[2])) for row in _table(operator, "#cohort-levels")}
    assert {n: c for n, c in shown.items() if c != (0, 0)} == {
        name: (self_levels[name], verified_levels[name]) for name in self_levels | verified_levels
    }
    screenshot(operator, "journey-programme-6-analytics")
    operator.goto(f"/programmes/{programme.pk}/smes/")
    assert sorted(row[0] for row in _table(operator, "#smes")) == sorted([SMES[0][0], SMES[1][0]])
    operator.goto(f"/programmes/{programme.pk}/smes/{smes[0].pk}/")
    expect(operator.locator("#sme-level")).to_have_text(level_a)
    expect(operator.locator("#sme-verified-level .badge")).to_have_text(level_a)
    screenshot(operator, "journey-programme-6-sme")
    operator.goto(f"/programmes/{programme.pk}/smes/{smes[1].pk}/")
    expect(operator.locator("#sme-level")).to_have_text(level_b)
    expect(operator.locator("#sme-verified-level")).to_have_count(0)

    # 7. The XLSX export, prepared by the worker while the page polls, holds those two rows and their levels.
    operator.goto(f"/programmes/{programme.pk}/exports/")
    operator.locator("#id_format").select_option("xlsx")
    operator.locator("main form button[type=submit]").click()
    operator.wait_for_url(re.compile(r"/exports/\d+/$"))
    ready = operator.locator("#export-progress a.button")
    expect(ready).to_be_visible(timeout=60_000)
    screenshot(operator, "journey-programme-7-export")
    with operator.expect_download() as first:
        ready.click()
    first_file = tmp_path / "first.xlsx"
    first.value.save_as(first_file)
    exported = _export_rows(first_file)
    assert sorted(exported) == sorted([SMES[0][0], SMES[1][0]])
    a, b = exported[SMES[0][0]], exported[SMES[1][0]]
    assert (a[2], a[11], a[13]) == (smes[0].uscc, cards[0].level, cards[0].level)
    assert (b[2], b[11], b[13]) == (smes[1].uscc, cards[1].level, None)
    assert float(a[12]) == pytest.approx(float(cards[0].total))
    assert float(b[12]) == pytest.approx(float(cards[1].total))

    # 8. B withdraws its consent on its programmes page and is absent from the next export (made at once).
    sme_b = owners[1]
    enrolment_b = Enrolment.objects.get(programme=programme, organization=smes[1])
    sme_b.goto(f"/organizations/{smes[1].pk}/programmes/")
    expect(sme_b.locator(f"#enrolment-{enrolment_b.pk} .access-log")).to_contain_text("director@bureau.example")
    section = sme_b.locator(f"#enrolment-{enrolment_b.pk}")
    section.locator("details.withdraw summary").click()
    section.locator("#id_confirm").check()
    section.locator("button.danger").click()
    expect(sme_b.locator(f"#enrolment-{enrolment_b.pk} .consent.withdrawn")).to_be_visible()
    screenshot(sme_b, "journey-programme-8-withdrawn")
    operator.goto(f"/programmes/{programme.pk}/exports/")
    operator.locator("#id_format").select_option("xlsx")
    with operator.expect_download() as second:
        operator.locator("main form button[type=submit]").click()
    second_file = tmp_path / "second.xlsx"
    second.value.save_as(second_file)
    assert sorted(_export_rows(second_file)) == [SMES[0][0]]
    operator.goto(f"/programmes/{programme.pk}/analytics/")
    expect(operator.locator("#cohort-enrolled strong")).to_have_text("1")
    expect(operator.locator("#cohort-withdrawn strong")).to_have_text("1")

    # 9. A provider publishes training for B's first scenario gaps; B finds it on its results and asks.
    provider = new_context(locale="zh-CN").new_page()
    log_in(provider, "admin@provider.example")
    provider.goto("/offerings/new/")
    provider.locator("#id_kind").select_option("training")
    provider.locator("#id_title").fill(OFFERING)
    provider.locator("#id_description").fill("面向业务场景一级的工具化培训。")
    provider.locator("#id_framework").select_option(str(miit.framework_id))
    provider.locator("#id_question_keys").fill("S01, S02")
    provider.locator("#id_level_min").fill("1")
    provider.locator("#id_level_max").fill("1")
    provider.locator("#id_provinces").select_option("32")
    provider.locator("#id_subsidy").fill("数字化券抵扣 50%")
    provider.locator("#id_contact_name").fill("王老师")
    provider.locator("#id_contact_email").fill("wang@provider.example")
    provider.locator("main form button[type=submit]").click()
    expect(provider.locator(".messages")).to_be_visible()
    sme_b.goto(f"/assessments/{assessments[1].pk}/results/")
    support = sme_b.locator("#support")
    expect(support).to_contain_text(OFFERING)
    expect(support).to_contain_text("S01")
    assert cards[1].scenario_levels["S01"] == 0  # the gap: B's first scenario at level 0, the offering lifts to 1
    support.screenshot(path=str(screenshot_dir / "journey-programme-9-support.png"))  # the page is long
    support.locator("a[href*='/referrals/new/']").first.click()
    sme_b.locator("#id_message").fill("我们想参加下一期。")
    sme_b.locator("input[name=share][value=results]").check()
    sme_b.locator("main form button[type=submit]").click()
    expect(sme_b.locator("#request-table")).to_contain_text(OFFERING)
    provider.goto("/offerings/referrals/")
    expect(provider.locator("#referral-table")).to_contain_text(SMES[1][0])
    provider.locator("#referral-table a").first.click()
    expect(provider.locator("#referral-message")).to_contain_text("我们想参加下一期。")
    expect(provider.locator("#shared-level")).to_contain_text(level_b)
    screenshot(provider, "journey-programme-9-referral")
    referral = Referral.objects.get()
    assert (referral.organization, referral.offering.title, referral.question_key) == (smes[1], OFFERING, "S01")
