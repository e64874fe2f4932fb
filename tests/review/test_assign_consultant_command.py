"""manage.py assign_consultant: an operator assigns a consultant; unknown names and conflicts are clear errors."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from assessment.models import AuditEvent, ConsultantAssignment, Organization, User
from review.services import conflict_declare


def test_assigns_and_says_what_it_did(
    organization: Organization, consultant: User, consultancy: Organization, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command(
        "assign_consultant",
        "--consultant",
        "Consultant@Consult.example",
        "--organization",
        str(organization.pk),
        "--consultancy",
        str(consultancy.pk),
    )
    assignment = ConsultantAssignment.objects.get(consultant=consultant, organization=organization)
    assert (assignment.consultancy, assignment.assigned_by) == (consultancy, None)
    assert capsys.readouterr().out == (
        f"Assigned consultant@consult.example to verify 测试精密制造有限公司 (#{organization.pk})"
        f" for 苏州数字化评估中心 (#{consultancy.pk}).\n"
    )
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.CONSULTANT_ASSIGNED)
    assert (event.actor, event.organization_id) == (None, organization.pk)


def test_assigns_without_a_consultancy(organization: Organization, consultant: User) -> None:
    call_command("assign_consultant", "--consultant", consultant.email, "--organization", str(organization.pk))
    assert ConsultantAssignment.objects.get(consultant=consultant).consultancy is None


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--consultant", "nobody@example.com", "--organization", "{org}"], "No user with the e-mail address"),
        (["--consultant", "consultant@consult.example", "--organization", "999999"], "No organisation with id 999999"),
        (
            ["--consultant", "consultant@consult.example", "--organization", "{org}", "--consultancy", "999999"],
            "No consultancy with id 999999",
        ),
        (
            ["--consultant", "consultant@consult.example", "--organization", "{org}", "--consultancy", "{org}"],
            "is not a consultancy",
        ),
        (["--consultant", "owner@example.com", "--organization", "{org}"], "is a member of"),
        (["--consultant", "consultant@consult.example", "--organization", "{firm}"], "not consultancies"),
    ],
)
def test_refuses_with_a_clear_error(
    organization: Organization, consultant: User, consultancy: Organization, arguments: list[str], message: str
) -> None:
    filled = [a.replace("{org}", str(organization.pk)).replace("{firm}", str(consultancy.pk)) for a in arguments]
    with pytest.raises(CommandError, match=message):
        call_command("assign_consultant", *filled)
    assert not ConsultantAssignment.objects.exists()


def test_refuses_a_declared_conflict_and_a_second_assignment(organization: Organization, consultant: User) -> None:
    arguments = ["--consultant", consultant.email, "--organization", str(organization.pk)]
    conflict_declare(consultant=consultant, organization=organization, reason="曾为其提供咨询")
    with pytest.raises(CommandError, match="declared a conflict of interest"):
        call_command("assign_consultant", *arguments)
    other = User.objects.create_user("second@consult.example", "pw-second-12345")
    call_command("assign_consultant", "--consultant", other.email, "--organization", str(organization.pk))
    with pytest.raises(CommandError, match="already assigned"):
        call_command("assign_consultant", "--consultant", other.email, "--organization", str(organization.pk))
