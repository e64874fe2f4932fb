"""Two people answer the same assessment at once, in two browsers: neither overwrites the other."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from assessment.models import Answer, FrameworkVersion, Membership, Organization, User
from assessment.services.assessments import assessment_create
from tests.e2e.conftest import ContextFactory, log_in
from tests.e2e.wizard import question, settle

pytestmark = pytest.mark.django_db(transaction=True)

RESPONDENT = "respondent@example.com"


def _status(page: Page, key: str) -> str:
    return question(page, key).locator(".answer-status .saved").inner_text()


def test_two_respondents_answering_different_questions_at_once_keep_both_answers(
    new_context: ContextFactory, miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    respondent = User.objects.create_user(RESPONDENT, "pw-owner-1234")
    Membership.objects.create(user=respondent, organization=organization, role=Membership.Role.RESPONDENT)
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    alice, bob = (new_context(locale="en-GB").new_page() for _ in range(2))
    log_in(alice, owner.email)
    log_in(bob, RESPONDENT)
    step = f"/assessments/{assessment.pk}/steps/1/"
    alice.goto(step)
    bob.goto(step)

    # Interleaved clicks, neither waiting for the other's saves: both pages were loaded before any answer.
    alice_boxes = ["B", "C", "D"]
    bob_boxes = ["F", "G", "H"]
    for mine, theirs in zip(alice_boxes, bob_boxes, strict=True):
        question(alice, "F1").locator(f'input[name=choices][value="{mine}"]').check()
        question(bob, "F4").locator(f'input[name=choices][value="{theirs}"]').check()
    question(alice, "F5").locator('input[name=choice][value="C"]').check()
    question(bob, "F2").locator('input[name=choice][value="B"]').check()
    settle(alice)
    settle(bob)

    rows = {a.question.key: a for a in Answer.objects.filter(assessment=assessment).select_related("question")}
    assert sorted(rows) == ["F1", "F2", "F4", "F5"]
    assert rows["F1"].option_keys == alice_boxes
    assert rows["F5"].option_keys == ["C"]
    assert rows["F4"].option_keys == bob_boxes
    assert rows["F2"].option_keys == ["B"]
    assert {key: row.answered_by for key, row in rows.items()} == {
        "F1": owner,
        "F5": owner,
        "F4": respondent,
        "F2": respondent,
    }

    # Bob's page still shows F1 unanswered; saving another question from it leaves Alice's F1 alone.
    expect(question(bob, "F1").locator(".answer-status .unsaved")).to_be_visible()
    question(bob, "F7").locator('input[name=choices][value="B"]').check()
    settle(bob)
    assert Answer.objects.get(assessment=assessment, question__key="F1").option_keys == alice_boxes

    # After a reload each sees both people's answers, and who last changed each.
    for page in (alice, bob):
        page.reload()
        for key, boxes in (("F1", alice_boxes), ("F4", bob_boxes)):
            for box in boxes:
                expect(question(page, key).locator(f'input[name=choices][value="{box}"]')).to_be_checked()
        expect(question(page, "F5").locator('input[name=choice][value="C"]')).to_be_checked()
        expect(question(page, "F2").locator('input[name=choice][value="B"]')).to_be_checked()
    mine, theirs = r"Saved \d\d:\d\d by you", r"Last changed \d\d:\d\d by {}"
    for key in ("F1", "F5"):
        assert re.fullmatch(mine, _status(alice, key))
        assert re.fullmatch(theirs.format(re.escape(owner.email)), _status(bob, key))
    for key in ("F2", "F4", "F7"):
        assert re.fullmatch(mine, _status(bob, key))
        assert re.fullmatch(theirs.format(re.escape(RESPONDENT)), _status(alice, key))
