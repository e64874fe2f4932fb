"""OpenAPI: every operation documents its error responses and the headers it honours."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter

from api.errors import ErrorSerializer

ERRORS = {
    "400": "Invalid input: `details` names each field (or question) and what is wrong.",
    "401": "No credentials, or an invalid, revoked or expired API key.",
    "403": "Authenticated, but the key's scope or your role does not allow this.",
    "404": "No such object (or page of a list), or it belongs to an organisation you may not see.",
    "406": "The Accept header asks for something other than JSON.",
    "409": "Conflicts with the current state (e.g. already submitted), or the same Idempotency-Key is in flight.",
    "413": "The body is larger than the API accepts (API_MAX_BODY_BYTES, 1 MiB unless configured).",
    "415": "The body is not JSON.",
    "422": "Cannot be processed: e.g. required answers missing, or an Idempotency-Key reused with another body.",
    "429": "Too many requests: wait for `Retry-After` seconds.",
}
ALWAYS = ("400", "401", "403", "406", "429")
WRITES = ("409", "413", "415", "422")


class ApiSchema(AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        codes = list(ALWAYS)
        if "{" in self.path or (self.method == "GET" and self._is_list_view() and self._get_paginator() is not None):
            codes.append("404")  # no such object, or (paginated lists) no such page
        if self.method in ("POST", "PUT", "PATCH"):
            codes.extend(WRITES)
        for code in codes:
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                responses[code] = {**response, "description": ERRORS[code]}
        return dict(sorted(responses.items()))

    def get_override_parameters(self) -> list[Any]:
        parameters: list[Any] = list(super().get_override_parameters())
        parameters.append(
            OpenApiParameter(
                "Accept-Language",
                str,
                OpenApiParameter.HEADER,
                description="zh-Hans (default) or en: the language of messages and framework texts.",
                enum=["zh-Hans", "en"],
            )
        )
        parameters.append(
            OpenApiParameter(
                "lang", str, OpenApiParameter.QUERY, description="Overrides Accept-Language.", enum=["zh-Hans", "en"]
            )
        )
        if self.method == "POST":
            parameters.append(
                OpenApiParameter(
                    "Idempotency-Key",
                    str,
                    OpenApiParameter.HEADER,
                    description="Retry safely: the same key with the same body returns the first response "
                    "and creates nothing new; with another body, 422. Kept for 24 hours.",
                )
            )
        return parameters
