"""One JSON error shape for every API failure: {"code", "message", "details"}, in the request's language."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from assessment.services import ImmutableError, IncompleteError, NotAllowedError, ServiceError, TransitionError
from scoring.engine import AnswerSetError
from scoring.wording import answer_error_message


class ApiError(exceptions.APIException):
    """An error with its own status, code and field details."""

    def __init__(self, status_code: int, code: str, message: str, details: dict[str, list[str]] | None = None) -> None:
        super().__init__(message, code)
        self.status_code = status_code
        self.details = details or {}


def conflict(message: str) -> ApiError:
    return ApiError(status.HTTP_409_CONFLICT, "conflict", message)


class ErrorSerializer(serializers.Serializer[Any]):
    """The body of every 4xx response."""

    code = serializers.CharField(help_text="Machine-readable, e.g. invalid, not_found, incomplete, throttled.")
    message = serializers.CharField(help_text="For people, in the request's language.")
    details = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field (or question key) → messages; empty when the error is not about fields.",
    )


MESSAGES = {
    "invalid": gettext_lazy("Some fields are invalid; see details."),
    "parse_error": gettext_lazy("The request body is not valid JSON."),
}


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"field.sub": [messages]}."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        flat = {}
        for index, item in enumerate(detail):
            flat.update(_flatten(item, f"{prefix}[{index}]"))
        return flat
    return {prefix or "non_field_errors": [str(detail)]}


def error_body(code: str, message: str, details: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details or {}}


def answer_errors(exc: AnswerSetError) -> dict[str, list[str]]:
    """Engine errors keyed by question key (or by item position when the question is unknown), translated."""
    details: dict[str, list[str]] = {}
    for error in exc.errors:
        details.setdefault(error.question or error.where, []).append(f"{error.where}: {answer_error_message(error)}")
    return details


def _as_api_exception(exc: Exception) -> Exception:
    """Domain exceptions as the API's."""
    if isinstance(exc, AnswerSetError):
        return ApiError(400, "invalid_answers", _("Some answers are invalid; see details."), answer_errors(exc))
    if isinstance(exc, IncompleteError):
        details: dict[str, list[str]] = {}
        for missing in exc.missing:
            details.setdefault(missing.question, []).append(
                _('evidence "%(field)s" is required') % {"field": missing.evidence}
                if missing.evidence
                else _("a required question is unanswered")
            )
        return ApiError(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            "incomplete",
            _("%(count)d required answers or evidence fields are missing.") % {"count": len(exc.missing)},
            details,
        )
    if isinstance(exc, (ImmutableError, TransitionError)):
        return conflict(str(exc))
    if isinstance(exc, NotAllowedError):
        return exceptions.PermissionDenied(str(exc))
    if isinstance(exc, ServiceError):
        return exceptions.ValidationError({"non_field_errors": [str(exc)]})
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    return exc


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = _as_api_exception(exc)
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    code = exc.get_codes() if not isinstance(exc, exceptions.ValidationError) else "invalid"
    if not isinstance(code, str):
        code = "invalid"
    if isinstance(exc, exceptions.ValidationError):
        details = _flatten(exc.detail)
        message = str(MESSAGES["invalid"])
    else:
        details = getattr(exc, "details", {})
        message = str(exc.detail)
    if isinstance(exc, exceptions.ParseError):
        code, message = "parse_error", str(MESSAGES["parse_error"])
    response.data = error_body(code, message, details)
    return response


# Django's own error views for the API's paths (config/urls.py): unknown URLs, bodies too large, crashes.


def json_bad_request(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        error_body("bad_request", _("The request cannot be read (too large or malformed).")), status=400
    )


def json_not_found(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body("not_found", _("Not found.")), status=404)


def json_server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        error_body("server_error", _("Something went wrong on our side; it has been logged.")), status=500
    )
