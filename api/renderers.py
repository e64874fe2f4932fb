"""JSON responses with exact numbers: a Decimal score goes out as 58.125, never 58.13 or "58.125"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.compat import INDENT_SEPARATORS, LONG_SEPARATORS, SHORT_SEPARATORS
from rest_framework.renderers import JSONRenderer

from assessment import exact_json


class ExactJSONRenderer(JSONRenderer):
    """DRF's JSON renderer (indent, compact, strict, \\u2028 escaping) writing Decimals with all their digits."""

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Mapping[str, Any] | None = None
    ) -> bytes:
        if data is None:
            return b""
        indent = self.get_indent(accepted_media_type or "", renderer_context or {})
        compact = SHORT_SEPARATORS if self.compact else LONG_SEPARATORS
        separators = compact if indent is None else INDENT_SEPARATORS
        text = exact_json.dumps(
            data,
            default=self.encoder_class().default,
            indent=indent,
            ensure_ascii=self.ensure_ascii,
            allow_nan=not self.strict,
            separators=separators,
        )
        return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()
