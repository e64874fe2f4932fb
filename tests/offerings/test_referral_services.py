"""Asking for contact: an SME's owners and respondents ask, the offering's contact hears of it once by e-mail,
both sides mark the request in progress or closed with a note, a closed one stays closed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from assessment.models import Membership, Organization, User
from assessment.services import NotAllowedError, ServiceError, TransitionError
from offerings import services
from offerings.models import Offering, Referral
from offerings.services import referral_create, referral_status_set, referrals_notify_sweep

CONTACT = {"contact_name": "李四", "contact_email": "li@sme.example", "contact_phone": "0512-1234"}


@pytest.fixture
def offering(make_offering: Any) -> Offering:
    return make_offering(question_keys=["S07", "F1"])


def ask(offering: Offering, organization: Organization, user: User, **fields: Any) -> Referral:
    return referral_create(offering=offering, organization=organization, requested_by=user, **{**CONTACT, **fields})


def test_an_owner_asks_and_the_contact_hears_of_it_once(
    offering: Offering, organization: Organization, owner: User
) -> None:
    referral = ask(offering, organization, owner, message="想了解设备联网", question_key="S07", share_results=True)
    assert (referral.status, referral.share_results, referral.question_key) == ("requested", True, "S07")
    assert referrals_notify_sweep() == 1  # what the worker sends after commit
    assert referrals_notify_sweep() == 0
    [sent] = mail.outbox
    assert sent.to == ["wang@provider.example"]
    assert "设备联网诊断" in sent.subject  # in the site's language, whichever the catalogue gives
    for shown in ("测试精密制造有限公司", "li@sme.example", "想了解设备联网"):
        assert shown in sent.body
    assert f"/offerings/referrals/{referral.pk}/" in sent.body
    referral.refresh_from_db()
    assert referral.notified_at is not None
    assert referral.notify_attempts == 1


def test_a_mail_server_outage_is_recorded_and_the_sweep_sends_later(
    offering: Offering, organization: Organization, owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    referral = ask(offering, organization, owner)

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(services, "send_mail", refuse)
    assert referrals_notify_sweep() == 0
    referral.refresh_from_db()
    assert (referral.notified_at, referral.notify_attempts, referral.notify_error) == (
        None,
        1,
        "ConnectionRefusedError: smtp down",
    )
    monkeypatch.undo()
    assert referrals_notify_sweep() == 1
    assert len(mail.outbox) == 1


def test_a_viewer_cannot_ask(offering: Offering, organization: Organization, sme_viewer: User) -> None:
    with pytest.raises(NotAllowedError):
        ask(offering, organization, sme_viewer)


def test_a_provider_cannot_ask_for_itself(offering: Offering, provider: Organization, provider_admin: User) -> None:
    with pytest.raises(NotAllowedError):
        ask(offering, provider, provider_admin)


def test_one_open_request_per_offering_and_a_new_one_after_closing(
    offering: Offering, organization: Organization, owner: User
) -> None:
    first = ask(offering, organization, owner)
    with pytest.raises(ServiceError, match="already"):
        ask(offering, organization, owner)
    referral_status_set(referral=first, updated_by=owner, status="closed", outcome="不需要了")
    assert ask(offering, organization, owner).pk != first.pk


def test_an_unpublished_offering_or_a_foreign_question_is_refused(
    offering: Offering, organization: Organization, owner: User, provider_admin: User
) -> None:
    with pytest.raises(ServiceError, match="does not address"):
        ask(offering, organization, owner, question_key="S08")
    services.offering_unpublish(offering=offering, updated_by=provider_admin)
    with pytest.raises(ServiceError, match="no longer published"):
        ask(offering, organization, owner)


def test_a_bad_address_and_an_overlong_message_are_refused_together(
    offering: Offering, organization: Organization, owner: User
) -> None:
    with pytest.raises(ValidationError) as caught:
        ask(offering, organization, owner, contact_email="nope", message="字" * 2001)
    assert set(caught.value.message_dict) == {"contact_email", "message"}
    assert not Referral.objects.exists()


def test_both_sides_follow_up_and_a_closed_request_stays_closed(
    offering: Offering, organization: Organization, owner: User, provider_admin: User
) -> None:
    referral = ask(offering, organization, owner)
    with pytest.raises(ServiceError, match="in progress or closed"):
        referral_status_set(referral=referral, updated_by=owner, status="requested")
    referral_status_set(referral=referral, updated_by=provider_admin, outcome="已收到")  # a note alone
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == ("requested", "已收到")
    referral_status_set(referral=referral, updated_by=provider_admin, status="progressed", outcome="已电话联系")
    referral.refresh_from_db()
    assert (referral.status, referral.outcome, referral.updated_by) == ("progressed", "已电话联系", provider_admin)
    referral_status_set(referral=referral, updated_by=owner, status="closed", outcome="已签约")
    for status in ("progressed", None):
        with pytest.raises(TransitionError):
            referral_status_set(referral=referral, updated_by=provider_admin, status=status, outcome="再联系")
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == ("closed", "已签约")


def test_viewers_and_strangers_cannot_change_a_request(
    offering: Offering, organization: Organization, owner: User, sme_viewer: User, provider: Organization
) -> None:
    referral = ask(offering, organization, owner)
    provider_viewer = User.objects.create_user("ro@provider.example", "pw-ro-123456")
    Membership.objects.create(user=provider_viewer, organization=provider, role="viewer")
    stranger = User.objects.create_user("x@elsewhere.example", "pw-x-1234567")
    for user in (sme_viewer, provider_viewer, stranger):
        with pytest.raises(NotAllowedError):
            referral_status_set(referral=referral, updated_by=user, status="closed")
