"""Programmes, invitations and consent, through the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from assessment.models import FrameworkVersion, Organization, User
from assessment.services import NotAllowedError, ServiceError
from programmes.invitations_csv import InvitationRow, InvitationRowsError
from programmes.models import AccessRecord, Consent, Enrolment, Programme, ProgrammeInvitation
from programmes.selectors import enrolments_active, programme_counts, programme_invitation_by_token
from programmes.services import (
    access_record,
    enrolment_withdraw,
    programme_create,
    programme_invitation_accept,
    programme_invitation_decline,
    programme_invitation_revoke,
    programme_invitations_create,
    programme_invitations_mail,
    programme_update,
)
from tests.helpers import valid_uscc
from tests.programmes.conftest import invite

ARGS = {
    "name": "试点",
    "starts_on": date(2026, 1, 1),
    "ends_on": date(2026, 12, 31),
    "baseline_date": date(2026, 6, 1),
    "target_level": 2,
    "target_share": Decimal("60"),
    "target_date": date(2026, 12, 31),
}


def test_an_analyst_cannot_create_a_programme(
    bureau: Organization, staff: dict[str, User], miit: FrameworkVersion
) -> None:
    with pytest.raises(NotAllowedError):
        programme_create(operator=bureau, created_by=staff["analyst"], framework_versions=[miit], **ARGS)


def test_an_enterprise_cannot_run_a_programme(sme: Organization, sme_owner: User, miit: FrameworkVersion) -> None:
    with pytest.raises(NotAllowedError):
        programme_create(operator=sme, created_by=sme_owner, framework_versions=[miit], **ARGS)


def test_a_target_level_beyond_the_framework_and_an_end_before_the_start_are_refused(
    bureau: Organization, staff: dict[str, User], miit: FrameworkVersion
) -> None:
    with pytest.raises(ValidationError) as refused:
        programme_create(
            operator=bureau,
            created_by=staff["admin"],
            framework_versions=[miit],
            **{**ARGS, "target_level": 7, "ends_on": date(2025, 1, 1)},
        )
    assert set(refused.value.message_dict) == {"target_level", "ends_on"}  # no constraint named to the reader


def test_an_update_replaces_the_groups_and_raises_the_data_version(
    programme: Programme, staff: dict[str, User]
) -> None:
    from programmes.services import GroupSpec

    version = programme.data_version
    programme_update(
        programme=programme, changed_by=staff["admin"], baseline_date=date(2026, 3, 1), groups=[GroupSpec("新区")]
    )
    programme.refresh_from_db()
    assert [g.name for g in programme.groups.all()] == ["新区"]
    assert programme.data_version == version + 1


def test_invitations_are_all_or_nothing(programme: Programme, bureau_owner: User) -> None:
    rows = [
        InvitationRow(line=2, company_name="甲", email="a@x.cn", uscc=valid_uscc(21)),
        InvitationRow(line=3, company_name="乙", email="b@x.cn", group="没有这个组"),
    ]
    with pytest.raises(InvitationRowsError) as refused:
        programme_invitations_create(programme=programme, rows=rows, invited_by=bureau_owner)
    assert [(e.line, e.field) for e in refused.value.errors] == [(3, "group")]
    assert not ProgrammeInvitation.objects.exists()


def test_a_company_with_an_open_invitation_is_not_invited_twice(programme: Programme, bureau_owner: User) -> None:
    invite(programme, bureau_owner, uscc=valid_uscc(5))
    with pytest.raises(InvitationRowsError) as refused:
        invite(programme, bureau_owner, uscc=valid_uscc(5), email="other@x.cn")
    assert refused.value.errors[0].field == "uscc"


def test_the_token_is_stored_only_as_its_hash_and_finds_the_invitation(
    programme: Programme, bureau_owner: User
) -> None:
    issued = invite(programme, bureau_owner)
    assert issued.token not in issued.invitation.token_hash
    assert programme_invitation_by_token(issued.token) == issued.invitation


def test_the_email_carries_the_link_to_the_invitation(programme: Programme, bureau_owner: User) -> None:
    issued = invite(programme, bureau_owner, contact_name="王经理")
    assert programme_invitations_mail(issued=[issued]) == 0
    [message] = mail.outbox
    assert message.to == ["boss@sme.example"]
    assert f"/programme-invitations/{issued.token}/" in message.body
    assert "苏州市中小企业局" in message.subject


def test_accepting_needs_the_invited_credit_code(
    programme: Programme, bureau_owner: User, sme: Organization, sme_owner: User
) -> None:
    issued = invite(programme, bureau_owner, uscc=valid_uscc(99))
    with pytest.raises(ServiceError) as refused:
        programme_invitation_accept(invitation=issued.invitation, organization=sme, user=sme_owner, consent="results")
    assert refused.value.field == "organization"
    assert not Enrolment.objects.exists()


def test_only_an_owner_of_the_enterprise_accepts(
    programme: Programme, bureau_owner: User, sme: Organization, staff: dict[str, User]
) -> None:
    issued = invite(programme, bureau_owner)
    with pytest.raises(NotAllowedError):
        programme_invitation_accept(
            invitation=issued.invitation, organization=sme, user=staff["admin"], consent="results"
        )


def test_accepting_enrols_with_the_consent_and_group_and_closes_the_invitation(
    programme: Programme, bureau_owner: User, sme: Organization, sme_owner: User
) -> None:
    group = programme.groups.get(name="工业园区")
    issued = invite(programme, bureau_owner, uscc=sme.uscc, group="工业园区")
    enrolment = programme_invitation_accept(
        invitation=issued.invitation, organization=sme, user=sme_owner, consent=Consent.ANSWERS
    )
    issued.invitation.refresh_from_db()
    assert (enrolment.consent, enrolment.group, issued.invitation.status) == ("answers", group, "accepted")
    with pytest.raises(ServiceError):
        programme_invitation_accept(invitation=issued.invitation, organization=sme, user=sme_owner, consent="results")


def test_a_declined_or_revoked_invitation_cannot_be_accepted(
    programme: Programme, bureau_owner: User, sme: Organization, sme_owner: User
) -> None:
    declined = invite(programme, bureau_owner)
    programme_invitation_decline(invitation=declined.invitation, user=None)
    revoked = invite(programme, bureau_owner, company_name="另一家")
    programme_invitation_revoke(invitation=revoked.invitation, revoked_by=bureau_owner)
    for issued in (declined, revoked):
        with pytest.raises(ServiceError):
            programme_invitation_accept(
                invitation=issued.invitation, organization=sme, user=sme_owner, consent="results"
            )


def test_counts_follow_enrolments_declines_and_withdrawals(
    programme: Programme, bureau_owner: User, enrolment: Enrolment, sme_owner: User
) -> None:
    invite(programme, bureau_owner, company_name="乙公司", email="b@x.cn")
    declined = invite(programme, bureau_owner, company_name="丙公司", email="c@x.cn")
    programme_invitation_decline(invitation=declined.invitation, user=None)
    counts = programme_counts(programme)
    assert (counts.enrolled, counts.invited, counts.declined, counts.withdrawn) == (1, 1, 1, 0)
    enrolment_withdraw(enrolment=enrolment, withdrawn_by=sme_owner)
    counts = programme_counts(programme)
    assert (counts.enrolled, counts.withdrawn) == (0, 1)
    assert not enrolments_active(programme).exists()


def test_after_withdrawal_nothing_more_is_logged_as_seen(enrolment: Enrolment, sme_owner: User, staff: Any) -> None:
    access_record(enrolment=enrolment, viewer=staff["analyst"], kind=AccessRecord.Kind.RESULTS)
    enrolment = enrolment_withdraw(enrolment=enrolment, withdrawn_by=sme_owner)
    with pytest.raises(ServiceError):
        access_record(enrolment=enrolment, viewer=staff["analyst"], kind=AccessRecord.Kind.RESULTS)
    assert AccessRecord.objects.filter(enrolment=enrolment).count() == 1
