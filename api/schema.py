"""OpenAPI: every operation documents its error responses and the headers it honours."""

from __future__ import annotations

from typing import Any

from django.core.validators import ProhibitNullCharactersValidator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from api.errors import ErrorSerializer
from api.idempotency import KEY_PATTERN
from api.serializers import NonBlankText
from assessment.validators import BIDI_CONTROLS, validate_display_text

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


def _escaped(characters: str) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in sorted(characters))


# A display text (validate_display_text) as a regular expression: no control character (Cc) and no bidi
# control, except among the white space at either end, which DRF trims (str.strip) before the check.
_CONTROL = "\\x00-\\x1f\\x7f-\\x9f" + _escaped("".join(BIDI_CONTROLS))
_TRIMMED = "\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
_TEXT = f"[^{_CONTROL}{_TRIMMED}]([^{_CONTROL}]*[^{_CONTROL}{_TRIMMED}])?"
DISPLAY_TEXT = f"^[{_TRIMMED}]*{_TEXT}[{_TRIMMED}]*$"
DISPLAY_TEXT_OR_BLANK = f"^[{_TRIMMED}]*({_TEXT})?[{_TRIMMED}]*$"
NO_NUL = "^[^\\x00]*$"
# Text with something besides the white space DRF trims, and no NUL (NonBlankText).
NOT_BLANK = f"^[^\\x00]*[^\\x00{_TRIMMED}][^\\x00]*$"


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

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and getattr(serializer, "refuses_unknown_fields", False):
            schema["additionalProperties"] = False  # the view or the engine answers 400 to any other key
        return schema

    def _map_serializer_field(self, field: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.DecimalField) and field.decimal_places is not None and "type" in schema:
            schema["multipleOf"] = float(10**-field.decimal_places)  # more decimal places are refused, not rounded
        if isinstance(field, serializers.ListSerializer) and schema.get("type") == "array":
            # drf-spectacular states a ListField's bounds, not a list serializer's (many=True)
            low, high = getattr(field, "min_length", None), getattr(field, "max_length", None)  # not in the stubs
            if low is not None:
                schema["minItems"] = low
            if high is not None:
                schema["maxItems"] = high
        validators = getattr(field, "validators", ())
        if direction == "request" and isinstance(field, NonBlankText):
            schema["pattern"] = DISPLAY_TEXT if field.one_line else NOT_BLANK
        elif direction == "request" and validate_display_text in validators:
            schema["pattern"] = DISPLAY_TEXT_OR_BLANK if getattr(field, "allow_blank", False) else DISPLAY_TEXT
        elif direction == "request" and any(isinstance(v, ProhibitNullCharactersValidator) for v in validators):
            schema.setdefault("pattern", NO_NUL)  # DRF refuses NUL in every CharField (PostgreSQL cannot store it)
        return schema

    def _insert_field_validators(self, field: Any, schema: dict[str, Any]) -> None:
        super()._insert_field_validators(field, schema)
        if isinstance(field, NonBlankText) and "oneOf" in schema:
            # Blank is refused, if by the service (to say why in its words) where the serializer lets it through.
            text, _blank = schema.pop("oneOf")
            schema.update(text)

    def get_override_parameters(self) -> list[Any]:
        parameters: list[Any] = list(super().get_override_parameters())
        # Free text, as HTTP has it: a client's "fr-FR,fr;q=0.9" is not an error, it gets the default.
        parameters.append(
            OpenApiParameter(
                "Accept-Language",
                str,
                OpenApiParameter.HEADER,
                description="The language of messages and framework texts: zh-Hans (the default) or en, chosen "
                "from a list of language ranges as HTTP defines it (e.g. `en-GB,en;q=0.9`); others are ignored.",
            )
        )
        parameters.append(
            OpenApiParameter(
                "lang",
                str,
                OpenApiParameter.QUERY,
                description="Overrides Accept-Language: zh-Hans (or zh) or en, in any letter case; any other value "
                "is ignored.",
            )
        )
        if self.method == "POST":
            parameters.append(
                OpenApiParameter(
                    "Idempotency-Key",
                    {"type": "string", "pattern": KEY_PATTERN},
                    OpenApiParameter.HEADER,
                    description="Retry safely: the same key with the same body returns the first response "
                    "and creates nothing new; with another body, 422. Kept for 24 hours. 1–255 printable ASCII "
                    "characters, no space at either end (e.g. a UUID).",
                )
            )
        return parameters
