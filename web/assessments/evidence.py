"""Evidence values as the pages show them (their labels: scoring.wording.evidence_labels)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext


def evidence_value(value: Any) -> str:
    """A saved evidence value as typed text: yes/no in words, numbers without trailing zeros."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, (int, float, Decimal)):
        return f"{Decimal(str(value)).normalize():f}"
    return str(value)
