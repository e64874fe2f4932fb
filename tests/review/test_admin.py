"""The review's rows in the admin: the tenancy of assessment/admin.py, history and sign-offs read-only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from assessment.models import Assessment, AuditEvent, ConsultantAssignment, Organization, User
from assessment.services.assessments import assessment_create
from assessment.services.organizations import organization_create
from review.models import Notification, ReviewComment, ReviewItem
from review.services import (
    conflict_declare,
    consultant_profile_save,
    review_comment_add,
    review_finalize,
    review_item_set,
    review_start,
)
from scoring.selectors import assessment_answers

pytestmark = pytest.mark.django_db

MODELS = ("reviewcomment", "reviewitem", "verification", "notification", "auditevent", "consultantprofile")


def staff_client(client: Client, user: User) -> Client:
    """`user` as staff with every permission on the review's rows and the history."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    codenames = [f"{action}_{model}" for model in MODELS for action in ("view", "add", "change", "delete")]
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def theirs(miit: object) -> Assessment:
    """Another organisation's assessment, with a comment of its own."""
    b_owner = User.objects.create_user("b-owner@example.com", "pw-b-owner-123")
    other = organization_create(owner=b_owner, name="别家企业有限公司", sector="C", size_band="small", province="11")
    assessment = assessment_create(organization=other, framework_version=miit, created_by=b_owner)  # type: ignore[arg-type]
    review_comment_add(assessment=assessment, author=b_owner, body="Their own comment")
    return assessment


def test_a_consultant_comments_only_on_assigned_organisations_through_the_service(
    client: Client, consultant: User, assignment: ConsultantAssignment, submitted: Assessment, theirs: Assessment
) -> None:
    browser = staff_client(client, consultant)
    refused = browser.post("/admin/review/reviewcomment/add/", {"assessment": theirs.pk, "body": "Looks fine."})
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
    assert not ReviewComment.objects.filter(assessment=theirs, author=consultant).exists()

    added = browser.post(
        "/admin/review/reviewcomment/add/",
        {"assessment": submitted.pk, "body": "Checked on site.", "visibility": "internal"},
    )
    assert added.status_code == 302
    comment = ReviewComment.objects.get(assessment=submitted)
    assert (comment.author, comment.visibility) == (consultant, "internal")
    assert AuditEvent.objects.filter(kind="comment_added", assessment=submitted, internal=True).exists()
    listed = browser.get("/admin/review/reviewcomment/").content.decode()
    assert "Checked on site." in listed
    assert "Their own comment" not in listed
    assert browser.post(f"/admin/review/reviewcomment/{comment.pk}/delete/", {"post": "yes"}).status_code == 403


def test_enterprise_staff_never_see_internal_comments_or_internal_history(
    client: Client, owner: User, consultant: User, assignment: ConsultantAssignment, submitted: Assessment
) -> None:
    review_comment_add(assessment=submitted, author=consultant, body="Shared remark")
    review_comment_add(assessment=submitted, author=consultant, body="Internal remark", visibility="internal")
    browser = staff_client(client, owner)
    comments = browser.get("/admin/review/reviewcomment/").content.decode()
    assert "Shared remark" in comments
    assert "Internal remark" not in comments
    internal = AuditEvent.objects.get(kind="comment_added", internal=True)
    assert browser.get(f"/admin/assessment/auditevent/{internal.pk}/change/").status_code == 302  # "does not exist"
    shared = AuditEvent.objects.get(kind="comment_added", internal=False)
    assert browser.get(f"/admin/assessment/auditevent/{shared.pk}/change/").status_code == 200


def test_nobody_adds_changes_or_deletes_history_in_the_admin(
    admin_client: Client, submitted: Assessment, theirs: Assessment
) -> None:
    event = AuditEvent.objects.filter(assessment=submitted).first()
    assert event is not None
    assert admin_client.get("/admin/assessment/auditevent/").status_code == 200
    page = admin_client.get(f"/admin/assessment/auditevent/{event.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.get("/admin/assessment/auditevent/add/").status_code == 403
    assert admin_client.post(f"/admin/assessment/auditevent/{event.pk}/change/", {"reason": "x"}).status_code == 403
    assert admin_client.post(f"/admin/assessment/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk, reason="").exists()


def test_the_outbox_is_for_superusers_only(
    client: Client, admin_client: Client, consultant: User, assignment: ConsultantAssignment
) -> None:
    notification = Notification.objects.filter(recipient=consultant).first()
    assert notification is not None  # "You are assigned to verify …"
    browser = staff_client(client, consultant)
    assert browser.get("/admin/review/notification/").status_code == 403
    assert browser.get(f"/admin/review/notification/{notification.pk}/change/").status_code == 403
    listed = admin_client.get("/admin/review/notification/")
    assert listed.status_code == 200
    assert notification.subject in listed.content.decode()
    assert admin_client.get(f"/admin/review/notification/{notification.pk}/delete/").status_code == 403


def test_profiles_and_sign_offs_are_listed_by_tenancy(
    client: Client, owner: User, consultant: User, assignment: ConsultantAssignment, organization: Organization
) -> None:
    stranger = User.objects.create_user("stranger@example.com", "pw-stranger-123")
    consultant_profile_save(user=stranger, family_name="赵", given_name="六", qualification="评估师")
    browser = staff_client(client, owner)
    profiles = browser.get("/admin/review/consultantprofile/").content.decode()
    assert "王立" in profiles  # the enterprise's assigned consultant
    assert "赵六" not in profiles


def test_every_review_page_of_the_admin_opens_for_a_superuser_and_sign_offs_stay_read_only(
    admin_client: Client, consultant: User, assignment: ConsultantAssignment, submitted: Assessment
) -> None:
    review_start(assessment=submitted, consultant=consultant)
    for key in assessment_answers(submitted):
        review_item_set(assessment=submitted, reviewer=consultant, question_key=key, verdict="verified")
    verification = review_finalize(assessment=submitted, consultant=consultant, statement="属实")
    conflict_declare(consultant=consultant, uscc="91320505MA1Q2R3T4X", reason="曾为其提供咨询服务")
    for model in (
        "consultantprofile",
        "conflictdeclaration",
        "verificationrequest",
        "reviewitem",
        "reviewcomment",
        "verification",
        "notification",
    ):
        listed = admin_client.get(f"/admin/review/{model}/")
        assert listed.status_code == 200, model
    page = admin_client.get(f"/admin/review/verification/{verification.pk}/change/")
    assert page.status_code == 200
    assert "王立" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.post(f"/admin/review/verification/{verification.pk}/change/", {}).status_code == 403
    item = ReviewItem.objects.filter(assessment=submitted).first()
    assert item is not None
    assert admin_client.post(f"/admin/review/reviewitem/{item.pk}/delete/", {"post": "yes"}).status_code == 403
