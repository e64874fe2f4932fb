"""Request bodies: at most API_MAX_BODY_BYTES; JSON that Python's json module accepts but nothing after it can
handle is a parse error."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError

# "\ud800" is valid JSON text but no Unicode character: it cannot be encoded to UTF-8 for the database or
# for a response that echoes it, so it would end in a 500.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def has_lone_surrogate(data: Any) -> bool:
    """Whether any string (key or value) in a parsed JSON document holds a lone surrogate."""
    pending = [data]
    while pending:  # no recursion: the document may be nested as deeply as the parser allowed
        value = pending.pop()
        if isinstance(value, str):
            if LONE_SURROGATE.search(value):
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


class BodyTooLarge(APIException):
    """413 in the API's error shape (api/errors.py): code too_large."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(
            _("The request body is larger than the API accepts (%(limit)s).") % {"limit": filesizeformat(limit)}
        )


def _declared_length(parser_context: Mapping[str, Any] | None) -> int:
    request = (parser_context or {}).get("request")
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
    except ValueError:
        return 0


class JSONParser(parsers.JSONParser):
    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        # DRF reads the stream itself, past DATA_UPLOAD_MAX_MEMORY_SIZE (that applies to request.body only): refuse
        # a body declared too long before reading it, and read no more than the limit of any other.
        limit: int = settings.API_MAX_BODY_BYTES
        if _declared_length(parser_context) > limit:
            raise BodyTooLarge(limit)
        body = stream.read(limit + 1)
        if len(body) > limit:
            raise BodyTooLarge(limit)
        try:
            data = super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply") from None
        if has_lone_surrogate(data):
            raise ParseError("JSON parse error - lone surrogate in a string")
        return data


# Room for the multipart framing and the small fields beside the file.
MULTIPART_OVERHEAD_BYTES = 65_536


class EvidenceMultiPartParser(parsers.MultiPartParser):
    """An evidence upload: a body declared larger than one document may be is refused before it is read."""

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        limit: int = settings.EVIDENCE_MAX_FILE_BYTES
        if _declared_length(parser_context) > limit + MULTIPART_OVERHEAD_BYTES:
            raise BodyTooLarge(limit)
        return super().parse(stream, media_type, parser_context)
