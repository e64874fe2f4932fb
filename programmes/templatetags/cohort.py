"""Shares as people read them: a fraction 0–1 as a percentage, rounded like every figure (scoring's `figure`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from scoring.templatetags.figures import figure

register = template.Library()


@register.filter
def percent(value: Any) -> str:
    """0.625 → "62.5%"; None → "—"."""
    if value is None or value == "":
        return "—"
    return f"{figure(Decimal(str(value)) * 100)}%"
