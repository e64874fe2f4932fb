"""JSON whose numbers are exact: a Decimal goes out as a JSON number (58.125), JSON numbers come back as Decimal.

The standard library writes a Decimal only through float or as a string; simplejson writes its digits.
Used for stored results and webhook payloads (exact_json_field), API responses and the command line.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import simplejson
from django.db import models


def dumps(value: Any, *, default: Callable[[Any], Any] | None = None, **options: Any) -> str:
    """JSON text of `value`; Decimals as exact numbers, other non-JSON values through `default`."""
    return simplejson.dumps(value, use_decimal=True, default=default, **options)


def loads(text: str | bytes) -> Any:
    """Parse JSON, numbers with a fraction or an exponent as Decimal."""
    return json.loads(text, parse_float=Decimal)


class ExactJSONEncoder(json.JSONEncoder):
    """For JSONField(encoder=…): writes Decimals as exact numbers."""

    def encode(self, o: Any) -> str:
        return dumps(o, ensure_ascii=False, allow_nan=False, sort_keys=self.sort_keys)


class ExactJSONDecoder(json.JSONDecoder):
    """For JSONField(decoder=…): reads numbers with a fraction back as Decimal."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["parse_float"] = Decimal
        super().__init__(*args, **kwargs)


class ExactJSONField(models.JSONField):
    """A JSONField whose decimals stay exact numbers (PostgreSQL's jsonb keeps them as numeric)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.update(encoder=ExactJSONEncoder, decoder=ExactJSONDecoder)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        del kwargs["encoder"], kwargs["decoder"]
        return name, path, args, kwargs

    def get_placeholder(self, value: Any, compiler: Any, connection: Any) -> str:
        # Having this method makes Django insert several rows as VALUES lists rather than UNNEST arrays on
        # PostgreSQL: psycopg quotes a document inside an array literal in Python, one regex callback per
        # quote, which made a results chunk's INSERT slower than one INSERT per row (docs/performance.md).
        return "%s"


def exact_json_field(**options: Any) -> models.JSONField:
    """A JSONField whose decimals stay exact numbers (PostgreSQL's jsonb keeps them as numeric)."""
    return ExactJSONField(**options)
