"""Writes of the assessment app, one module per subject; here the errors they share."""

from __future__ import annotations

from scoring.engine import Missing


class ServiceError(Exception):
    """A request the domain refuses; the message is fit to show to the user, `field` names the input it is about."""

    def __init__(self, message: str = "", *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ImmutableError(ServiceError):
    """Published frameworks and submitted assessments do not change."""


class TransitionError(ServiceError):
    """The assessment is not in a state that allows this step (submit, start review, return, finalise)."""


class IncompleteError(ServiceError):
    """An assessment cannot be submitted yet: `missing` lists every gap."""

    def __init__(self, missing: list[Missing]) -> None:
        super().__init__(f"{len(missing)} required answers or evidence fields are missing.")
        self.missing = missing


class NotAllowedError(ServiceError):
    """The acting user's role does not allow the change."""
