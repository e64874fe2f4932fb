"""The audit trail: every change to an assessment, its review and its assignments, appended as it happens."""

from __future__ import annotations

from typing import Any

from assessment.models import Assessment, AuditEvent, User


def audit_record(
    *,
    kind: str,
    actor: User | None,
    assessment: Assessment | None = None,
    organization_id: int | None = None,
    question_key: str = "",
    before: Any = None,
    after: Any = None,
    reason: str = "",
    internal: bool = False,
) -> AuditEvent:
    """Append one event (in the caller's transaction, so it exists exactly when the change does)."""
    if organization_id is None:
        if assessment is None:
            raise TypeError("an event belongs to an assessment or at least an organisation")
        organization_id = assessment.organization_id
    return AuditEvent.objects.create(
        organization_id=organization_id,
        assessment=assessment,
        actor=actor,
        kind=kind,
        question_key=question_key,
        before=before,
        after=after,
        reason=reason,
        internal=internal,
    )
