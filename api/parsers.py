"""Request bodies: JSON that Python's json module accepts but nothing after it can handle is a parse error."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import IO, Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

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


class JSONParser(parsers.JSONParser):
    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply") from None
        if has_lone_surrogate(data):
            raise ParseError("JSON parse error - lone surrogate in a string")
        return data
